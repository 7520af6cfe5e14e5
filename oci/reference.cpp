// Image references, following distribution/reference: the grammar of its regexp.go, the Docker Hub
// normalisation of its normalize.go (ParseNormalizedNamed) and go-digest's validation of digests.
#include "oci/reference.hpp"
#include "oci/url.hpp"

#include <algorithm>
#include <array>
#include <charconv>

namespace signet::oci {
namespace {

constexpr std::string_view kDockerHub = "docker.io";
constexpr std::string_view kLegacyDockerHub = "index.docker.io";
constexpr std::string_view kDockerHubApi = "registry-1.docker.io";
constexpr std::string_view kOfficialPrefix = "library/";
constexpr std::size_t kMaxRepositoryLength = 255;
constexpr std::size_t kMaxTagLength = 128;

bool is_lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool is_alnum(char c) { return is_lower_alnum(c) || (c >= 'A' && c <= 'Z'); }
bool is_word(char c) { return is_alnum(c) || c == '_'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
bool is_lower_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f'); }
bool has_upper(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

std::string in_quotes(std::string_view s) { return "\"" + std::string(s) + "\""; }

// path-component := [a-z0-9]+ (separator [a-z0-9]+)*, separator := "." | "_" | "__" | "-"+
bool valid_path_component(std::string_view c) {
  std::size_t i = 0;
  auto alnum_run = [&] {
    const std::size_t start = i;
    while (i < c.size() && is_lower_alnum(c[i])) ++i;
    return i > start;
  };
  if (!alnum_run()) return false;
  while (i < c.size()) {
    if (c[i] == '.') {
      ++i;
    } else if (c[i] == '_') {
      ++i;
      if (i < c.size() && c[i] == '_') ++i;
    } else if (c[i] == '-') {
      while (i < c.size() && c[i] == '-') ++i;
    } else {
      return false;
    }
    if (!alnum_run()) return false;
  }
  return true;
}

bool valid_path(std::string_view path) {
  std::size_t start = 0;
  while (true) {
    const std::size_t slash = path.find('/', start);
    if (!valid_path_component(path.substr(start, slash - start))) return false;
    if (slash == std::string_view::npos) return true;
    start = slash + 1;
  }
}

// domain-component := [a-zA-Z0-9] | [a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]
bool valid_domain_component(std::string_view c) {
  if (c.empty() || !is_alnum(c.front()) || !is_alnum(c.back())) return false;
  return std::all_of(c.begin(), c.end(), [](char ch) { return is_alnum(ch) || ch == '-'; });
}

// domain := host [":" port]; host := domain-name | "[" IPv6 "]" (hex digits and colons only: no zone
// identifiers, no embedded IPv4).
Result<void> check_domain(std::string_view domain) {
  std::string_view host = domain;
  std::string_view port;
  if (domain.starts_with('[')) {
    const std::size_t close = domain.find(']');
    if (close == std::string_view::npos)
      return Error::invalid("invalid registry host " + in_quotes(domain) + ": unclosed '['");
    host = domain.substr(0, close + 1);
    const std::string_view inner = host.substr(1, host.size() - 2);
    if (inner.empty() || !std::all_of(inner.begin(), inner.end(), [](char c) { return is_hex(c) || c == ':'; })) {
      return Error::invalid("invalid registry host " + in_quotes(domain) +
                            ": an IPv6 address holds only hex digits and ':' (no zone, no embedded IPv4)");
    }
    const std::string_view rest = domain.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return Error::invalid("invalid registry host " + in_quotes(domain));
      port = rest.substr(1);
      if (port.empty()) return Error::invalid("invalid registry host " + in_quotes(domain) + ": empty port");
    }
  } else {
    const std::size_t colon = domain.find(':');
    if (colon != std::string_view::npos) {
      host = domain.substr(0, colon);
      port = domain.substr(colon + 1);
      if (port.empty()) return Error::invalid("invalid registry host " + in_quotes(domain) + ": empty port");
    }
    std::size_t start = 0;
    while (true) {
      const std::size_t dot = host.find('.', start);
      if (!valid_domain_component(host.substr(start, dot - start))) {
        return Error::invalid("invalid registry host " + in_quotes(domain) +
                              ": each dot-separated part is letters, digits and inner '-'");
      }
      if (dot == std::string_view::npos) break;
      start = dot + 1;
    }
  }
  if (!port.empty()) {
    if (!std::all_of(port.begin(), port.end(), is_digit)) {
      return Error::invalid("invalid registry host " + in_quotes(domain) + ": the port is not a number");
    }
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc() || end != port.data() + port.size() || value > 65535) {
      return Error::invalid("invalid registry host " + in_quotes(domain) + ": port out of range");
    }
  }
  return success();
}

// tag := [\w][\w.-]{0,127}
Result<void> check_tag(std::string_view tag) {
  if (tag.empty()) return Error::invalid("empty tag after ':'");
  if (tag.size() > kMaxTagLength) {
    return Error::invalid("tag longer than 128 characters (" + std::to_string(tag.size()) + ")");
  }
  if (!is_word(tag.front()))
    return Error::invalid("invalid tag " + in_quotes(tag) + ": it must start with a letter, digit or '_'");
  if (!std::all_of(tag.begin(), tag.end(), [](char c) { return is_word(c) || c == '.' || c == '-'; })) {
    return Error::invalid("invalid tag " + in_quotes(tag) + ": only letters, digits, '_', '.' and '-' are allowed");
  }
  return success();
}

// digest := algorithm ":" hex. The grammar allows any algorithm; as go-digest does, only the registered
// ones (sha256, sha384, sha512) with their exact lowercase-hex length are accepted.
Result<void> check_digest_format(std::string_view digest) {
  const std::size_t colon = digest.find(':');
  if (colon == std::string_view::npos || colon == 0) {
    return Error::invalid("invalid digest " + in_quotes(digest) + ": expected <algorithm>:<hex>");
  }
  const std::string_view algorithm = digest.substr(0, colon);
  const std::string_view hex = digest.substr(colon + 1);
  struct Known {
    std::string_view name;
    std::size_t hex_length;
  };
  constexpr std::array<Known, 3> known{{{"sha256", 64}, {"sha384", 96}, {"sha512", 128}}};
  const auto it = std::find_if(known.begin(), known.end(), [&](const Known& k) { return k.name == algorithm; });
  if (it == known.end()) {
    return Error::invalid("invalid digest " + in_quotes(digest) + ": unsupported algorithm " + in_quotes(algorithm) +
                          " (sha256, sha384 or sha512)");
  }
  if (hex.size() != it->hex_length) {
    return Error::invalid("invalid digest " + in_quotes(digest) + ": " + std::string(algorithm) + " needs " +
                          std::to_string(it->hex_length) + " hex digits, not " + std::to_string(hex.size()));
  }
  if (!std::all_of(hex.begin(), hex.end(), is_lower_hex)) {
    return Error::invalid("invalid digest " + in_quotes(digest) + ": only lowercase hex digits are allowed");
  }
  return success();
}

// Which part of "first/rest" is a registry, as Docker decides it: localhost, anything with '.' or ':',
// or an uppercase first component (namespaces are lowercase, so it must be a host).
bool looks_like_domain(std::string_view first) {
  return first == "localhost" || first.find_first_of(".:") != std::string_view::npos || has_upper(first);
}

}  // namespace

Result<void> check_digest_syntax(std::string_view digest) { return check_digest_format(digest); }

Result<Reference> parse_reference(std::string_view text) {
  if (text.empty()) return Error::invalid("empty image reference");
  auto fail = [&](const Error& e) { return e.context("invalid image reference " + in_quotes(text)); };

  if (text.size() == 64 && std::all_of(text.begin(), text.end(), is_lower_hex)) {
    return fail(Error::invalid("a 64-hex-digit string is an image ID, not a repository name"));
  }

  Reference ref;
  std::string_view rest = text;
  if (const std::size_t at = rest.find('@'); at != std::string_view::npos) {
    ref.digest = std::string(rest.substr(at + 1));
    rest = rest.substr(0, at);
    if (auto ok = check_digest_format(ref.digest); !ok) return fail(ok.error());
  }
  // A tag is after the last ':' that follows the last '/', so "host:5000/repo" keeps its port.
  const std::size_t last_slash = rest.rfind('/');
  const std::size_t colon = rest.find(':', last_slash == std::string_view::npos ? 0 : last_slash + 1);
  if (colon != std::string_view::npos) {
    ref.tag = std::string(rest.substr(colon + 1));
    rest = rest.substr(0, colon);
    if (auto ok = check_tag(ref.tag); !ok) return fail(ok.error());
  }
  if (rest.empty()) return fail(Error::invalid("missing repository name"));

  std::string_view path = rest;
  if (const std::size_t slash = rest.find('/');
      slash != std::string_view::npos && looks_like_domain(rest.substr(0, slash))) {
    const std::string_view domain = rest.substr(0, slash);
    if (auto ok = check_domain(domain); !ok) return fail(ok.error());
    ref.registry = domain == kLegacyDockerHub ? std::string(kDockerHub) : std::string(domain);
    path = rest.substr(slash + 1);
  } else {
    ref.registry = std::string(kDockerHub);
  }
  ref.repository = std::string(path);
  // Official Docker Hub images live under library/ ("nginx" is docker.io/library/nginx).
  if (ref.registry == kDockerHub && ref.repository.find('/') == std::string::npos) {
    ref.repository = std::string(kOfficialPrefix) + ref.repository;
  }

  if (!valid_path(ref.repository)) {
    if (has_upper(ref.repository) && valid_path(ascii_lower(ref.repository))) {
      return fail(Error::invalid("repository name " + in_quotes(ref.repository) + " must be lowercase"));
    }
    return fail(Error::invalid("invalid repository name " + in_quotes(path) +
                               ": components are lowercase letters and digits joined by '.', '_', '__' or "
                               "'-', separated by single '/'"));
  }
  if (ref.repository.size() > kMaxRepositoryLength) {
    return fail(
        Error::invalid("repository name longer than 255 characters (" + std::to_string(ref.repository.size()) + ")"));
  }
  if (ref.tag.empty() && ref.digest.empty()) ref.tag = "latest";
  return ref;
}

std::string Reference::name() const { return registry + "/" + repository; }

std::string Reference::str() const {
  std::string out = name();
  if (!tag.empty()) out += ":" + tag;
  if (!digest.empty()) out += "@" + digest;
  return out;
}

std::string Reference::api_host() const { return registry == kDockerHub ? std::string(kDockerHubApi) : registry; }

Reference Reference::with_digest(std::string new_digest) const {
  Reference out = *this;
  out.digest = std::move(new_digest);
  return out;
}

}  // namespace signet::oci
