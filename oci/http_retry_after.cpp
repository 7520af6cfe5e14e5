#include "oci/http_retry_after.hpp"

#include <ctime>
#include <string>

namespace signet::oci {

std::optional<std::chrono::seconds> parse_retry_after(std::string_view value,
                                                      std::chrono::system_clock::time_point now) {
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  if (value.empty()) return std::nullopt;

  if (value.find_first_not_of("0123456789") == std::string_view::npos) {
    // A huge number means "much later": saturate rather than overflow.
    if (value.size() > 9) return std::chrono::seconds(999'999'999);
    return std::chrono::seconds(std::stol(std::string(value)));
  }

  // IMF-fixdate, and the two obsolete forms recipients must still accept.
  const std::string text(value);
  for (const char* format : {"%a, %d %b %Y %H:%M:%S GMT", "%A, %d-%b-%y %H:%M:%S GMT", "%a %b %e %H:%M:%S %Y"}) {
    std::tm tm{};
    const char* end = strptime(text.c_str(), format, &tm);
    if (end == nullptr || *end != '\0') continue;
    const std::time_t when = timegm(&tm);
    if (when == static_cast<std::time_t>(-1)) return std::nullopt;
    const auto delay =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::from_time_t(when) - now);
    return delay.count() > 0 ? delay : std::chrono::seconds(0);
  }
  return std::nullopt;
}

}  // namespace signet::oci
