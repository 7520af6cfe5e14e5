// Durations as Kyverno's conditions read them: Go's time.ParseDuration and time.Duration arithmetic, so
// "1h" equals "60m" and a number counts as seconds, with Go's rounding and overflow behaviour.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace signet::policy {

// Nanoseconds of a Go duration string ("300ms", "-1.5h", "2h45m", "0"); nullopt where Go reports an
// error (no unit, unknown unit, overflow, empty). Units: ns, us, µs, μs, ms, s, m, h.
std::optional<std::int64_t> parse_go_duration(std::string_view text);

// time.Duration(x) * time.Second for a JSON number x: the fraction is truncated and the product wraps
// around on overflow, as Go computes it.
std::int64_t go_seconds_to_duration(double seconds);

// Duration.Seconds(): whole seconds plus the nanosecond remainder, as a double.
double go_duration_seconds(std::int64_t nanoseconds);

}  // namespace signet::policy
