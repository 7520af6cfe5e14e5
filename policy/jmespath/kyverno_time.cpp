// Kyverno's time functions (pkg/engine/jmespath/time.go): times are RFC 3339 strings, durations Go's.
#include <charconv>

#include "policy/jmespath/go_time.hpp"
#include "policy/jmespath/kyverno_functions.hpp"

namespace signet::policy::jmespath {
namespace {

using json::Value;
using Args = std::span<const Argument>;

// "invalid-value: f(): invalid-value: ..." reads badly; keep one kind prefix.
Error in_function(std::string_view function, const Error& error) {
  std::string message = error.message;
  const std::string prefix = "invalid-value: ";
  if (message.starts_with(prefix)) message = message.substr(prefix.size());
  return invalid_value(function, message);
}

Result<GoTime> rfc3339(std::string_view function, const Argument& arg) {
  auto time = parse_rfc3339(arg.value.as_string());
  if (!time) return in_function(function, time.error());
  return time;
}

Result<Value> fn_time_now(CallContext&, Args) { return Value(format_rfc3339(time_now(false))); }
Result<Value> fn_time_now_utc(CallContext&, Args) { return Value(format_rfc3339(time_now(true))); }

Result<Value> fn_time_since(CallContext&, Args args) {
  const std::string& layout = args[0].value.as_string();
  auto parse = [&](const std::string& text) {
    return layout.empty() ? parse_rfc3339(text) : parse_go_layout(layout, text);
  };
  auto start = parse(args[1].value.as_string());
  if (!start) return in_function("time_since", start.error());
  GoTime end = time_now(false);
  if (!args[2].value.as_string().empty()) {
    auto parsed = parse(args[2].value.as_string());
    if (!parsed) return in_function("time_since", parsed.error());
    end = *parsed;
  }
  return Value(format_go_duration(time_sub(end, *start)));
}

Result<Value> fn_time_to_cron(CallContext&, Args args) {
  auto t = rfc3339("time_to_cron", args[0]);
  if (!t) return t.error();
  const std::string text = format_rfc3339(*t);  // YYYY-MM-DDTHH:MM:SS in the time's own zone
  auto number = [&](std::size_t at) { return std::stoi(text.substr(at, 2)); };
  const std::int64_t local_days = (t->seconds + t->offset) / 86400 - ((t->seconds + t->offset) % 86400 < 0);
  const std::int64_t weekday = ((local_days % 7) + 7 + 4) % 7;  // 1970-01-01 was a Thursday
  return Value(std::to_string(number(14)) + " " + std::to_string(number(11)) + " " + std::to_string(number(8)) + " " +
               std::to_string(number(5)) + " " + std::to_string(weekday));
}

Result<Value> fn_time_add(CallContext&, Args args) {
  auto t = rfc3339("time_add", args[0]);
  if (!t) return t.error();
  auto d = parse_go_duration(args[1].value.as_string());
  if (!d) return in_function("time_add", d.error());
  return Value(format_rfc3339(time_add(*t, *d)));
}

Result<Value> fn_time_parse(CallContext&, Args args) {
  const std::string& layout = args[0].value.as_string();
  const std::string& text = args[1].value.as_string();
  std::int64_t unused = 0;
  if (!layout.empty() &&
      std::from_chars(layout.data(), layout.data() + layout.size(), unused).ptr == layout.data() + layout.size()) {
    // A numeric layout means the text is Unix seconds.
    std::int64_t seconds = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
    if (ec != std::errc() || end != text.data() + text.size() || text.empty()) {
      return invalid_value("time_parse", "\"" + text + "\" is not a Unix time in seconds");
    }
    return Value(format_rfc3339(GoTime{seconds, 0, 0}));
  }
  auto t = parse_go_layout(layout, text);
  if (!t) return in_function("time_parse", t.error());
  return Value(format_rfc3339(*t));
}

Result<Value> fn_time_utc(CallContext&, Args args) {
  auto t = rfc3339("time_utc", args[0]);
  if (!t) return t.error();
  t->offset = 0;
  return Value(format_rfc3339(*t));
}

Result<Value> fn_time_diff(CallContext&, Args args) {
  auto a = rfc3339("time_diff", args[0]);
  if (!a) return a.error();
  auto b = rfc3339("time_diff", args[1]);
  if (!b) return b.error();
  return Value(format_go_duration(time_sub(*b, *a)));
}

Result<Value> fn_time_before(CallContext&, Args args) {
  auto a = rfc3339("time_before", args[0]);
  if (!a) return a.error();
  auto b = rfc3339("time_before", args[1]);
  if (!b) return b.error();
  return Value(time_sub(*a, *b) < 0);
}

Result<Value> fn_time_after(CallContext&, Args args) {
  auto a = rfc3339("time_after", args[0]);
  if (!a) return a.error();
  auto b = rfc3339("time_after", args[1]);
  if (!b) return b.error();
  return Value(time_sub(*a, *b) > 0);
}

Result<Value> fn_time_between(CallContext&, Args args) {
  auto t = rfc3339("time_between", args[0]);
  if (!t) return t.error();
  auto start = rfc3339("time_between", args[1]);
  if (!start) return start.error();
  auto end = rfc3339("time_between", args[2]);
  if (!end) return end.error();
  return Value(time_sub(*t, *start) > 0 && time_sub(*t, *end) < 0);
}

Result<Value> fn_time_truncate(CallContext&, Args args) {
  auto t = rfc3339("time_truncate", args[0]);
  if (!t) return t.error();
  auto d = parse_go_duration(args[1].value.as_string());
  if (!d) return in_function("time_truncate", d.error());
  if (*d <= 0) return Value(format_rfc3339(*t));
  // Go rounds down to a multiple of d since its zero time, 0001-01-01T00:00:00Z (62135596800 s before
  // the Unix epoch), in UTC whatever the time's zone.
  constexpr __int128 kZero = static_cast<__int128>(62135596800) * 1'000'000'000;
  const __int128 since = static_cast<__int128>(t->seconds) * 1'000'000'000 + t->nanos + kZero;
  const __int128 kept = since - ((since % *d) + *d) % *d - kZero;
  GoTime out = *t;
  out.seconds = static_cast<std::int64_t>(kept / 1'000'000'000);
  out.nanos = static_cast<std::int32_t>(kept % 1'000'000'000);
  if (out.nanos < 0) {
    out.nanos += 1'000'000'000;
    --out.seconds;
  }
  return Value(format_rfc3339(out));
}

}  // namespace

std::span<const Function> kyverno_time_functions() {
  static const std::vector<Function> kFunctions = {
      {"time_since",
       {kString, kString, kString},
       false,
       fn_time_since,
       "string",
       "calculate the difference between a start and end period of time where the end may either be a static "
       "definition or the then-current time"},
      {"time_now", {}, false, fn_time_now, "string", "returns current time in RFC 3339 format"},
      {"time_now_utc", {}, false, fn_time_now_utc, "string", "returns current UTC time in RFC 3339 format"},
      {"time_to_cron",
       {kString},
       false,
       fn_time_to_cron,
       "string",
       "converts a time (RFC 3339) to a cron expression (string)."},
      {"time_add",
       {kString, kString},
       false,
       fn_time_add,
       "string",
       "adds duration (second string) to a time value (first string)"},
      {"time_parse",
       {kString, kString},
       false,
       fn_time_parse,
       "string",
       "changes a time value of a given layout to RFC 3339"},
      {"time_utc",
       {kString},
       false,
       fn_time_utc,
       "string",
       "calcutes time in UTC from a given time in RFC 3339 format"},
      {"time_diff",
       {kString, kString},
       false,
       fn_time_diff,
       "string",
       "calculate the difference between a start and end date in RFC3339 format"},
      {"time_before",
       {kString, kString},
       false,
       fn_time_before,
       "boolean",
       "checks if a time is before another time, both in RFC3339 format"},
      {"time_after",
       {kString, kString},
       false,
       fn_time_after,
       "boolean",
       "checks if a time is after another time, both in RFC3339 format"},
      {"time_between",
       {kString, kString, kString},
       false,
       fn_time_between,
       "boolean",
       "checks if a time is between a start and end time, all in RFC3339 format"},
      {"time_truncate",
       {kString, kString},
       false,
       fn_time_truncate,
       "string",
       "returns the result of rounding time down to a multiple of duration"},
  };
  return kFunctions;
}

}  // namespace signet::policy::jmespath
