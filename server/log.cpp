#include "server/log.hpp"

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <mutex>

#include "server/admission_review.hpp"
#include "server/log_redaction.hpp"

namespace signet::server {
namespace {

std::atomic<Level> minimum_level{Level::Info};
std::atomic<LogFormat> log_format{LogFormat::Text};
std::mutex sink_mutex;
std::function<void(const std::string&)> log_sink;

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

std::string json_number(double value) {
  if (!std::isfinite(value)) return "null";  // JSON has no NaN or infinity
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.6g", value);
  return buffer;
}

// The length of the valid UTF-8 sequence at `at`, or 0 when the bytes there are not one.
std::size_t utf8_length(std::string_view text, std::size_t at) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char lead = byte(at);
  std::size_t length = 0;
  unsigned int minimum = 0, code = 0;
  if (lead >= 0xc2 && lead <= 0xdf) {
    length = 2, minimum = 0x80, code = lead & 0x1f;
  } else if (lead >= 0xe0 && lead <= 0xef) {
    length = 3, minimum = 0x800, code = lead & 0x0f;
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    length = 4, minimum = 0x10000, code = lead & 0x07;
  } else {
    return 0;
  }
  if (text.size() - at < length) return 0;
  for (std::size_t i = 1; i < length; ++i) {
    if ((byte(at + i) & 0xc0) != 0x80) return 0;
    code = (code << 6) | (byte(at + i) & 0x3f);
  }
  if (code < minimum || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return 0;
  return length;
}

// A JSON string; bytes that are not UTF-8 (user input can be anything) become U+FFFD.
void append_json_string(std::string& out, std::string_view text) {
  out += '"';
  for (std::size_t i = 0; i < text.size();) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c >= 0x80) {
      const std::size_t length = utf8_length(text, i);
      if (length == 0) {
        out += "\\ufffd";
        ++i;
      } else {
        out.append(text.substr(i, length));
        i += length;
      }
      continue;
    }
    if (c == '"') {
      out += "\\\"";
    } else if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c == 0x7f) {
      char escape[8];
      std::snprintf(escape, sizeof escape, "\\u%04x", c);
      out += escape;
    } else {
      out += static_cast<char>(c);
    }
    ++i;
  }
  out += '"';
}

void append_json_fields(std::string& out, const LogFields& fields);

void append_json_value(std::string& out, const LogField::Value& value) {
  if (const auto* text = std::get_if<std::string>(&value)) {
    append_json_string(out, redact_secrets(*text));
  } else if (const auto* integer = std::get_if<std::int64_t>(&value)) {
    out += std::to_string(*integer);
  } else if (const auto* real = std::get_if<double>(&value)) {
    out += json_number(*real);
  } else if (const auto* flag = std::get_if<bool>(&value)) {
    out += *flag ? "true" : "false";
  } else {
    out += '[';
    bool first = true;
    for (const auto& object : std::get<std::vector<LogField::Object>>(value)) {
      out += first ? "{" : ",{";
      first = false;
      append_json_fields(out, object);
      out += '}';
    }
    out += ']';
  }
}

// `"key":value` pairs, comma separated, without the braces.
void append_json_fields(std::string& out, const LogFields& fields) {
  bool first = true;
  for (const auto& field : fields) {
    if (!first) out += ',';
    first = false;
    append_json_string(out, field.key());
    out += ':';
    append_json_value(out, field.value());
  }
}

// logfmt-style: bare when the value has no space, quote, '=' or control character; quoted otherwise.
void append_text_string(std::string& out, std::string_view text) {
  bool bare = !text.empty();
  for (char c : text) bare = bare && static_cast<unsigned char>(c) > 0x20 && c != '"' && c != '=' && c != 0x7f;
  if (bare) {
    out.append(text);
    return;
  }
  append_json_string(out, text);
}

void append_text_fields(std::string& out, const LogFields& fields);

