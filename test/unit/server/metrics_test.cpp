#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "server/metrics.hpp"

using signet::server::Metrics;

TEST_CASE("metrics render counters, histogram buckets and gauges in the text format", "[server][metrics]") {
  Metrics metrics;
  metrics.admission_requests.increment({"CREATE", "Pod", "true"});
  metrics.admission_requests.increment({"CREATE", "Pod", "true"});
  metrics.admission_requests.increment({"CREATE", "Pod", "false"});
  metrics.admission_duration.observe(0.0003);
  metrics.admission_duration.observe(0.2);
  metrics.policies.set({"active"}, 3);
  const std::string text = metrics.render();
  CHECK_THAT(text, Catch::Contains("# TYPE signet_admission_requests_total counter"));
  CHECK_THAT(text,
             Catch::Contains(R"(signet_admission_requests_total{operation="CREATE",kind="Pod",allowed="true"} 2)"));
  CHECK_THAT(text,
             Catch::Contains(R"(signet_admission_requests_total{operation="CREATE",kind="Pod",allowed="false"} 1)"));
  CHECK_THAT(text, Catch::Contains(R"(signet_admission_duration_seconds_bucket{le="0.00050000000000000001"} 1)"));
  CHECK_THAT(text, Catch::Contains(R"(signet_admission_duration_seconds_bucket{le="0.25"} 2)"));
  CHECK_THAT(text, Catch::Contains(R"(signet_admission_duration_seconds_bucket{le="+Inf"} 2)"));
  CHECK_THAT(text, Catch::Contains("signet_admission_duration_seconds_count 2"));
  CHECK_THAT(text, Catch::Contains(R"(signet_policies{state="active"} 3)"));
  CHECK_THAT(text, Catch::Contains(R"(signet_build_info{version=")"));
}

TEST_CASE("label values are escaped", "[server][metrics]") {
  CHECK(signet::server::escape_label_value("a\"b\\c\nd") == "a\\\"b\\\\c\\nd");
}

TEST_CASE("promtool accepts the exposition", "[server][metrics][promtool]") {
  if (std::system("command -v promtool > /dev/null 2>&1") != 0) {
    WARN("promtool is not installed (Debian package prometheus); skipping the parser check");
    return;
  }
  Metrics metrics;
  metrics.admission_requests.increment({"CREATE", "Pod", "true"});
  metrics.admission_duration.observe(0.01);
  metrics.policy_results.increment({"check \"signed\"", "verify", "fail", "enforce"});
  auto path = std::filesystem::temp_directory_path() / ("signet-metrics-" + std::to_string(::getpid()) + ".prom");
  std::ofstream(path) << metrics.render();
  const std::string command = "promtool check metrics < " + path.string() + " 2>&1";
  FILE* pipe = ::popen(command.c_str(), "r");
  REQUIRE(pipe);
  std::string output;
  char buffer[512];
  while (std::fgets(buffer, sizeof buffer, pipe)) output += buffer;
  int status = ::pclose(pipe);
  std::filesystem::remove(path);
  INFO(output);
  CHECK(status == 0);
}
