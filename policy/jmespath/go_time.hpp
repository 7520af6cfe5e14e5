// Go's time and duration text formats, as Kyverno's time functions and duration arithmetic read and
// write them: RFC 3339, Go reference layouts ("2006-01-02 15:04:05"), time.Duration's "1h2m3.5s".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "crypto/result.hpp"

namespace signet::policy::jmespath {

// An instant and the UTC offset it was written with (kept so that formatting keeps the zone).
struct GoTime {
  std::int64_t seconds = 0;  // since the Unix epoch, UTC
  std::int32_t nanos = 0;
  std::int32_t offset = 0;  // seconds east of UTC
};

Result<GoTime> parse_rfc3339(std::string_view text);
// `layout` is a Go reference layout (Mon Jan 2 15:04:05 MST 2006).
Result<GoTime> parse_go_layout(std::string_view layout, std::string_view text);
// RFC 3339 without fractional seconds, in the time's own offset ("Z" when it is zero), as Go's
// t.Format(time.RFC3339).
std::string format_rfc3339(const GoTime& time);
GoTime time_now(bool utc);

// time.ParseDuration and Duration.String. Durations are nanoseconds.
Result<std::int64_t> parse_go_duration(std::string_view text);
std::string format_go_duration(std::int64_t nanos);

// t1 - t2 in nanoseconds, saturated as Go's Time.Sub.
std::int64_t time_sub(const GoTime& a, const GoTime& b);
// t + d.
GoTime time_add(const GoTime& t, std::int64_t nanos);

}  // namespace signet::policy::jmespath
