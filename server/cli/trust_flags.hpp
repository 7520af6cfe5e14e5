// The flags that choose the sigstore trust material: `--trusted-root FILE` (serve, verify, test) and the
// TUF refresh of `serve` (--tuf-mirror, --tuf-root, --tuf-cache, --tuf-refresh).
#pragma once

#include <memory>
#include <vector>

#include "crypto/result.hpp"
#include "crypto/trusted_root.hpp"
#include "oci/http_transport.hpp"
#include "server/cli/command_line.hpp"
#include "server/trust_refresh.hpp"

namespace signet::server {

// --trusted-root FILE.
std::vector<FlagSpec> trusted_root_flag_specs();
extern const char* const kTrustedRootFlagHelp;

// A trusted_root.json file, parsed; the error names the file.
Result<std::shared_ptr<const crypto::TrustedRoot>> read_trusted_root(const std::string& path);

// With --trusted-root FILE: the file replaces the process's trusted root (policy::set_trusted_root).
// Without it: nothing changes (the embedded public-good root stays).
Result<void> apply_trusted_root_flag(const CommandLine& line);

// --tuf-mirror URL, --tuf-root FILE, --tuf-cache DIR, --tuf-refresh DURATION.
std::vector<FlagSpec> tuf_flag_specs();
extern const char* const kTufFlagsHelp;

// The refresher --tuf-mirror asks for (not started), or nullptr without it. Its verified trusted roots
// replace the process's. `transport` gives the CA bundle (--registry-ca) for an https mirror.
Result<std::unique_ptr<TrustRefresher>> trust_refresher_from(const CommandLine& line,
                                                             oci::HttpTransportOptions transport);

}  // namespace signet::server
