// Reading and writing the Kubernetes objects signet handles as RapidJSON values: a member or a string
// field that may be absent, and an object written back as compact JSON.
#pragma once

#include <string>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace signet::server::kube {

// The member `name` of `object`, or null when `object` is not an object or has none.
inline const rapidjson::Value* member(const rapidjson::Value& object, const char* name) {
  if (!object.IsObject()) return nullptr;
  const auto it = object.FindMember(name);
  return it == object.MemberEnd() ? nullptr : &it->value;
}

// The string member `name` of `object`, or "" when it is absent or not a string.
inline std::string string_at(const rapidjson::Value& object, const char* name) {
  const rapidjson::Value* value = member(object, name);
  return value != nullptr && value->IsString() ? std::string(value->GetString(), value->GetStringLength()) : "";
}

inline std::string to_json(const rapidjson::Value& value) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  value.Accept(writer);
  return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace signet::server::kube
