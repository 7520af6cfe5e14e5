// Registry credentials from a docker config.json (`docker login` writes it; a
// `kubernetes.io/dockerconfigjson` secret holds the same document).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "crypto/result.hpp"

namespace signet::oci {

struct Credentials {
  std::string username;
  std::string password;

  bool operator==(const Credentials&) const = default;
};

class DockerConfig {
 public:
  // Reads `auths`: keys are registry hosts with or without a scheme and path ("ghcr.io",
  // "https://index.docker.io/v1/", "127.0.0.1:5000"); values hold `auth` (base64 "user:pass") or
  // `username` and `password`. Entries with neither (credential helpers, identity tokens) are skipped.
  // Errors name the entry that is wrong.
  static Result<DockerConfig> parse(std::string_view json);
  // parse() of the file at `path`; an unreadable file is an Invalid error naming it.
  static Result<DockerConfig> load(const std::string& path);

  // The credentials for `registry` (a reference's registry: "docker.io", "127.0.0.1:5000"). Docker Hub is
  // found under any of its names (docker.io, index.docker.io, registry-1.docker.io).
  std::optional<Credentials> find(std::string_view registry) const;

  bool empty() const { return by_host_.empty(); }

 private:
  std::map<std::string, Credentials> by_host_;  // normalised host[:port] → credentials
};

}  // namespace signet::oci
