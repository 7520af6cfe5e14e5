// An immutable JSON value, cheap to copy (arrays and objects are shared), as JMESPath, Kyverno's
// conditions and the attestation predicates see data. Objects keep their members' order.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "crypto/result.hpp"

namespace signet::policy::json {

class Value;
using Array = std::vector<Value>;
using Member = std::pair<std::string, Value>;
using Object = std::vector<Member>;  // keys are unique

enum class Type { Null, Boolean, Number, String, Array, Object };
const char* to_string(Type type);  // "null", "boolean", "number", "string", "array", "object" (JMESPath's names)

class Value {
 public:
  Value() = default;  // null
  Value(std::nullptr_t) {}
  Value(bool b) : v_(b) {}
  Value(double d) : v_(d) {}
  Value(int i) : v_(static_cast<double>(i)) {}
  Value(std::string s) : v_(std::move(s)) {}
  Value(const char* s) : v_(std::string(s)) {}
  Value(std::string_view s) : v_(std::string(s)) {}
  Value(Array a) : v_(std::make_shared<const Array>(std::move(a))) {}
  Value(Object o) : v_(std::make_shared<const Object>(std::move(o))) {}

  Type type() const { return static_cast<Type>(v_.index()); }
  bool is_null() const { return type() == Type::Null; }
  bool is_bool() const { return type() == Type::Boolean; }
  bool is_number() const { return type() == Type::Number; }
  bool is_string() const { return type() == Type::String; }
  bool is_array() const { return type() == Type::Array; }
  bool is_object() const { return type() == Type::Object; }

  // The held value; calling the wrong one is a programming error (asserted).
  bool as_bool() const { return std::get<bool>(v_); }
  double as_number() const { return std::get<double>(v_); }
  const std::string& as_string() const { return std::get<std::string>(v_); }
  const Array& as_array() const { return *std::get<std::shared_ptr<const Array>>(v_); }
  const Object& as_object() const { return *std::get<std::shared_ptr<const Object>>(v_); }

  // An object's member `key`, or nullptr (also when this is not an object).
  const Value* find(std::string_view key) const;

  // JMESPath's truthiness: false, null, "", [] and {} are false.
  bool truthy() const;

  // JSON equality: numbers by value, objects regardless of member order.
  bool operator==(const Value& other) const;

 private:
  std::variant<std::nullptr_t, bool, double, std::string, std::shared_ptr<const Array>, std::shared_ptr<const Object>>
      v_;
};

// Parses JSON text (RFC 8259; iterative, so deep nesting cannot exhaust the stack; at most `max_depth`
// levels). Errors name the offset.
Result<Value> parse(std::string_view text, std::size_t max_depth = 512);

// Compact JSON text. Integral numbers print without a fraction ("3", not "3.0").
std::string to_json(const Value& value);

}  // namespace signet::policy::json
