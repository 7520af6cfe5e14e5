#include "oci/docker_config.hpp"

#include <fstream>
#include <sstream>

#include <openssl/evp.h>
#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

namespace signet::oci {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// "https://index.docker.io/v1/" → "docker.io"; "127.0.0.1:5000" stays. Hosts compare case-insensitively.
std::string normalise_host(std::string_view key) {
  if (const std::size_t scheme = key.find("://"); scheme != std::string_view::npos) key = key.substr(scheme + 3);
  key = key.substr(0, key.find('/'));
  std::string host = lower(key);
  if (host == "index.docker.io" || host == "registry-1.docker.io") host = "docker.io";
  return host;
}

bool is_base64_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
}

// Standard base64 with padding, as docker writes `auth`.
std::optional<std::string> base64_decode(std::string_view in) {
  if (in.size() % 4 != 0) return std::nullopt;
  std::size_t padding = 0;
  while (padding < 2 && padding < in.size() && in[in.size() - 1 - padding] == '=') ++padding;
  for (std::size_t i = 0; i < in.size() - padding; ++i) {
    if (!is_base64_char(in[i])) return std::nullopt;
  }
  std::string out(in.size() / 4 * 3, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(in.data()), static_cast<int>(in.size()));
  if (n < 0) return std::nullopt;
  out.resize(static_cast<std::size_t>(n) - padding);
  return out;
}

std::optional<std::string> string_member(const rapidjson::Value& object, const char* name) {
  const auto it = object.FindMember(name);
  if (it == object.MemberEnd() || !it->value.IsString()) return std::nullopt;
  return std::string(it->value.GetString(), it->value.GetStringLength());
}

}  // namespace

Result<DockerConfig> DockerConfig::parse(std::string_view json) {
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseIterativeFlag>(json.data(), json.size());
  if (doc.HasParseError()) {
    return Error::invalid(std::string("docker config is not valid JSON: ") +
                          rapidjson::GetParseError_En(doc.GetParseError()) + " at offset " +
                          std::to_string(doc.GetErrorOffset()));
  }
  if (!doc.IsObject()) return Error::invalid("docker config is not a JSON object");
  DockerConfig config;
  const auto auths = doc.FindMember("auths");
  if (auths == doc.MemberEnd()) return config;
  if (!auths->value.IsObject()) return Error::invalid("docker config: \"auths\" is not an object");
  for (const auto& entry : auths->value.GetObject()) {
    const std::string key(entry.name.GetString(), entry.name.GetStringLength());
    const std::string where = "docker config: auths[\"" + key + "\"]";
    if (!entry.value.IsObject()) return Error::invalid(where + " is not an object");
    Credentials credentials;
    if (auto auth = string_member(entry.value, "auth"); auth && !auth->empty()) {
      const auto decoded = base64_decode(*auth);
      if (!decoded) return Error::invalid(where + ".auth is not base64");
      const std::size_t colon = decoded->find(':');
      if (colon == std::string::npos) return Error::invalid(where + ".auth does not decode to \"user:password\"");
      credentials = {decoded->substr(0, colon), decoded->substr(colon + 1)};
    } else {
      auto username = string_member(entry.value, "username");
      auto password = string_member(entry.value, "password");
      if (!username || !password || username->empty()) continue;
      credentials = {std::move(*username), std::move(*password)};
    }
    config.by_host_.emplace(normalise_host(key), std::move(credentials));
  }
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

std::optional<Credentials> DockerConfig::find(std::string_view registry) const {
  const auto it = by_host_.find(normalise_host(registry));
  if (it == by_host_.end()) return std::nullopt;
  return it->second;
}

}  // namespace signet::oci
