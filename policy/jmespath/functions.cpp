// The specification's built-in functions, the signature checks every function goes through, and the
// table a function name resolves in.
#include "policy/jmespath/functions.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "policy/jmespath/values.hpp"

namespace signet::policy::jmespath {
namespace {

using json::Value;
using Args = std::span<const Argument>;

bool matches(unsigned mask, const Argument& arg) {
  if (arg.expref != nullptr) return (mask & kExpref) != 0;
  const Value& value = arg.value;
  switch (value.type()) {
    case json::Type::Null:
      return (mask & kNull) != 0;
    case json::Type::Boolean:
      return (mask & kBoolean) != 0;
    case json::Type::Number:
      return (mask & kNumber) != 0;
    case json::Type::String:
      return (mask & kString) != 0;
    case json::Type::Object:
      return (mask & kObject) != 0;
    case json::Type::Array: {
      if ((mask & kArray) != 0) return true;
      const auto& items = value.as_array();
      if ((mask & kArrayNumber) != 0 &&
          std::all_of(items.begin(), items.end(), [](const Value& v) { return v.is_number(); }))
        return true;
      return (mask & kArrayString) != 0 &&
             std::all_of(items.begin(), items.end(), [](const Value& v) { return v.is_string(); });
    }
  }
  return false;
}

std::string type_of(const Argument& arg) { return arg.expref != nullptr ? "expref" : to_string(arg.value.type()); }

Result<Value> fn_abs(CallContext&, Args args) { return Value(std::fabs(args[0].value.as_number())); }
Result<Value> fn_ceil(CallContext&, Args args) { return Value(std::ceil(args[0].value.as_number())); }
Result<Value> fn_floor(CallContext&, Args args) { return Value(std::floor(args[0].value.as_number())); }

Result<Value> fn_avg(CallContext&, Args args) {
  const auto& items = args[0].value.as_array();
  if (items.empty()) return Value();
  double total = 0;
  for (const auto& item : items) total += item.as_number();
  return Value(total / static_cast<double>(items.size()));
}

Result<Value> fn_sum(CallContext&, Args args) {
  double total = 0;
  for (const auto& item : args[0].value.as_array()) total += item.as_number();
  return Value(total);
}

Result<Value> fn_contains(CallContext& context, Args args) {
  const Value& subject = args[0].value;
  const Value& search = args[1].value;
  if (subject.is_string()) {
    return Value(search.is_string() && subject.as_string().find(search.as_string()) != std::string::npos);
  }
  for (const auto& item : subject.as_array()) {
    auto same = equal(context, item, search);
    if (!same) return same.error();
    if (*same) return Value(true);
  }
  return Value(false);
}

Result<Value> fn_ends_with(CallContext&, Args args) {
  return Value(std::string_view(args[0].value.as_string()).ends_with(args[1].value.as_string()));
}

Result<Value> fn_starts_with(CallContext&, Args args) {
  return Value(std::string_view(args[0].value.as_string()).starts_with(args[1].value.as_string()));
}

Result<Value> fn_join(CallContext&, Args args) {
  const std::string& glue = args[0].value.as_string();
  std::string out;
  bool first = true;
  for (const auto& item : args[1].value.as_array()) {
    if (!first) out += glue;
    first = false;
    out += item.as_string();
    if (out.size() > kMaxStringBytes) return invalid_value("join", "the result is too long");
  }
  return Value(std::move(out));
}

Result<Value> fn_keys(CallContext&, Args args) {
  json::Array out;
  for (const auto& member : args[0].value.as_object()) out.emplace_back(member.first);
  return Value(std::move(out));
}

Result<Value> fn_values(CallContext&, Args args) {
  json::Array out;
  for (const auto& member : args[0].value.as_object()) out.push_back(member.second);
  return Value(std::move(out));
}

Result<Value> fn_length(CallContext&, Args args) {
  const Value& value = args[0].value;
  if (value.is_string()) return Value(static_cast<double>(code_points(value.as_string())));
  if (value.is_array()) return Value(static_cast<double>(value.as_array().size()));
  return Value(static_cast<double>(value.as_object().size()));
}

Result<Value> fn_map(CallContext& context, Args args) {
  json::Array out;
  for (const auto& item : args[1].value.as_array()) {
    auto value = context.apply(*args[0].expref, item);
    if (!value) return value;
    out.push_back(std::move(*value));
  }
  return Value(std::move(out));
}

// Numbers compare by value, strings by code point (UTF-8 byte order is code point order).
bool less(const Value& a, const Value& b) {
  if (a.is_number()) return a.as_number() < b.as_number();
  return a.as_string() < b.as_string();
}

Result<Value> extreme(Args args, bool want_max) {
  const auto& items = args[0].value.as_array();
  if (items.empty()) return Value();
  const Value* best = &items[0];
  for (const auto& item : items) {
    if (want_max ? less(*best, item) : less(item, *best)) best = &item;
  }
  return *best;
}

Result<Value> fn_max(CallContext&, Args args) { return extreme(args, true); }
Result<Value> fn_min(CallContext&, Args args) { return extreme(args, false); }

// The keys an &expression gives each element: all numbers or all strings.
Result<std::vector<Value>> sort_keys(CallContext& context, std::string_view function, Args args) {
  std::vector<Value> keys;
  const auto& items = args[0].value.as_array();
  keys.reserve(items.size());
  for (const auto& item : items) {
    auto key = context.apply(*args[1].expref, item);
    if (!key) return key.error();
    if (!key->is_number() && !key->is_string()) {
      return invalid_type(function,
                          std::string("the expression must give numbers or strings, got ") + to_string(key->type()));
    }
    if (!keys.empty() && keys.front().type() != key->type()) {
      return invalid_type(function, "the expression gives both numbers and strings");
    }
    keys.push_back(std::move(*key));
  }
  return keys;
}

Result<Value> extreme_by(CallContext& context, Args args, std::string_view function, bool want_max) {
  auto keys = sort_keys(context, function, args);
  if (!keys) return keys.error();
  const auto& items = args[0].value.as_array();
  if (items.empty()) return Value();
  std::size_t best = 0;
  for (std::size_t i = 1; i < items.size(); ++i) {
    if (want_max ? less((*keys)[best], (*keys)[i]) : less((*keys)[i], (*keys)[best])) best = i;
  }
  return items[best];
}

Result<Value> fn_max_by(CallContext& context, Args args) { return extreme_by(context, args, "max_by", true); }
Result<Value> fn_min_by(CallContext& context, Args args) { return extreme_by(context, args, "min_by", false); }

Result<Value> fn_sort(CallContext&, Args args) {
  json::Array out = args[0].value.as_array();
  std::stable_sort(out.begin(), out.end(), less);
  return Value(std::move(out));
}

Result<Value> fn_sort_by(CallContext& context, Args args) {
  auto keys = sort_keys(context, "sort_by", args);
  if (!keys) return keys.error();
  const auto& items = args[0].value.as_array();
  std::vector<std::size_t> order(items.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return less((*keys)[a], (*keys)[b]); });
  json::Array out;
  out.reserve(items.size());
  for (const std::size_t i : order) out.push_back(items[i]);
  return Value(std::move(out));
}

Result<Value> fn_merge(CallContext&, Args args) {
  json::Object out;
  for (const auto& arg : args) {
    for (const auto& member : arg.value.as_object()) {
      auto same = std::find_if(out.begin(), out.end(), [&](const json::Member& m) { return m.first == member.first; });
      if (same != out.end()) {
        same->second = member.second;
      } else {
        out.push_back(member);
      }
    }
  }
  return Value(std::move(out));
}

Result<Value> fn_not_null(CallContext&, Args args) {
  for (const auto& arg : args) {
    if (!arg.value.is_null()) return arg.value;
  }
  return Value();
}

Result<Value> fn_reverse(CallContext&, Args args) {
  const Value& value = args[0].value;
  if (value.is_array()) {
    json::Array out(value.as_array().rbegin(), value.as_array().rend());
    return Value(std::move(out));
  }
  // Reverse code points, keeping each one's UTF-8 bytes in order.
  const std::string& text = value.as_string();
  std::string out;
  out.reserve(text.size());
  std::size_t end = text.size();
  while (end > 0) {
    std::size_t start = end - 1;
    while (start > 0 && (static_cast<unsigned char>(text[start]) & 0xC0) == 0x80) --start;
    out.append(text, start, end - start);
    end = start;
  }
  return Value(std::move(out));
}

Result<Value> fn_to_array(CallContext&, Args args) {
  if (args[0].value.is_array()) return args[0].value;
  return Value(json::Array{args[0].value});
}

Result<Value> fn_to_string(CallContext& context, Args args) {
  if (args[0].value.is_string()) return args[0].value;
  auto text = to_text(context, args[0].value);
  if (!text) return text.error();
  return Value(std::move(*text));
}

Result<Value> fn_to_number(CallContext&, Args args) {
  const Value& value = args[0].value;
  if (value.is_number()) return value;
  if (!value.is_string()) return Value();
  const std::string& text = value.as_string();
  double number = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || !std::isfinite(number)) {
    return Value();
  }
  return Value(number);
}

