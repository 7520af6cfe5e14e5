#include "crypto/encoding.hpp"

#include <cstdint>
#include <cstdio>

namespace signet::crypto {
namespace {

constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int sextet(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool is_line_break(char c) { return c == '\r' || c == '\n'; }

// A character as a person can read it in a message, even when it is a control byte.
std::string describe(char c) {
  auto byte = static_cast<unsigned char>(c);
  if (byte >= 0x21 && byte < 0x7f) return std::string("'") + c + "'";
  if (c == ' ') return "a space";
  if (c == '\t') return "a tab";
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "byte 0x%02x", byte);
  return buffer;
}

Error bad_base64(std::string what) { return Error::invalid("invalid base64: " + std::move(what)); }

}  // namespace

Result<std::string> base64_decode(std::string_view text) {
  std::size_t begin = 0;
  std::size_t end = text.size();
  while (begin < end && is_space(text[begin])) ++begin;
  while (end > begin && is_space(text[end - 1])) --end;

  std::string out;
  out.reserve((end - begin) / 4 * 3 + 3);
  std::uint32_t bits = 0;
  int count = 0;    // sextets in the current 4-character group
  int padding = 0;  // '=' seen so far; once non-zero only more '=' (and line breaks) may follow
  for (std::size_t i = begin; i < end; ++i) {
    const char c = text[i];
    if (is_line_break(c)) continue;
    if (padding > 0) {
      if (c == '=' && padding == 1 && count == 2) {
        padding = 2;
        continue;
      }
      return bad_base64("unexpected " + describe(c) + " at offset " + std::to_string(i) + " after the '=' padding");
    }
    if (c == '=') {
      if (count < 2) {
        return bad_base64("'=' at offset " + std::to_string(i) +
                          " where data is expected (padding may only end the value)");
      }
      padding = 1;
      continue;
    }
    const int value = sextet(c);
    if (value < 0) {
      return bad_base64("unexpected " + describe(c) + " at offset " + std::to_string(i));
    }
    bits = (bits << 6) | static_cast<std::uint32_t>(value);
    if (++count == 4) {
      out += static_cast<char>((bits >> 16) & 0xff);
      out += static_cast<char>((bits >> 8) & 0xff);
      out += static_cast<char>(bits & 0xff);
      bits = 0;
      count = 0;
    }
  }

  if (padding == 0 && count != 0) {
    return bad_base64("the value ends in the middle of a 4-character group (missing '=' padding?)");
  }
  if (padding > 0 && count + padding != 4) {
    return bad_base64("the value ends with incomplete padding (expected '==')");
  }
  // Like Go's StdEncoding (what cosign uses), unused low bits of the last group are not checked.
  if (count == 2) {
    out += static_cast<char>((bits >> 4) & 0xff);
  } else if (count == 3) {
    out += static_cast<char>((bits >> 10) & 0xff);
    out += static_cast<char>((bits >> 2) & 0xff);
  }
  return out;
}

std::string base64_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const std::uint32_t group = (static_cast<unsigned char>(bytes[i]) << 16) |
                                (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                                static_cast<unsigned char>(bytes[i + 2]);
    out += kAlphabet[(group >> 18) & 63];
    out += kAlphabet[(group >> 12) & 63];
    out += kAlphabet[(group >> 6) & 63];
    out += kAlphabet[group & 63];
  }
  const std::size_t rest = bytes.size() - i;
  if (rest == 1) {
    const std::uint32_t group = static_cast<unsigned char>(bytes[i]) << 16;
    out += kAlphabet[(group >> 18) & 63];
    out += kAlphabet[(group >> 12) & 63];
    out += "==";
  } else if (rest == 2) {
    const std::uint32_t group =
        (static_cast<unsigned char>(bytes[i]) << 16) | (static_cast<unsigned char>(bytes[i + 1]) << 8);
    out += kAlphabet[(group >> 18) & 63];
    out += kAlphabet[(group >> 12) & 63];
    out += kAlphabet[(group >> 6) & 63];
    out += '=';
  }
  return out;
}

std::string hex_encode(std::string_view bytes) {
  constexpr std::string_view kDigits = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (char c : bytes) {
    const auto byte = static_cast<unsigned char>(c);
    out += kDigits[byte >> 4];
    out += kDigits[byte & 0x0f];
  }
  return out;
}

Result<std::string> hex_decode(std::string_view hex) {
  if (hex.size() % 2 != 0) return Error::invalid("has an odd number of hex digits");
  auto digit = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  out.reserve(hex.size() / 2);
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    int high = digit(hex[i]), low = digit(hex[i + 1]);
    if (high < 0 || low < 0) {
      return Error::invalid("is not hex (at character " + std::to_string(high < 0 ? i + 1 : i + 2) + ")");
    }
    out.push_back(static_cast<char>(high * 16 + low));
  }
  return out;
}

Result<std::string> base64_decode_any(std::string_view text) {
  std::string standard(text);
  for (char& c : standard) {
    if (c == '-') c = '+';
    if (c == '_') c = '/';
  }
  while (standard.size() % 4 != 0) standard += '=';
  return base64_decode(standard);
}

}  // namespace signet::crypto
