#include "server/metrics.hpp"

#include <cmath>
#include <cstdio>

namespace signet::server {
namespace {

std::string prometheus_number(double value) {
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
    out += name_ + render_labels(label_names_, labels) + " " + prometheus_number(value) + "\n";
}

Histogram::Histogram(std::string name, std::string help, std::vector<double> upper_bounds,
                     std::vector<std::string> label_names)
    : name_(std::move(name)),
      help_(std::move(help)),
      bounds_(std::move(upper_bounds)),
      label_names_(std::move(label_names)) {
  // A histogram without labels shows its (empty) series from the start, as Prometheus clients do.
  if (label_names_.empty()) series_[{}].bucket_counts.assign(bounds_.size() + 1, 0);
}

void Histogram::observe(double value, const std::vector<std::string>& label_values) {
  std::size_t bucket = 0;
  while (bucket < bounds_.size() && value > bounds_[bucket]) ++bucket;
  std::lock_guard lock(mutex_);
  Series& series = series_[label_values];
  if (series.bucket_counts.empty()) series.bucket_counts.assign(bounds_.size() + 1, 0);
  ++series.bucket_counts[bucket];
  series.sum += value;
  ++series.count;
}

std::uint64_t Histogram::count(const std::vector<std::string>& label_values) const {
  std::lock_guard lock(mutex_);
  const auto it = series_.find(label_values);
  return it == series_.end() ? 0 : it->second.count;
}

void Histogram::render(std::string& out) const {
  render_header(out, name_, help_, "histogram");
  std::lock_guard lock(mutex_);
  for (const auto& [labels, series] : series_) {
    // The labels with `le` added last, for the bucket lines.
    std::vector<std::string> names = label_names_;
    names.push_back("le");
    std::vector<std::string> values = labels;
    values.emplace_back();
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i <= bounds_.size(); ++i) {
      cumulative += series.bucket_counts[i];
      values.back() = i < bounds_.size() ? prometheus_number(bounds_[i]) : "+Inf";
      out += name_ + "_bucket" + render_labels(names, values) + " " + std::to_string(cumulative) + "\n";
    }
    const std::string plain = render_labels(label_names_, labels);
    out += name_ + "_sum" + plain + " " + prometheus_number(series.sum) + "\n";
    out += name_ + "_count" + plain + " " + std::to_string(series.count) + "\n";
  }
}

Metrics::Metrics() { build_info.set({SIGNET_VERSION}, 1); }

std::string Metrics::render() const {
  std::string out;
  admission_requests.render(out);
  admission_duration.render(out);
  policy_results.render(out);
  http_errors.render(out);
  verifications.render(out);
  registry_requests.render(out);
  registry_duration.render(out);
  cache_entries.render(out);
  cache_hits.render(out);
  cache_misses.render(out);
  policies.render(out);
  reports_dropped.render(out);
  reports_written.render(out);
  leader.render(out);
  build_info.render(out);
  return out;
}

}  // namespace signet::server