Result<Value> fn_type(CallContext&, Args args) { return Value(to_string(args[0].value.type())); }

}  // namespace

Error invalid_type(std::string_view function, std::string_view what) {
  return Error::invalid("invalid-type: " + std::string(function) + "(): " + std::string(what));
}

Error invalid_value(std::string_view function, std::string_view what) {
  return Error::invalid("invalid-value: " + std::string(function) + "(): " + std::string(what));
}

std::string type_names(unsigned mask) {
  static const std::pair<unsigned, const char*> kNames[] = {{kNull, "null"},
                                                            {kBoolean, "boolean"},
                                                            {kNumber, "number"},
                                                            {kString, "string"},
                                                            {kArray, "array"},
                                                            {kObject, "object"},
                                                            {kExpref, "expref"},
                                                            {kArrayNumber, "array[number]"},
                                                            {kArrayString, "array[string]"}};
  if ((mask & kAny) == kAny) return (mask & kExpref) != 0 ? "any|expref" : "any";
  std::string out;
  for (const auto& [bit, name] : kNames) {
    if ((mask & bit) == 0) continue;
    if (!out.empty()) out += "|";
    out += name;
  }
  return out;
}

std::string describe(const Function& function) {
  std::string out = std::string(function.name) + "(";
  for (std::size_t i = 0; i < function.parameters.size(); ++i) {
    if (i > 0) out += ", ";
    out += type_names(function.parameters[i]);
    if (function.variadic && i + 1 == function.parameters.size()) out += "...";
  }
  out += ") " + std::string(function.returns);
  if (!function.note.empty()) out += " (" + std::string(function.note) + ")";
  return out;
}

