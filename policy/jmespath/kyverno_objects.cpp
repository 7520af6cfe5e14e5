// Kyverno's object functions (pkg/engine/jmespath/functions.go): looking up, listing and building
// objects and arrays.
#include "policy/jmespath/kyverno_functions.hpp"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "policy/jmespath/kyverno_support.hpp"

namespace signet::policy::jmespath {
namespace {

Result<Value> fn_lookup(CallContext&, Args args) {
  const Value& collection = args[0].value;
  if (collection.is_object()) {
    if (!args[1].value.is_string()) return invalid_type("lookup", "argument 2 must be a string for an object");
    const Value* found = collection.find(args[1].value.as_string());
    return found != nullptr ? *found : Value();
  }
  if (!args[1].value.is_number()) return invalid_type("lookup", "argument 2 must be a number for an array");
  const double index = args[1].value.as_number();
  if (index != std::trunc(index) || !std::isfinite(index)) {
    return invalid_value("lookup", "argument 2: expected an integer number but got " + json::to_json(args[1].value));
  }
  if (index < 0 || index >= static_cast<double>(collection.as_array().size())) return Value();
  return collection.as_array()[static_cast<std::size_t>(index)];
}

Result<Value> fn_items(CallContext&, Args args) {
  const std::string& key_name = str(args[1]);
  const std::string& value_name = str(args[2]);
  auto item = [&](Value key, Value value) {
    json::Object pair;
    pair.emplace_back(key_name, std::move(key));
    if (value_name != key_name) {
      pair.emplace_back(value_name, std::move(value));
    } else {
      pair[0].second = std::move(value);
    }
    return Value(std::move(pair));
  };
  json::Array out;
  if (args[0].value.is_object()) {
    std::vector<const json::Member*> members;
    for (const auto& member : args[0].value.as_object()) members.push_back(&member);
    std::sort(members.begin(), members.end(),
              [](const json::Member* a, const json::Member* b) { return a->first < b->first; });
    for (const auto* member : members) out.push_back(item(Value(member->first), member->second));
  } else {
    const auto& items = args[0].value.as_array();
    for (std::size_t i = 0; i < items.size(); ++i) out.push_back(item(Value(static_cast<double>(i)), items[i]));
  }
  return Value(std::move(out));
}

Result<Value> fn_object_from_lists(CallContext&, Args args) {
  const auto& keys = args[0].value.as_array();
  const auto& values = args[1].value.as_array();
  json::Object out;
  for (std::size_t i = 0; i < keys.size(); ++i) {
    std::string key;
    if (keys[i].is_string()) {
      key = keys[i].as_string();
    } else if (keys[i].is_number()) {
      key = number_text(keys[i].as_number());
    } else if (keys[i].is_bool()) {
      key = keys[i].as_bool() ? "true" : "false";
    } else {
      return invalid_type("object_from_lists", "argument 1 must be an array of strings");
    }
    Value value = i < values.size() ? values[i] : Value();
    auto same = std::find_if(out.begin(), out.end(), [&](const json::Member& m) { return m.first == key; });
    if (same != out.end()) {
      same->second = std::move(value);
    } else {
      out.emplace_back(std::move(key), std::move(value));
    }
  }
  return Value(std::move(out));
}

}  // namespace

std::span<const Function> kyverno_object_functions() {
  static const std::vector<Function> kFunctions = {
      {"lookup",
       {kObject | kArray, kString | kNumber},
       false,
       fn_lookup,
       "any",
       "returns the value corresponding to the given key/index in the given object/array"},
      {"items",
       {kObject | kArray, kString, kString},
       false,
       fn_items,
       "array",
       "converts a map or array to an array of objects where each key:value is an item in the array"},
      {"object_from_lists",
       {kArray, kArray},
       false,
       fn_object_from_lists,
       "object",
       "converts a pair of lists containing keys and values to an object"},
  };
  return kFunctions;
}

}  // namespace signet::policy::jmespath
