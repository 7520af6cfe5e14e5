// Kubernetes resource quantities ("1Gi", "500m", "1.5e3") as Kyverno's conditions compare them:
// resource.ParseQuantity's grammar and value, exactly (no floating point), so "1Gi" equals "1024Mi".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace signet::policy {

class Quantity {
 public:
  // nullopt where ParseQuantity reports an error. Quirks kept: a bare suffix ("m", "Ki") or sign is
  // zero; values are rounded up (away from zero) to 1n; binary-suffixed values are capped at 2^63-1.
  static std::optional<Quantity> parse(std::string_view text);

  // -1, 0 or 1, as Quantity.Cmp.
  int compare(const Quantity& other) const;
  bool operator==(const Quantity& other) const { return compare(other) == 0; }

 private:
  int sign_ = 0;               // -1, 0, 1
  std::string digits_;         // magnitude's digits, no leading or trailing zeros ("" for zero)
  std::int64_t exponent_ = 0;  // magnitude = digits_ * 10^exponent_
};

}  // namespace signet::policy
