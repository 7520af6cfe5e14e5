#include "server/log.hpp"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>

#include "server/admission_review.hpp"

namespace signet::server {
namespace {

std::atomic<Level> minimum_level{Level::Info};

const char* name_of(Level level) {
  switch (level) {
    case Level::Debug:
      return "debug";
    case Level::Info:
      return "info";
    case Level::Warning:
      return "warning";
    case Level::Error:
      return "error";
  }
  return "?";
}

std::string timestamp() {
  auto now = std::chrono::system_clock::now();
  std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900, utc.tm_mon + 1,
                utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, static_cast<int>(millis));
  return buffer;
}

}  // namespace

void set_log_level(Level minimum) { minimum_level = minimum; }

void log(Level level, const std::string& message) {
  if (level < minimum_level.load()) return;
  // One fputs per line keeps lines whole when several threads log at once.
  std::string line = timestamp() + " " + name_of(level) + " " + message + "\n";
  std::fputs(line.c_str(), stderr);
}

void log_admission(const AdmissionReview& review, const policy::Decision& decision, const char* mode, double seconds) {
  const auto& r = review.request;
  std::string line = std::string("admission ") + mode + " uid=" + review.uid + " " + r.operation + " " + r.kind + " " +
                     (r.namespace_name.empty() ? "" : r.namespace_name + "/") + r.name +
                     (decision.allowed ? " allowed" : " denied") + " images=" + std::to_string(review.images.size()) +
                     " duration_ms=" + std::to_string(static_cast<long>(seconds * 1000));
  for (const auto& result : decision.results) {
    if (result.status == policy::RuleStatus::Pass || result.status == policy::RuleStatus::Skip) continue;
    line += " [" + result.policy + "/" + result.rule + " " + policy::to_string(result.status) + " " + result.image +
            ": " + result.message + "]";
  }
  log(decision.allowed ? Level::Info : Level::Warning, line);
}

}  // namespace signet::server
