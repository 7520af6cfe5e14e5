// signet's log: one line per event on stderr, as JSON (one object per line: ts, level, msg, then the
// fields) for log collectors, or as text for people at a terminal. Only server/ logs; the libraries
// return errors. Every string is redacted (server/log_redaction.hpp) before it is written.
#pragma once

#include <concepts>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "policy/engine.hpp"

namespace signet::server {

enum class Level { Debug, Info, Warning, Error };
enum class LogFormat { Text, Json };

std::optional<Level> parse_log_level(std::string_view text);       // debug, info, warning, error
std::optional<LogFormat> parse_log_format(std::string_view text);  // text, json

// One key and its value: a string, a number, a boolean, or a list of objects (the failures of a review).
class LogField {
 public:
  using Object = std::vector<LogField>;
  using Value = std::variant<std::string, std::int64_t, double, bool, std::vector<Object>>;

  LogField(std::string key, std::string value) : key_(std::move(key)), value_(std::move(value)) {}
  LogField(std::string key, const char* value) : key_(std::move(key)), value_(std::string(value)) {}
  LogField(std::string key, bool value) : key_(std::move(key)), value_(value) {}
  LogField(std::string key, double value) : key_(std::move(key)), value_(value) {}
  template <std::integral T>
  requires(!std::same_as<T, bool>) LogField(std::string key, T value)
      : key_(std::move(key)), value_(static_cast<std::int64_t>(value)) {}
  LogField(std::string key, std::vector<Object> value) : key_(std::move(key)), value_(std::move(value)) {}

  const std::string& key() const { return key_; }
  const Value& value() const { return value_; }

 private:
  std::string key_;
  Value value_;
};
using LogFields = std::vector<LogField>;

void set_log_level(Level minimum);
void set_log_format(LogFormat format);
// Where whole lines go (each ends with '\n'); stderr when unset. For tests and embedding.
void set_log_sink(std::function<void(const std::string& line)> sink);

void log(Level level, const std::string& message, const LogFields& fields = {});

// The line `log` writes, without the newline; `timestamp` is RFC 3339 in UTC.
std::string format_log_line(LogFormat format, std::string_view timestamp, Level level, std::string_view message,
                            const LogFields& fields);

struct AdmissionReview;
// The fields of the one line per answered review: uid, kind, namespace, name, operation, mode, decision
// (allowed / denied), images, duration_seconds, and `failures` (policy, rule, image, result, mode, reason)
// for every rule that failed or errored.
LogFields admission_fields(const AdmissionReview& review, const policy::Decision& decision, const char* mode,
                           double seconds);
// Info when allowed, Warning when denied.
void log_admission(const AdmissionReview& review, const policy::Decision& decision, const char* mode, double seconds);

}  // namespace signet::server
