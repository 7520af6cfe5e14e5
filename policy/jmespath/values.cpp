#include "policy/jmespath/values.hpp"

namespace signet::policy::jmespath {

Result<bool> equal(CallContext& context, const json::Value& a, const json::Value& b) {
  if (auto ok = context.charge(1); !ok) return ok.error();
  if (a.type() != b.type()) return false;
  switch (a.type()) {
    case json::Type::Array: {
      const auto& x = a.as_array();
      const auto& y = b.as_array();
      if (&x == &y) return true;  // the same shared array
      if (x.size() != y.size()) return false;
      for (std::size_t i = 0; i < x.size(); ++i) {
        auto same = equal(context, x[i], y[i]);
        if (!same || !*same) return same;
      }
      return true;
    }
    case json::Type::Object: {
      const auto& x = a.as_object();
      const auto& y = b.as_object();
      if (&x == &y) return true;
      if (x.size() != y.size()) return false;
      for (const auto& [key, value] : x) {
        const json::Value* other = b.find(key);
        if (other == nullptr) return false;
        auto same = equal(context, value, *other);
        if (!same || !*same) return same;
      }
      return true;
    }
    default:
      return a == b;
  }
}

namespace {

Result<void> measure(CallContext& context, const json::Value& value, std::size_t& bytes) {
  if (auto ok = context.charge(1); !ok) return ok.error();
  switch (value.type()) {
    case json::Type::String:
      bytes += value.as_string().size() + 2;
      break;
    case json::Type::Array:
      for (const auto& item : value.as_array()) {
        if (auto ok = measure(context, item, bytes); !ok) return ok;
      }
      break;
    case json::Type::Object:
      for (const auto& [key, item] : value.as_object()) {
        bytes += key.size() + 4;
        if (auto ok = measure(context, item, bytes); !ok) return ok;
      }
      break;
    default:
      bytes += 8;
  }
  if (bytes > kMaxStringBytes) {
    return Error::invalid("invalid-value: the value's JSON text would exceed " + std::to_string(kMaxStringBytes) +
                          " bytes");
  }
  return success();
}

}  // namespace

Result<std::string> to_text(CallContext& context, const json::Value& value) {
  std::size_t bytes = 0;
  if (auto ok = measure(context, value, bytes); !ok) return ok.error();
  return json::to_json(value);
}

std::size_t code_points(std::string_view text) {
  std::size_t count = 0;
  for (const char c : text) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++count;
  }
  return count;
}

}  // namespace signet::policy::jmespath
