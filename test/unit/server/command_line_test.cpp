#include <catch2/catch.hpp>

#include "server/cli/command_line.hpp"

using signet::server::CommandLine;

TEST_CASE("flags take values in either form, repeat, and leave positionals", "[server][cli]") {
  auto line = CommandLine::parse(
      {"--policy", "dir", "--insecure-registry=a:5000", "img1", "--insecure-registry", "b", "--mutate", "img2"},
      {{"policy"}, {"insecure-registry"}, {"mutate", false}});
  REQUIRE(line.ok());
  CHECK(line->get("policy") == "dir");
  CHECK(line->all("insecure-registry") == std::vector<std::string>{"a:5000", "b"});
  CHECK(line->has("mutate"));
  CHECK(line->positional() == std::vector<std::string>{"img1", "img2"});
}

TEST_CASE("bad flags are refused naming the flag", "[server][cli]") {
  CHECK_THAT(CommandLine::parse({"--nope"}, {{"policy"}}).error().message, Catch::Contains("unknown flag --nope"));
  CHECK_THAT(CommandLine::parse({"--policy"}, {{"policy"}}).error().message, Catch::Contains("--policy needs a value"));
  CHECK_THAT(CommandLine::parse({"--mutate=yes"}, {{"mutate", false}}).error().message,
             Catch::Contains("--mutate takes no value"));
}

TEST_CASE("durations and numbers are checked", "[server][cli]") {
  auto line = CommandLine::parse({"--review-deadline", "2.5", "--threads", "x"}, {{"review-deadline"}, {"threads"}});
  REQUIRE(line.ok());
  CHECK(line->seconds("review-deadline", 8)->count() == 2500);
  CHECK(line->seconds("absent", 8)->count() == 8000);
  CHECK_THAT(line->number("threads", 1).error().message, Catch::Contains("--threads must be a whole number"));
  auto negative = CommandLine::parse({"--review-deadline=-1"}, {{"review-deadline"}});
  CHECK_FALSE(negative->seconds("review-deadline", 8).ok());
}

TEST_CASE("--help and -h anywhere ask for help", "[server][cli]") {
  CHECK(signet::server::asks_for_help({"--policy", "x", "--help"}));
  CHECK(signet::server::asks_for_help({"-h"}));
  CHECK_FALSE(signet::server::asks_for_help({"--policy", "help"}));
}
