// The Retry-After header of a 429 or 503 response (RFC 9110 §10.2.3): delta-seconds or an HTTP-date.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace signet::oci {

// How long the server asks to wait, counted from `now` for a date (a date in the past is zero); nullopt
// when the value is neither form.
std::optional<std::chrono::seconds> parse_retry_after(std::string_view value,
                                                      std::chrono::system_clock::time_point now);

}  // namespace signet::oci
