#include "policy/jmespath/json_value.hpp"
#include "policy/jmespath/json_rapidjson.hpp"

#include <algorithm>
#include <cmath>

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "crypto/json_numbers.hpp"

namespace signet::policy::json {
namespace {

Result<Value> convert(const rapidjson::Value& in, std::size_t depth, std::size_t max_depth) {
  if (depth > max_depth) return Error::invalid("JSON nested deeper than " + std::to_string(max_depth) + " levels");
  switch (in.GetType()) {
    case rapidjson::kNullType:
      return Value();
    case rapidjson::kFalseType:
      return Value(false);
    case rapidjson::kTrueType:
      return Value(true);
    case rapidjson::kNumberType:
      return Value(in.GetDouble());
    case rapidjson::kStringType:
      return Value(std::string(in.GetString(), in.GetStringLength()));
    case rapidjson::kArrayType: {
      Array out;
      out.reserve(in.Size());
      for (const auto& item : in.GetArray()) {
        auto value = convert(item, depth + 1, max_depth);
        if (!value) return value.error();
        out.push_back(std::move(*value));
      }
      return Value(std::move(out));
    }
    case rapidjson::kObjectType: {
      Object out;
      out.reserve(in.MemberCount());
      for (const auto& member : in.GetObject()) {
        auto value = convert(member.value, depth + 1, max_depth);
        if (!value) return value.error();
        std::string key(member.name.GetString(), member.name.GetStringLength());
        // A repeated key: the last one wins, as in Go's encoding/json.
        auto same = std::find_if(out.begin(), out.end(), [&](const Member& m) { return m.first == key; });
        if (same != out.end()) {
          same->second = std::move(*value);
        } else {
          out.emplace_back(std::move(key), std::move(*value));
        }
      }
      return Value(std::move(out));
    }
  }
  return Error::invalid("unknown JSON value type");
}

void write(rapidjson::Writer<rapidjson::StringBuffer>& out, const Value& value) {
  switch (value.type()) {
    case Type::Null:
      out.Null();
      break;
    case Type::Boolean:
      out.Bool(value.as_bool());
      break;
    case Type::Number: {
      const double d = value.as_number();
      if (std::isfinite(d) && d == std::trunc(d) && std::fabs(d) < 9007199254740992.0) {
        out.Int64(static_cast<int64_t>(d));
      } else if (std::isfinite(d)) {
        out.Double(d);
      } else {
        out.Null();  // JSON has no NaN or infinity
      }
      break;
    }
    case Type::String:
      out.String(value.as_string().data(), static_cast<rapidjson::SizeType>(value.as_string().size()));
      break;
    case Type::Array:
      out.StartArray();
      for (const auto& item : value.as_array()) write(out, item);
      out.EndArray();
      break;
    case Type::Object:
      out.StartObject();
      for (const auto& [key, member] : value.as_object()) {
        out.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
        write(out, member);
      }
      out.EndObject();
      break;
  }
}

}  // namespace

const char* to_string(Type type) {
  switch (type) {
    case Type::Null:
      return "null";
    case Type::Boolean:
      return "boolean";
    case Type::Number:
      return "number";
    case Type::String:
      return "string";
    case Type::Array:
      return "array";
    case Type::Object:
      return "object";
  }
  return "?";
}

const Value* Value::find(std::string_view key) const {
  if (!is_object()) return nullptr;
  for (const auto& [name, value] : as_object()) {
    if (name == key) return &value;
  }
  return nullptr;
}

bool Value::truthy() const {
  switch (type()) {
    case Type::Null:
      return false;
    case Type::Boolean:
      return as_bool();
    case Type::Number:
      return true;
    case Type::String:
      return !as_string().empty();
    case Type::Array:
      return !as_array().empty();
    case Type::Object:
      return !as_object().empty();
  }
  return false;
}

bool Value::operator==(const Value& other) const {
  if (type() != other.type()) return false;
  switch (type()) {
    case Type::Null:
      return true;
    case Type::Boolean:
      return as_bool() == other.as_bool();
    case Type::Number:
      return as_number() == other.as_number();
    case Type::String:
      return as_string() == other.as_string();
    case Type::Array:
      return as_array() == other.as_array();
    case Type::Object: {
      const Object& a = as_object();
      const Object& b = other.as_object();
      if (a.size() != b.size()) return false;
      return std::all_of(a.begin(), a.end(), [&](const Member& m) {
        const Value* found = other.find(m.first);
        return found != nullptr && *found == m.second;
      });
    }
  }
  return false;
}

Result<Value> parse(std::string_view text, std::size_t max_depth) {
  if (auto numbers = crypto::check_json_numbers(text); !numbers) return numbers.error().context("invalid JSON");
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseIterativeFlag | rapidjson::kParseFullPrecisionFlag |
            rapidjson::kParseValidateEncodingFlag>(text.data(), text.size());
  if (doc.HasParseError()) {
    return Error::invalid(std::string("invalid JSON: ") + rapidjson::GetParseError_En(doc.GetParseError()) +
                          " at offset " + std::to_string(doc.GetErrorOffset()));
  }
  return convert(doc, 0, max_depth);
}

Result<Value> from_rapidjson(const rapidjson::Value& value, std::size_t max_depth) {
  return convert(value, 0, max_depth);
}

std::string to_json(const Value& value) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  write(writer, value);
  return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace signet::policy::json