Result<void> check_arity(const Function& function, std::size_t count) {
  const std::size_t wanted = function.parameters.size();
  if (function.variadic ? count >= wanted : count == wanted) return success();
  return Error::invalid("invalid-arity: " + std::string(function.name) + "() takes " +
                        (function.variadic ? "at least " : "") + std::to_string(wanted) + " argument" +
                        (wanted == 1 ? "" : "s") + ", got " + std::to_string(count));
}

Result<void> check_arguments(const Function& function, std::span<const Argument> args) {
  if (auto ok = check_arity(function, args.size()); !ok) return ok;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const unsigned mask = function.parameters[std::min(i, function.parameters.size() - 1)];
    if (!matches(mask, args[i])) {
      return invalid_type(function.name, "argument " + std::to_string(i + 1) + " must be " + type_names(mask) +
                                             ", got " + type_of(args[i]));
    }
  }
  return success();
}

std::span<const Function> standard_functions() {
  static const std::vector<Function> kFunctions = {
      {"abs", {kNumber}, false, fn_abs, "number", ""},
      {"avg", {kArrayNumber}, false, fn_avg, "number", ""},
      {"ceil", {kNumber}, false, fn_ceil, "number", ""},
      {"contains", {kArray | kString, kAny}, false, fn_contains, "boolean", ""},
      {"ends_with", {kString, kString}, false, fn_ends_with, "boolean", ""},
      {"floor", {kNumber}, false, fn_floor, "number", ""},
      {"join", {kString, kArrayString}, false, fn_join, "string", ""},
      {"keys", {kObject}, false, fn_keys, "array", ""},
      {"length", {kString | kArray | kObject}, false, fn_length, "number", ""},
      {"map", {kExpref, kArray}, false, fn_map, "array", ""},
      {"max", {kArrayNumber | kArrayString}, false, fn_max, "number|string", ""},
      {"max_by", {kArray, kExpref}, false, fn_max_by, "any", ""},
      {"merge", {kObject}, true, fn_merge, "object", ""},
      {"min", {kArrayNumber | kArrayString}, false, fn_min, "number|string", ""},
      {"min_by", {kArray, kExpref}, false, fn_min_by, "any", ""},
      {"not_null", {kAny}, true, fn_not_null, "any", ""},
      {"reverse", {kString | kArray}, false, fn_reverse, "string|array", ""},
      {"sort", {kArrayNumber | kArrayString}, false, fn_sort, "array", ""},
      {"sort_by", {kArray, kExpref}, false, fn_sort_by, "array", ""},
      {"starts_with", {kString, kString}, false, fn_starts_with, "boolean", ""},
      {"sum", {kArrayNumber}, false, fn_sum, "number", ""},
      {"to_array", {kAny}, false, fn_to_array, "array", ""},
      {"to_number", {kAny}, false, fn_to_number, "number", ""},
      {"to_string", {kAny}, false, fn_to_string, "string", ""},
      {"type", {kAny}, false, fn_type, "string", ""},
      {"values", {kObject}, false, fn_values, "array", ""},
  };
  return kFunctions;
}

const Function* find_function(std::string_view name) {
  for (auto table : {kyverno_functions(), kyverno_time_functions(), standard_functions()}) {
    for (const auto& function : table) {
      if (function.name == name) return &function;
    }
  }
  return nullptr;
}

}  // namespace signet::policy::jmespath
