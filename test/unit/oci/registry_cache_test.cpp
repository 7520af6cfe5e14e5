// The registry client's caches, in-flight deduplication, OCI 1.1 referrers and cosign attestations,
// against Debian's docker-registry on loopback. Requests are counted from the registry's own access log.
#include <chrono>
#include <fstream>
#include <thread>

#include <catch2/catch.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include "oci/registry_client.hpp"
#include "test_registry.hpp"

using signet::oci::Clock;
using signet::oci::parse_reference;
using signet::oci::Reference;
using signet::oci::RegistryClient;
using signet::oci::RegistryOptions;
using signet::test::image_ref;
using signet::test::run_ok;
using signet::test::run_until_done;
using signet::test::soon;
using signet::test::support_command;
using signet::test::TempDir;
using signet::test::TestRegistry;

namespace {

RegistryOptions plain_http(const TestRegistry& registry) {
  RegistryOptions options;
  options.insecure_registries = {registry.host()};
  return options;
}

// The requests signet made, as the registry logged them: "HEAD /v2/team/app/manifests/v1".
std::vector<std::string> signet_requests(const TestRegistry& registry) {
  std::ifstream log(registry.dir() + "/registry.log");
  std::vector<std::string> out;
  for (std::string line; std::getline(log, line);) {
    const auto quote = line.find("] \"");
    if (quote == std::string::npos || line.find("\"signet\"") == std::string::npos) continue;
    const std::string request = line.substr(quote + 3, line.find(" HTTP/", quote) - quote - 3);
    out.push_back(request);
  }
  return out;
}

std::vector<std::string> requests_since(const TestRegistry& registry, std::size_t before) {
  auto all = signet_requests(registry);
  return {all.begin() + static_cast<long>(std::min(before, all.size())), all.end()};
}

std::string key_in(const TempDir& dir) {
  run_ok(support_command("make_key.py", {dir / "k", "--alg", "p256"}));
  return dir / "k.pem";
}

std::string write(const TempDir& dir, const std::string& name, const std::string& content) {
  std::ofstream(dir / name, std::ios::binary) << content;
  return dir / name;
}

struct CachingClient {
  boost::asio::io_context ioc;
  RegistryClient client;
  explicit CachingClient(RegistryOptions options) : client(ioc.get_executor(), std::move(options)) {}

  // Resolves the tag and reads the signatures, as the engine does for one image.
  std::size_t verify_reads(const Reference& tagged) {
    auto digest = run_until_done(ioc, client.resolve_digest(tagged, soon()));
    REQUIRE(digest.ok());
    auto signatures = run_until_done(ioc, client.cosign_signatures(tagged.with_digest(*digest), {}, soon()));
    REQUIRE(signatures.ok());
    return signatures->size();
  }
};

}  // namespace

TEST_CASE("a warm read makes no registry request, and an expired tag costs one request per tag", "[oci][cache]") {
  TestRegistry registry;
  TempDir keys;
  const std::string digest = registry.push("team/app:v1", "cached");
  registry.sign("team/app", digest, key_in(keys));
  RegistryOptions options = plain_http(registry);
  options.tag_ttl = std::chrono::seconds(1);
  CachingClient c(options);
  const Reference tagged = image_ref(registry.host() + "/team/app:v1");

  std::size_t before = signet_requests(registry).size();
  CHECK(c.verify_reads(tagged) == 1);
  const auto cold = requests_since(registry, before);
  const std::string sig = "sha256-" + digest.substr(7) + ".sig";
  // Cold: the tag, the signature manifest, its one layer.
  REQUIRE(cold.size() == 3);
  CHECK(cold[0] == "HEAD /v2/team/app/manifests/v1");
  CHECK(cold[1] == "GET /v2/team/app/manifests/" + sig);
  CHECK(cold[2].rfind("GET /v2/team/app/blobs/sha256:", 0) == 0);

  before = signet_requests(registry).size();
  CHECK(c.verify_reads(tagged) == 1);
  CHECK(requests_since(registry, before).empty());

  // Tags move: after the TTL both tags are asked again; the layer, addressed by digest, is not.
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  before = signet_requests(registry).size();
  CHECK(c.verify_reads(tagged) == 1);
  const auto expired = requests_since(registry, before);
  CHECK(expired == std::vector<std::string>{"HEAD /v2/team/app/manifests/v1", "GET /v2/team/app/manifests/" + sig});

  const auto stats = c.client.cache_stats();
  CHECK(stats.at("tag").entries == 2);
  CHECK(stats.at("tag").hits >= 2);
  CHECK(stats.at("content").entries == 2);  // the signature manifest and its layer
  CHECK(stats.at("content").hits >= 2);
}

