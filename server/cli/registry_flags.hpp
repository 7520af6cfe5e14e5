// The registry flags shared by `serve`, `verify` and `admit`.
#pragma once

#include <memory>
#include <vector>

#include "crypto/result.hpp"
#include "oci/registry_client.hpp"
#include "oci/registry_options.hpp"
#include "server/cli/command_line.hpp"

namespace signet::server {

// --registry-ca FILE, --insecure-registry HOST[:PORT] (repeatable), --registry-config FILE.
std::vector<FlagSpec> registry_flag_specs();

// Without --registry-config: $DOCKER_CONFIG/config.json, then ~/.docker/config.json, when present.
Result<oci::RegistryOptions> registry_options_from(const CommandLine& line);

// A registry client from the flags, or the error naming the flag or file that is wrong. `observer` is
// told of every registry request (for metrics).
Result<std::unique_ptr<oci::RegistryClient>> registry_client_from(const CommandLine& line,
                                                                  boost::asio::any_io_executor executor,
                                                                  oci::HttpObserver observer = {});

extern const char* const kRegistryFlagsHelp;

}  // namespace signet::server
