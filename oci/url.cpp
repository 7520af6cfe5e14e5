#include "oci/url.hpp"

#include <algorithm>
#include <cctype>

namespace signet::oci {
namespace {

bool is_unreserved(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_' || c == '~';
}

// Characters that may appear in a request target as sent; anything else (spaces, controls, non-ASCII) is
// refused so a hostile Location cannot inject into the request line.
bool is_target_char(char c) { return c > 0x20 && c < 0x7f && c != '#'; }

bool valid_host(std::string_view host) {
  if (host.empty()) return false;
  if (host.front() == '[') {
    return host.size() > 2 && host.back() == ']' && std::all_of(host.begin() + 1, host.end() - 1, [](char c) {
             return std::isxdigit(static_cast<unsigned char>(c)) || c == ':' || c == '.';
           });
  }
  return std::all_of(host.begin(), host.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
  });
}

}  // namespace

std::string Url::authority() const { return port.empty() ? host : host + ":" + port; }

std::string Url::bare_host() const {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') return host.substr(1, host.size() - 2);
  return host;
}

std::string Url::effective_port() const { return !port.empty() ? port : scheme == "https" ? "443" : "80"; }

std::string Url::str() const { return scheme + "://" + authority() + target; }

Result<Url> parse_url(std::string_view text) {
  const auto bad = [&](std::string_view why) {
    return Error::invalid("invalid URL \"" + std::string(text.substr(0, 200)) + "\": " + std::string(why));
  };
  Url url;
  const std::size_t scheme_end = text.find("://");
  if (scheme_end == std::string_view::npos) return bad("not absolute");
  std::string scheme(text.substr(0, scheme_end));
  std::transform(scheme.begin(), scheme.end(), scheme.begin(), [](unsigned char c) { return std::tolower(c); });
  if (scheme != "http" && scheme != "https") return bad("only http and https are supported");
  url.scheme = std::move(scheme);
  std::string_view rest = text.substr(scheme_end + 3);
  const std::size_t authority_end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, authority_end);
  rest = authority_end == std::string_view::npos ? std::string_view() : rest.substr(authority_end);
  if (authority.find('@') != std::string_view::npos) return bad("user information in URLs is not accepted");
  std::string_view host = authority;
  if (authority.starts_with('[')) {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return bad("unclosed '['");
    host = authority.substr(0, close + 1);
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return bad("unexpected characters after the host");
      url.port = std::string(after.substr(1));
    }
  } else if (const std::size_t colon = authority.find(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    url.port = std::string(authority.substr(colon + 1));
  }
  if (!valid_host(host)) return bad("invalid host");
  if (!url.port.empty() &&
      (url.port.size() > 5 ||
       !std::all_of(url.port.begin(), url.port.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
       std::stoul(url.port) > 65535)) {
    return bad("invalid port");
  }
  url.host = std::string(host);
  if (const std::size_t fragment = rest.find('#'); fragment != std::string_view::npos) rest = rest.substr(0, fragment);
  if (!std::all_of(rest.begin(), rest.end(), is_target_char)) return bad("characters not allowed in a URL");
  url.target = rest.empty() ? "/" : rest.starts_with('?') ? "/" + std::string(rest) : std::string(rest);
  return url;
}

Result<Url> resolve_url(const Url& base, std::string_view location) {
  if (location.find("://") != std::string_view::npos) return parse_url(location);
  if (location.starts_with("//")) return parse_url(base.scheme + ":" + std::string(location));
  if (const std::size_t fragment = location.find('#'); fragment != std::string_view::npos)
    location = location.substr(0, fragment);
  if (location.empty()) return Error::invalid("empty redirect location");
  if (!std::all_of(location.begin(), location.end(), is_target_char)) {
    return Error::invalid("redirect location holds characters not allowed in a URL");
  }
  Url url = base;
  if (location.starts_with('/')) {
    url.target = std::string(location);
  } else {
    std::string path = base.target.substr(0, base.target.find('?'));
    url.target = path.substr(0, path.rfind('/') + 1) + std::string(location);
  }
  return url;
}

std::string ascii_lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string url_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char c : text) {
    if (is_unreserved(c)) {
      out += c;
    } else {
      const auto byte = static_cast<unsigned char>(c);
      out += '%';
      out += kHex[byte >> 4];
      out += kHex[byte & 0xf];
    }
  }
  return out;
}

}  // namespace signet::oci
