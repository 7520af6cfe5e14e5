#include "oci/docker_config.hpp"
#include "oci/url.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include "crypto/encoding.hpp"

namespace signet::oci {
namespace {

struct HostPort {
  std::string host;  // lowercased; Docker Hub's names folded into "docker.io"
  std::string port;
};

// "Registry.Example:5000" → {"registry.example", "5000"}; "[::1]:5000" keeps its brackets.
HostPort split_authority(std::string_view authority) {
  std::size_t colon = std::string_view::npos;
  if (!authority.empty() && authority.front() == '[') {
    const std::size_t close = authority.find(']');
    if (close != std::string_view::npos && close + 1 < authority.size() && authority[close + 1] == ':')
      colon = close + 1;
  } else {
    colon = authority.rfind(':');
  }
  HostPort out;
  out.host = ascii_lower(authority.substr(0, colon));
  if (colon != std::string_view::npos) out.port = std::string(authority.substr(colon + 1));
  if (out.port.empty() && (out.host == "index.docker.io" || out.host == "registry-1.docker.io")) out.host = "docker.io";
  return out;
}

// "https://host:port/path" or "host/path" → the authority part.
std::string_view strip_scheme(std::string_view key) {
  if (const std::size_t scheme = key.find("://"); scheme != std::string_view::npos) key = key.substr(scheme + 3);
  return key;
}

std::string normalise_host(std::string_view key) {
  key = strip_scheme(key);
  const HostPort hp = split_authority(key.substr(0, key.find('/')));
  return hp.port.empty() ? hp.host : hp.host + ":" + hp.port;
}

std::vector<std::string> split_labels(const std::string& host) {
  std::vector<std::string> labels;
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = host.find('.', start);
    labels.push_back(host.substr(start, dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return labels;
}

// `*` (any run) and `?` (one character) within one host label: the usual greedy match with one backtrack
// point, linear in practice and never worse than quadratic.
bool glob_match(std::string_view pattern, std::string_view text) {
  std::size_t p = 0, t = 0, star = std::string_view::npos, resume = 0;
  while (t < text.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
      ++p;
      ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      resume = t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

std::string trim_slashes(std::string_view path) {
  while (!path.empty() && path.front() == '/') path.remove_prefix(1);
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  return std::string(path);
}

Result<std::optional<std::string>> string_field(const rapidjson::Value& object, const char* name,
                                                const std::string& where) {
  const auto it = object.FindMember(name);
  if (it == object.MemberEnd() || it->value.IsNull()) return std::optional<std::string>();
  if (!it->value.IsString()) return Error::invalid(where + "." + name + " is not a string");
  return std::optional<std::string>(std::string(it->value.GetString(), it->value.GetStringLength()));
}

Result<Credentials> read_entry(const rapidjson::Value& value, const std::string& where) {
  if (!value.IsObject()) return Error::invalid(where + " is not an object");
  Credentials credentials;
  auto auth = string_field(value, "auth", where);
  if (!auth) return auth.error();
  if (*auth && !(*auth)->empty()) {
    const auto decoded = crypto::base64_decode(**auth);
    if (!decoded) return Error::invalid(where + ".auth is not base64");
    const std::size_t colon = decoded->find(':');
    if (colon == std::string::npos) return Error::invalid(where + ".auth does not decode to \"user:password\"");
    credentials.username = decoded->substr(0, colon);
    credentials.password = decoded->substr(colon + 1);
  } else {
    auto username = string_field(value, "username", where);
    if (!username) return username.error();
    auto password = string_field(value, "password", where);
    if (!password) return password.error();
    if (*username && *password) {
      credentials.username = std::move(**username);
      credentials.password = std::move(**password);
    }
  }
  for (auto [name, field] : {std::pair{"identitytoken", &Credentials::identity_token},
                             std::pair{"registrytoken", &Credentials::registry_token}}) {
    auto token = string_field(value, name, where);
    if (!token) return token.error();
    if (*token) credentials.*field = std::move(**token);
  }
  return credentials;
}

Result<void> read_auths(const rapidjson::Value& auths, std::string_view where, DockerConfig& config) {
  if (!auths.IsObject()) return Error::invalid(std::string(where) + " is not an object");
  for (const auto& entry : auths.GetObject()) {
    const std::string key(entry.name.GetString(), entry.name.GetStringLength());
    auto credentials = read_entry(entry.value, std::string(where) + "[\"" + key + "\"]");
    if (!credentials) return credentials.error();
    const bool usable =
        !credentials->username.empty() || !credentials->identity_token.empty() || !credentials->registry_token.empty();
    auto parsed_key = CredentialKey::parse(key);
    if (usable && parsed_key) config.add(std::move(*parsed_key), std::move(*credentials));
  }
  return success();
}

Result<rapidjson::Document> parse_json(std::string_view json) {
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseIterativeFlag>(json.data(), json.size());
  if (doc.HasParseError()) {
    return Error::invalid(std::string("docker config is not valid JSON: ") +
                          rapidjson::GetParseError_En(doc.GetParseError()) + " at offset " +
                          std::to_string(doc.GetErrorOffset()));
  }
  if (!doc.IsObject()) return Error::invalid("docker config is not a JSON object");
  return doc;
}

}  // namespace

std::optional<CredentialKey> CredentialKey::parse(std::string_view key) {
  key = strip_scheme(key);
  const std::size_t slash = key.find('/');
  const HostPort hp = split_authority(key.substr(0, slash));
  if (hp.host.empty()) return std::nullopt;
  std::string path = slash == std::string_view::npos ? std::string() : trim_slashes(key.substr(slash));
  if (path == "v1" || path == "v2" || path.starts_with("v1/") || path.starts_with("v2/"))
    path = trim_slashes(std::string_view(path).substr(2));
  CredentialKey out;
  out.labels_ = split_labels(hp.host);
  out.port_ = hp.port;
  out.path_ = std::move(path);
  out.wildcards_ = static_cast<std::size_t>(std::count_if(out.labels_.begin(), out.labels_.end(), [](const auto& l) {
    return l.find_first_of("*?") != std::string::npos;
  }));
  return out;
}

std::optional<std::size_t> CredentialKey::match(std::string_view registry, std::string_view repository) const {
  const HostPort target = split_authority(registry);
  if (target.port != port_) return std::nullopt;
  const std::vector<std::string> labels = split_labels(target.host);
  if (labels.size() != labels_.size()) return std::nullopt;
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (!glob_match(labels_[i], labels[i])) return std::nullopt;
  }
  // Whole segments: credentials for ghcr.io/org are not sent for ghcr.io/organisation (kubelet compares
  // plain string prefixes; a segment boundary is what a path key means).
  if (!path_.empty() && repository != path_ &&
      !(repository.starts_with(path_) && repository.size() > path_.size() && repository[path_.size()] == '/')) {
    return std::nullopt;
  }
  return path_.size() * 256 + (255 - std::min<std::size_t>(wildcards_, 255));
}

void DockerConfig::add(CredentialKey key, Credentials credentials) {
  entries_.push_back({std::move(key), std::move(credentials)});
}

void DockerConfig::add_helper(std::string_view host, std::string helper) {
  helpers_[normalise_host(host)] = std::move(helper);
}

Result<DockerConfig> DockerConfig::parse(std::string_view json) {
  auto doc = parse_json(json);
  if (!doc) return doc.error();
  DockerConfig config;
  if (const auto auths = doc->FindMember("auths"); auths != doc->MemberEnd()) {
    if (!auths->value.IsObject()) return Error::invalid("docker config: \"auths\" is not an object");
    if (auto ok = read_auths(auths->value, "docker config: auths", config); !ok) return ok.error();
  }
  if (const auto store = doc->FindMember("credsStore"); store != doc->MemberEnd()) {
    if (!store->value.IsString()) return Error::invalid("docker config: \"credsStore\" is not a string");
    config.set_store(std::string(store->value.GetString(), store->value.GetStringLength()));
  }
  if (const auto helpers = doc->FindMember("credHelpers"); helpers != doc->MemberEnd()) {
    if (!helpers->value.IsObject()) return Error::invalid("docker config: \"credHelpers\" is not an object");
    for (const auto& helper : helpers->value.GetObject()) {
      const std::string host(helper.name.GetString(), helper.name.GetStringLength());
      if (!helper.value.IsString())
        return Error::invalid("docker config: credHelpers[\"" + host + "\"] is not a string");
      config.add_helper(host, std::string(helper.value.GetString(), helper.value.GetStringLength()));
    }
  }
  return config;
}

Result<DockerConfig> DockerConfig::parse_legacy(std::string_view json) {
  auto doc = parse_json(json);
  if (!doc) return doc.error();
  DockerConfig config;
  if (auto ok = read_auths(*doc, "docker config", config); !ok) return ok.error();
  return config;
}

Result<DockerConfig> DockerConfig::load(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return Error::invalid("cannot read docker config " + path);
  std::ostringstream content;
  content << file.rdbuf();
  auto config = parse(content.str());
  if (!config) return config.error().context(path);
  return config;
}

std::optional<DockerConfig::Match> DockerConfig::match(std::string_view registry, std::string_view repository) const {
  std::optional<Match> best;
  for (const auto& entry : entries_) {
    const auto specificity = entry.key.match(registry, repository);
    if (specificity && (!best || *specificity > best->specificity)) best = Match{entry.credentials, *specificity};
  }
  return best;
}

std::optional<Credentials> DockerConfig::find(std::string_view registry, std::string_view repository) const {
  auto found = match(registry, repository);
  if (!found) return std::nullopt;
  return std::move(found->credentials);
}

std::optional<std::string> DockerConfig::helper_for(std::string_view registry) const {
  if (const auto it = helpers_.find(normalise_host(registry)); it != helpers_.end()) return it->second;
  if (!store_.empty()) return store_;
  return std::nullopt;
}

bool DockerConfig::helper_names_host(std::string_view registry) const {
  return helpers_.contains(normalise_host(registry));
}

}  // namespace signet::oci