void append_text_value(std::string& out, const LogField::Value& value) {
  if (const auto* text = std::get_if<std::string>(&value)) {
    append_text_string(out, redact_secrets(*text));
  } else if (const auto* objects = std::get_if<std::vector<LogField::Object>>(&value)) {
    out += '[';
    bool first = true;
    for (const auto& object : *objects) {
      out += first ? "{" : " {";
      first = false;
      append_text_fields(out, object);
      out += '}';
    }
    out += ']';
  } else {
    append_json_value(out, value);  // numbers and booleans read the same in both
  }
}

void append_text_fields(std::string& out, const LogFields& fields) {
  bool first = true;
  for (const auto& field : fields) {
    if (!first) out += ' ';
    first = false;
    out += field.key();
    out += '=';
    append_text_value(out, field.value());
  }
}

}  // namespace

std::optional<Level> parse_log_level(std::string_view text) {
  if (text == "debug") return Level::Debug;
  if (text == "info") return Level::Info;
  if (text == "warning") return Level::Warning;
  if (text == "error") return Level::Error;
  return std::nullopt;
}

std::optional<LogFormat> parse_log_format(std::string_view text) {
  if (text == "text") return LogFormat::Text;
  if (text == "json") return LogFormat::Json;
  return std::nullopt;
}

void set_log_level(Level minimum) { minimum_level = minimum; }
void set_log_format(LogFormat format) { log_format = format; }

void set_log_sink(std::function<void(const std::string& line)> sink) {
  std::lock_guard lock(sink_mutex);
  log_sink = std::move(sink);
}

std::string format_log_line(LogFormat format, std::string_view timestamp, Level level, std::string_view message,
                            const LogFields& fields) {
  std::string line;
  const std::string safe_message = redact_secrets(message);
  if (format == LogFormat::Json) {
    line = "{\"ts\":";
    append_json_string(line, timestamp);
    line += ",\"level\":";
    append_json_string(line, name_of(level));
    line += ",\"msg\":";
    append_json_string(line, safe_message);
    if (!fields.empty()) line += ',';
    append_json_fields(line, fields);
    line += '}';
    return line;
  }
  line.append(timestamp).append(" ").append(name_of(level)).append(" ");
  // The message as written, on one line.
  for (char c : safe_message) line += (c == '\n' || c == '\r') ? ' ' : c;
  if (!fields.empty()) line += ' ';
  append_text_fields(line, fields);
  return line;
}

void log(Level level, const std::string& message, const LogFields& fields) {
  if (level < minimum_level.load()) return;
  const std::string line = format_log_line(log_format.load(), timestamp(), level, message, fields) + "\n";
  std::lock_guard lock(sink_mutex);
  if (log_sink)
    log_sink(line);
  else
    std::fputs(line.c_str(), stderr);  // one call per line keeps lines whole
}

LogFields admission_fields(const AdmissionReview& review, const policy::Decision& decision, const char* mode,
                           double seconds) {
  const auto& request = review.request;
  std::vector<LogField::Object> failures;
  for (const auto& result : decision.results) {
    if (result.status == policy::RuleStatus::Pass || result.status == policy::RuleStatus::Skip) continue;
    failures.push_back({{"policy", result.policy},
                        {"rule", result.rule},
                        {"image", result.image},
                        {"result", policy::to_string(result.status)},
                        {"mode", result.enforce ? "enforce" : "audit"},
                        {"reason", result.message}});
  }
  LogFields fields{{"uid", review.uid},
                   {"kind", request.kind},
                   {"namespace", request.namespace_name},
                   {"name", request.name},
                   {"operation", request.operation},
                   {"mode", mode},
                   {"decision", decision.allowed ? "allowed" : "denied"},
                   {"images", review.images.size()},
                   {"duration_seconds", seconds}};
  if (!failures.empty()) fields.emplace_back("failures", std::move(failures));
  return fields;
}

void log_admission(const AdmissionReview& review, const policy::Decision& decision, const char* mode, double seconds) {
  log(decision.allowed ? Level::Info : Level::Warning, "admission", admission_fields(review, decision, mode, seconds));
}

}  // namespace signet::server
