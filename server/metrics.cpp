#include "server/metrics.hpp"

#include <cmath>
#include <cstdio>

namespace signet::server {
namespace {

std::string format_number(double value) {
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  if (std::isnan(value)) return "NaN";
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.17g", value);
  return buffer;
}

void render_header(std::string& out, const std::string& name, const std::string& help, const char* type) {
  out += "# HELP " + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
}

std::string render_labels(const std::vector<std::string>& names, const std::vector<std::string>& values) {
  if (names.empty()) return "";
  std::string out = "{";
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i) out += ",";
    out += names[i] + "=\"" + escape_label_value(values[i]) + "\"";
  }
  return out + "}";
}

}  // namespace

std::string escape_label_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

MetricFamily::MetricFamily(Type type, std::string name, std::string help, std::vector<std::string> label_names)
    : type_(type), name_(std::move(name)), help_(std::move(help)), label_names_(std::move(label_names)) {}

void MetricFamily::increment(const std::vector<std::string>& label_values, double by) {
  std::lock_guard lock(mutex_);
  values_[label_values] += by;
}

void MetricFamily::set(const std::vector<std::string>& label_values, double value) {
  std::lock_guard lock(mutex_);
  values_[label_values] = value;
}

double MetricFamily::value(const std::vector<std::string>& label_values) const {
  std::lock_guard lock(mutex_);
  auto it = values_.find(label_values);
  return it == values_.end() ? 0 : it->second;
}

void MetricFamily::render(std::string& out) const {
  render_header(out, name_, help_, type_ == Type::Counter ? "counter" : "gauge");
  std::lock_guard lock(mutex_);
  for (const auto& [labels, value] : values_)
    out += name_ + render_labels(label_names_, labels) + " " + format_number(value) + "\n";
}

Histogram::Histogram(std::string name, std::string help, std::vector<double> upper_bounds)
    : name_(std::move(name)),
      help_(std::move(help)),
      bounds_(std::move(upper_bounds)),
      bucket_counts_(bounds_.size() + 1, 0) {}

void Histogram::observe(double value) {
  std::size_t bucket = 0;
  while (bucket < bounds_.size() && value > bounds_[bucket]) ++bucket;
  std::lock_guard lock(mutex_);
  ++bucket_counts_[bucket];
  sum_ += value;
  ++count_;
}

std::uint64_t Histogram::count() const {
  std::lock_guard lock(mutex_);
  return count_;
}

void Histogram::render(std::string& out) const {
  render_header(out, name_, help_, "histogram");
  std::lock_guard lock(mutex_);
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i <= bounds_.size(); ++i) {
    cumulative += bucket_counts_[i];
    std::string le = i < bounds_.size() ? format_number(bounds_[i]) : "+Inf";
    out += name_ + "_bucket{le=\"" + le + "\"} " + std::to_string(cumulative) + "\n";
  }
  out += name_ + "_sum " + format_number(sum_) + "\n";
  out += name_ + "_count " + std::to_string(count_) + "\n";
}

Metrics::Metrics() { build_info.set({SIGNET_VERSION}, 1); }

std::string Metrics::render() const {
  std::string out;
  admission_requests.render(out);
  admission_duration.render(out);
  policy_results.render(out);
  http_errors.render(out);
  policies.render(out);
  build_info.render(out);
  return out;
}

}  // namespace signet::server