TEST_CASE("200 concurrent reads of one uncached image make one request per step", "[oci][cache][herd]") {
  TestRegistry registry;
  TempDir keys;
  const std::string digest = registry.push("team/herd:v1", "herd");
  registry.sign("team/herd", digest, key_in(keys));
  CachingClient c(plain_http(registry));
  const Reference tagged = image_ref(registry.host() + "/team/herd:v1");

  int done = 0;
  int verified = 0;
  for (int i = 0; i < 200; ++i) {
    boost::asio::co_spawn(
        c.ioc,
        [&]() -> boost::asio::awaitable<void> {
          auto resolved = co_await c.client.resolve_digest(tagged, soon());
          if (resolved) {
            auto signatures = co_await c.client.cosign_signatures(tagged.with_digest(*resolved), {}, soon());
            if (signatures && signatures->size() == 1 && *resolved == digest) ++verified;
          }
          ++done;
        },
        boost::asio::detached);
  }
  c.ioc.run();
  CHECK(done == 200);
  CHECK(verified == 200);
  const auto requests = signet_requests(registry);
  REQUIRE(requests.size() == 3);
  CHECK(requests[0] == "HEAD /v2/team/herd/manifests/v1");
  CHECK(requests[1] == "GET /v2/team/herd/manifests/sha256-" + digest.substr(7) + ".sig");
  CHECK(requests[2].rfind("GET /v2/team/herd/blobs/", 0) == 0);
}

TEST_CASE("referrers are found through the tag schema when the registry has no referrers API", "[oci][referrers]") {
  TestRegistry registry;
  TempDir files;
  const std::string digest = registry.push("team/app:v1", "referred");
  const std::string sbom = write(files, "sbom.json", R"({"spdxVersion":"SPDX-2.3"})");
  const std::string bundle = write(files, "bundle.json", R"({"mediaType":"application/vnd.dev.sigstore.bundle+json"})");
  const auto push = [&](const std::string& type, const std::string& layer) {
    return run_ok(support_command(
        "push_artifact.py", {registry.host(), "team/app", "--plain-http", "--subject", digest, "--referrers-index",
                             "--artifact-type", type, "--layer", "application/json=" + layer}));
  };
  const std::string sbom_digest = push("application/spdx+json", sbom);
  const std::string bundle_digest = push("application/vnd.dev.sigstore.bundle.v0.3+json", bundle);
  CachingClient c(plain_http(registry));
  const Reference image = image_ref(registry.host() + "/team/app@" + digest);

  auto all = run_until_done(c.ioc, c.client.referrers(image, "", soon()));
  REQUIRE(all.ok());
  CHECK(all->size() == 2);
  auto bundles =
      run_until_done(c.ioc, c.client.referrers(image, "application/vnd.dev.sigstore.bundle.v0.3+json", soon()));
  REQUIRE(bundles.ok());
  REQUIRE(bundles->size() == 1);
  CHECK((*bundles)[0].digest == bundle_digest);
  CHECK((*bundles)[0].artifact_type == "application/vnd.dev.sigstore.bundle.v0.3+json");

  // The referrer's content, fetched by digest and checked.
  auto layers = run_until_done(c.ioc, c.client.artifact_layers(image.with_digest((*bundles)[0].digest), soon()));
  REQUIRE(layers.ok());
  REQUIRE(layers->size() == 1);
  CHECK((*layers)[0].payload == R"({"mediaType":"application/vnd.dev.sigstore.bundle+json"})");

  // An image nothing refers to has no referrers, which is not an error.
  const std::string lonely = registry.push("team/lonely:v1", "lonely");
  auto none =
      run_until_done(c.ioc, c.client.referrers(image_ref(registry.host() + "/team/lonely@" + lonely), "", soon()));
  REQUIRE(none.ok());
  CHECK(none->empty());
  CHECK(sbom_digest != bundle_digest);
}

TEST_CASE("cosign attestations are read from the .att manifest beside the image", "[oci][attestations]") {
  TestRegistry registry;
  TempDir files;
  const std::string digest = registry.push("team/app:v1", "attested");
  const std::string envelope = write(
      files, "envelope.json", R"({"payloadType":"application/vnd.in-toto+json","payload":"e30=","signatures":[]})");
  run_ok(support_command("push_artifact.py",
                         {registry.host(), "team/app", "--plain-http", "--tag", "sha256-" + digest.substr(7) + ".att",
                          "--layer", "application/vnd.dsse.envelope.v1+json=" + envelope}));
  CachingClient c(plain_http(registry));
  const Reference image = image_ref(registry.host() + "/team/app@" + digest);
  auto attestations = run_until_done(c.ioc, c.client.cosign_attestations(image, {}, soon()));
  REQUIRE(attestations.ok());
  REQUIRE(attestations->size() == 1);
  CHECK((*attestations)[0].media_type == "application/vnd.dsse.envelope.v1+json");
  CHECK((*attestations)[0].payload.str().find("in-toto") != std::string::npos);
  // Signatures are another manifest: there are none.
  auto signatures = run_until_done(c.ioc, c.client.cosign_signatures(image, {}, soon()));
  REQUIRE(signatures.ok());
  CHECK(signatures->empty());
}
