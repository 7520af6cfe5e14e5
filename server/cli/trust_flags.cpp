#include "server/cli/trust_flags.hpp"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "crypto/public_good_root.hpp"
#include "policy/conditions/duration.hpp"
#include "policy/trust_material.hpp"

namespace signet::server {
namespace {

Result<std::string> read_file(const std::string& flag, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error::invalid(flag + " " + path + ": cannot be read");
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

// Without --tuf-cache: $XDG_CACHE_HOME/signet/tuf, then ~/.cache/signet/tuf, then /tmp/signet-tuf.
std::filesystem::path default_cache() {
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg) return std::filesystem::path(xdg) / "signet/tuf";
  if (const char* home = std::getenv("HOME"); home && *home) return std::filesystem::path(home) / ".cache/signet/tuf";
  return "/tmp/signet-tuf";
}

}  // namespace

const char* const kTrustedRootFlagHelp =
    "  --trusted-root FILE            a sigstore trusted_root.json replacing the embedded public-good one\n";

const char* const kTufFlagsHelp =
    "  --tuf-mirror URL               refresh the trusted root from this TUF repository (e.g.\n"
    "                                 https://tuf-repo-cdn.sigstore.dev); a failed refresh keeps the root in force\n"
    "  --tuf-root FILE                the TUF root.json to trust first (default: the embedded public-good one)\n"
    "  --tuf-cache DIR                where verified TUF metadata is kept between runs\n"
    "                                 (default $XDG_CACHE_HOME/signet/tuf or ~/.cache/signet/tuf)\n"
    "  --tuf-refresh DURATION         how often to refresh, e.g. 24h, 90m (default 24h)\n";

std::vector<FlagSpec> trusted_root_flag_specs() { return {{"trusted-root"}}; }

std::vector<FlagSpec> tuf_flag_specs() { return {{"tuf-mirror"}, {"tuf-root"}, {"tuf-cache"}, {"tuf-refresh"}}; }

Result<std::shared_ptr<const crypto::TrustedRoot>> read_trusted_root(const std::string& path) {
  auto json = read_file("--trusted-root", path);
  if (!json) return json.error();
  auto root = crypto::parse_trusted_root(*json);
  if (!root) return root.error().context("--trusted-root " + path);
  return std::shared_ptr<const crypto::TrustedRoot>(std::make_shared<crypto::TrustedRoot>(std::move(*root)));
}

Result<void> apply_trusted_root_flag(const CommandLine& line) {
  if (!line.has("trusted-root")) return success();
  auto root = read_trusted_root(line.get("trusted-root"));
  if (!root) return root.error();
  policy::set_trusted_root(std::move(*root));
  return success();
}

Result<std::unique_ptr<TrustRefresher>> trust_refresher_from(const CommandLine& line,
                                                             oci::HttpTransportOptions transport) {
  if (!line.has("tuf-mirror")) {
    for (const char* flag : {"tuf-root", "tuf-cache", "tuf-refresh"}) {
      if (line.has(flag)) return Error::invalid(std::string("--") + flag + " needs --tuf-mirror");
    }
    return std::unique_ptr<TrustRefresher>();
  }
  // Two sources for one root would leave which one is in force to timing.
  if (line.has("trusted-root")) return Error::invalid("--trusted-root and --tuf-mirror exclude each other");
  TrustRefreshOptions options;
  options.initial_root = std::string(crypto::public_good_tuf_root_json());
  if (line.has("tuf-root")) {
    auto root = read_file("--tuf-root", line.get("tuf-root"));
    if (!root) return root.error();
    options.initial_root = std::move(*root);
  }
  options.cache_dir = line.has("tuf-cache") ? std::filesystem::path(line.get("tuf-cache")) : default_cache();
  const std::string interval = line.get("tuf-refresh", "24h");
  auto nanoseconds = policy::parse_go_duration(interval);
  if (!nanoseconds || *nanoseconds < 60'000'000'000LL)
    return Error::invalid("--tuf-refresh must be a duration of a minute or more (e.g. 24h, 90m), not \"" + interval +
                          "\"");
  options.interval = std::chrono::seconds(*nanoseconds / 1'000'000'000LL);

  auto fetch = http_mirror_fetch(line.get("tuf-mirror"), std::move(transport));
  if (!fetch) return fetch.error();
  auto apply = [](const std::string& json) -> Result<void> {
    auto root = crypto::parse_trusted_root(json);
    if (!root) return root.error();
    policy::set_trusted_root(std::make_shared<const crypto::TrustedRoot>(std::move(*root)));
    return success();
  };
  return std::make_unique<TrustRefresher>(std::move(options), std::move(*fetch), apply);
}

}  // namespace signet::server
