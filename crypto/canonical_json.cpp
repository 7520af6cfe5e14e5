#include "crypto/canonical_json.hpp"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include <algorithm>
#include <cstdio>
#include <vector>

namespace signet::crypto {
namespace {

// RFC 8785 §3.2.3 orders members by the UTF-16 code units of their names, not by code points: a name
// beyond U+FFFF (a surrogate pair, 0xD800…) sorts before one in U+E000…U+FFFF.
std::u16string utf16_of(std::string_view utf8) {
  std::u16string out;
  out.reserve(utf8.size());
  for (std::size_t i = 0; i < utf8.size();) {
    const auto lead = static_cast<unsigned char>(utf8[i]);
    std::size_t length = 1;
    char32_t code = lead;
    if (lead >= 0xF0) {
      length = 4;
      code = lead & 0x07;
    } else if (lead >= 0xE0) {
      length = 3;
      code = lead & 0x0F;
    } else if (lead >= 0xC0) {
      length = 2;
      code = lead & 0x1F;
    }
    // The parser validated the encoding, so every continuation byte is there.
    for (std::size_t k = 1; k < length && i + k < utf8.size(); ++k) {
      code = (code << 6) | (static_cast<unsigned char>(utf8[i + k]) & 0x3F);
    }
    if (code >= 0x10000) {
      code -= 0x10000;
      out.push_back(static_cast<char16_t>(0xD800 + (code >> 10)));
      out.push_back(static_cast<char16_t>(0xDC00 + (code & 0x3FF)));
    } else {
      out.push_back(static_cast<char16_t>(code));
    }
    i += length;
  }
  return out;
}

// RapidJSON decodes an unpaired \uD800–\uDFFF escape into the three bytes ED A0–BF xx, which are not
// UTF-8: written out they would be JSON no parser (signet's included) reads back. I-JSON (RFC 7493 §2.1),
// which RFC 8785 requires, forbids them; Rekor's Go canonicaliser would have replaced them.
bool has_unpaired_surrogate(std::string_view text) {
  for (std::size_t i = 0; i + 1 < text.size(); ++i) {
    if (static_cast<unsigned char>(text[i]) == 0xED && static_cast<unsigned char>(text[i + 1]) >= 0xA0) return true;
  }
  return false;
}

Result<void> check_string(std::string_view text, const std::string& path, std::string_view what) {
  if (!has_unpaired_surrogate(text)) return success();
  return Error::invalid("canonical JSON: the " + std::string(what) + " at " + path +
                        " holds an unpaired UTF-16 surrogate escape (\\uD800 to \\uDFFF), which I-JSON forbids");
}

// JSON.stringify's escapes (RFC 8785 §3.2.2.2): the two-character forms where ECMAScript has them,
// \u00xx for the other control characters, everything else as UTF-8.
void write_string(std::string_view text, std::string& out) {
  out += '"';
  for (char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buffer[8];
          std::snprintf(buffer, sizeof buffer, "\\u%04x", static_cast<unsigned char>(c));
          out += buffer;
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

// Deeper than any document sigstore signs; the limit keeps the recursion off the end of the stack.
constexpr int kMaxCanonicalDepth = 512;

// `path` names the value for messages ("$.spec[2]"); each level appends its part and takes it back.
Result<void> write_value(const rapidjson::Value& value, std::string& path, int depth, std::string& out) {
  if (depth > kMaxCanonicalDepth) {
    return Error::invalid("canonical JSON: " + path + " is nested deeper than " + std::to_string(kMaxCanonicalDepth) +
                          " levels");
  }
  switch (value.GetType()) {
    case rapidjson::kNullType:
      out += "null";
      return success();
    case rapidjson::kFalseType:
      out += "false";
      return success();
    case rapidjson::kTrueType:
      out += "true";
      return success();
    case rapidjson::kStringType: {
      const std::string_view text(value.GetString(), value.GetStringLength());
      if (auto valid = check_string(text, path, "string"); !valid) return valid;
      write_string(text, out);
      return success();
    }
    case rapidjson::kNumberType:
      if (value.IsUint64()) {
        out += std::to_string(value.GetUint64());
      } else if (value.IsInt64()) {
        out += std::to_string(value.GetInt64());
      } else {
        return Error::invalid("canonical JSON: the number at " + path +
                              " has a fraction, an exponent or is too large (only integers are canonicalized)");
      }
      return success();
    case rapidjson::kArrayType: {
      out += '[';
      for (rapidjson::SizeType i = 0; i < value.Size(); ++i) {
        if (i > 0) out += ',';
        const std::size_t mark = path.size();
        path += "[" + std::to_string(i) + "]";
        auto written = write_value(value[i], path, depth + 1, out);
        if (!written) return written;
        path.resize(mark);
      }
      out += ']';
      return success();
    }
    case rapidjson::kObjectType: {
      struct Member {
        std::u16string key;
        const rapidjson::Value* name;
        const rapidjson::Value* value;
      };
      std::vector<Member> members;
      members.reserve(value.MemberCount());
      for (auto it = value.MemberBegin(); it != value.MemberEnd(); ++it) {
        members.push_back({utf16_of({it->name.GetString(), it->name.GetStringLength()}), &it->name, &it->value});
      }
      std::sort(members.begin(), members.end(), [](const Member& a, const Member& b) { return a.key < b.key; });
      out += '{';
      for (std::size_t i = 0; i < members.size(); ++i) {
        const std::string_view name(members[i].name->GetString(), members[i].name->GetStringLength());
        // I-JSON (RFC 7493), which RFC 8785 requires: a name twice has no canonical form.
        if (i > 0 && members[i].key == members[i - 1].key) {
          return Error::invalid("canonical JSON: the object at " + path + " has the member \"" + std::string(name) +
                                "\" twice");
        }
        if (auto valid = check_string(name, path, "member name"); !valid) return valid;
        if (i > 0) out += ',';
        write_string(name, out);
        out += ':';
        const std::size_t mark = path.size();
        path += '.';
        path += name;
        auto written = write_value(*members[i].value, path, depth + 1, out);
        if (!written) return written;
        path.resize(mark);
      }
      out += '}';
      return success();
    }
  }
  return success();
}

}  // namespace

Result<std::string> canonical_json(std::string_view json) {
  rapidjson::Document doc;
  // Iterative: a deeply nested input costs heap, not the stack. Not kParseFullPrecisionFlag: integers are
  // read exactly without it, other numbers are refused, and RapidJSON 1.1's full-precision reader crashes
  // on some tiny numbers (crypto/json_numbers.hpp).
  doc.Parse<rapidjson::kParseIterativeFlag | rapidjson::kParseValidateEncodingFlag>(json.data(), json.size());
  if (doc.HasParseError()) {
    return Error::invalid(std::string("canonical JSON: the input is not valid JSON: ") +
                          rapidjson::GetParseError_En(doc.GetParseError()) + " at offset " +
                          std::to_string(doc.GetErrorOffset()));
  }
  std::string out;
  out.reserve(json.size());
  std::string path = "$";
  auto written = write_value(doc, path, 0, out);
  if (!written) return written.error();
  return out;
}

}  // namespace signet::crypto
