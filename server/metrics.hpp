// signet's Prometheus metrics (DESIGN.md §6), exposed in the text format 0.0.4. Kept small on purpose:
// counters and histograms with fixed label names, thread-safe, rendered on demand.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace signet::server {

// A family of counters or gauges: one value per combination of label values (values must stay bounded:
// never an image or pod name).
class MetricFamily {
 public:
  enum class Type { Counter, Gauge };
  MetricFamily(Type type, std::string name, std::string help, std::vector<std::string> label_names);
  void increment(const std::vector<std::string>& label_values, double by = 1);
  void set(const std::vector<std::string>& label_values, double value);  // gauges
  double value(const std::vector<std::string>& label_values) const;
  void render(std::string& out) const;

 private:
  Type type_;
  std::string name_, help_;
  std::vector<std::string> label_names_;
  mutable std::mutex mutex_;
  std::map<std::vector<std::string>, double> values_;
};

// A histogram, with cumulative buckets as Prometheus expects; one series per combination of label values.
class Histogram {
 public:
  Histogram(std::string name, std::string help, std::vector<double> upper_bounds,
            std::vector<std::string> label_names = {});
  void observe(double value, const std::vector<std::string>& label_values = {});
  std::uint64_t count(const std::vector<std::string>& label_values = {}) const;
  void render(std::string& out) const;

 private:
  struct Series {
    std::vector<std::uint64_t> bucket_counts;  // per bucket (not cumulative); last one is +Inf
    double sum = 0;
    std::uint64_t count = 0;
  };
  std::string name_, help_;
  std::vector<double> bounds_;
  std::vector<std::string> label_names_;
  mutable std::mutex mutex_;
  std::map<std::vector<std::string>, Series> series_;
};

struct Metrics {
  Metrics();

  MetricFamily admission_requests{MetricFamily::Type::Counter,
                                  "signet_admission_requests_total",
                                  "AdmissionReviews answered, by operation, object kind and decision.",
                                  {"operation", "kind", "allowed"}};
  Histogram admission_duration{"signet_admission_duration_seconds",
                               "Time to answer an AdmissionReview, from the request read to the response.",
                               {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}};
  MetricFamily policy_results{MetricFamily::Type::Counter,
                              "signet_policy_results_total",
                              "verifyImages rule results per image, by policy, rule, result and mode.",
                              {"policy", "rule", "result", "mode"}};
  MetricFamily http_errors{MetricFamily::Type::Counter,
                           "signet_http_requests_rejected_total",
                           "HTTP requests answered with an error status before any policy ran.",
                           {"code"}};
  MetricFamily verifications{MetricFamily::Type::Counter,
                             "signet_verifications_total",
                             "Image verifications against one verifyImages entry, by type, result and whether "
                             "the verdict cache answered.",
                             {"type", "result", "cache"}};
  MetricFamily registry_requests{MetricFamily::Type::Counter,
                                 "signet_registry_requests_total",
                                 "HTTP requests to registries and their token servers, by host, method and status "
                                 "(0: no response).",
                                 {"registry", "method", "code"}};
  Histogram registry_duration{"signet_registry_request_duration_seconds",
                              "Time of one HTTP request to a registry, by host.",
                              {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10},
                              {"registry"}};
  MetricFamily cache_entries{
      MetricFamily::Type::Gauge, "signet_cache_entries", "Entries held by each cache.", {"cache"}};
  MetricFamily cache_hits{
      MetricFamily::Type::Counter, "signet_cache_hits_total", "Lookups answered by each cache.", {"cache"}};
  MetricFamily cache_misses{
      MetricFamily::Type::Counter, "signet_cache_misses_total", "Lookups each cache could not answer.", {"cache"}};
  MetricFamily policies{
      MetricFamily::Type::Gauge, "signet_policies", "Policies in force, and refused at the last load.", {"state"}};
  MetricFamily reports_dropped{MetricFamily::Type::Counter,
                               "signet_reports_queue_dropped_total",
                               "Admission results dropped before they reached a PolicyReport or Event: the queue to "
                               "the report writer was full.",
                               {}};
  MetricFamily reports_written{MetricFamily::Type::Counter,
                               "signet_reports_written_total",
                               "Objects written to the Kubernetes API by the report writer, by kind (PolicyReport, "
                               "ClusterPolicyReport, Event).",
                               {"kind"}};
  MetricFamily leader{MetricFamily::Type::Gauge,
                      "signet_leader",
                      "1 while this replica holds the Lease that elects the PolicyReport writer, else 0.",
                      {}};
  MetricFamily build_info{MetricFamily::Type::Gauge, "signet_build_info", "signet's version.", {"version"}};

  // The whole exposition, text format 0.0.4.
  std::string render() const;
};

// Prometheus label-value escaping: backslash, double quote and newline.
std::string escape_label_value(std::string_view value);

}  // namespace signet::server
