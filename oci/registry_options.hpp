// How signet talks to registries: which may be reached over plain HTTP, which CAs and credentials to
// use, and the caps that keep a hostile registry from exhausting memory.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace signet::oci {

struct RegistryOptions {
  // host[:port] allowed over plain HTTP. An entry with a port matches that port only; an entry without
  // one matches the host on any port. Everything else is HTTPS only.
  std::vector<std::string> insecure_registries;
  // An extra CA bundle (PEM), trusted besides the system CAs; "" = system CAs only.
  std::string ca_file;
  // Path of a docker config.json for credentials; "" = anonymous only.
  std::string docker_config;
  std::size_t max_manifest_bytes = 4 * 1024 * 1024;
  std::size_t max_blob_bytes = 4 * 1024 * 1024;
  std::size_t max_signatures = 64;
};

}  // namespace signet::oci
