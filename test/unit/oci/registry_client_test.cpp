// RegistryClient against Debian's docker-registry on loopback: images pushed by skopeo, cosign-format
// signatures written by test/support/cosign_sign.py, plain HTTP, TLS, basic and bearer-token auth.
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <catch2/catch.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "oci/registry_client.hpp"
#include "test_registry.hpp"

using signet::Error;
using signet::oci::Clock;
using signet::oci::CosignSignature;
using signet::oci::parse_reference;
using signet::oci::Reference;
using signet::oci::RegistryClient;
using signet::oci::RegistryOptions;
using signet::test::error_of;
using signet::test::image_ref;
using signet::test::read_file;
using signet::test::run_ok;
using signet::test::run_until_done;
using signet::test::soon;
using signet::test::support_command;
using signet::test::TempDir;
using signet::test::TestRegistry;

namespace {

constexpr auto kSimpleSigning = "application/vnd.dev.cosign.simplesigning.v1+json";
constexpr auto kSignatureAnnotation = "dev.cosignproject.cosign/signature";

std::string make_key(const TempDir& dir, const std::string& name, const std::string& alg) {
  run_ok(support_command("make_key.py", {dir / name, "--alg", alg}));
  return dir / (name + ".pem");
}

std::string write_docker_config(const TempDir& dir, const std::string& host, const std::string& user_colon_pass) {
  const std::string auth = run_ok("printf %s " + signet::test::shell_quote(user_colon_pass) + " | base64 -w0");
  const std::string path = dir / "config.json";
  std::ofstream(path) << R"({"auths":{"https://)" << host << R"(/v2/":{"auth":")" << auth << R"("}}})";
  return path;
}

struct Client {
  boost::asio::io_context ioc;
  RegistryClient client;

  explicit Client(RegistryOptions options) : client(ioc.get_executor(), std::move(options)) {}

  signet::Result<std::string> resolve(const Reference& image, signet::oci::Deadline deadline = soon()) {
    return run_until_done(ioc, client.resolve_digest(image, deadline));
  }
  signet::Result<std::vector<CosignSignature>> signatures(const Reference& image,
                                                          std::optional<std::string> repository = std::nullopt,
                                                          signet::oci::Deadline deadline = soon()) {
    return run_until_done(ioc, client.cosign_signatures(image, repository, deadline));
  }
};

RegistryOptions plain(const TestRegistry& registry) {
  RegistryOptions options;
  options.insecure_registries = {registry.host()};
  return options;
}

}  // namespace

TEST_CASE("a tag resolves to the digest skopeo pushed, over plain HTTP", "[oci][integration]") {
  TestRegistry registry;
  const std::string pushed = registry.push("team/app:v1", "resolve me");
  Client c(plain(registry));
  auto digest = c.resolve(image_ref(registry.host() + "/team/app:v1"));
  REQUIRE(digest.ok());
  CHECK(*digest == pushed);
  // A reference that already holds a digest is not looked up.
  CHECK(*c.resolve(image_ref(registry.host() + "/team/app:v1@sha256:" + std::string(64, 'e'))) ==
        "sha256:" + std::string(64, 'e'));
  // A tag that does not exist is bad input, named in the error.
  const Error missing = error_of(c.resolve(image_ref(registry.host() + "/team/app:nope")));
  CHECK(missing.kind == Error::Kind::Invalid);
  CHECK_THAT(missing.message, Catch::Contains("tag \"nope\" not found") && Catch::Contains("repository team/app"));
}

TEST_CASE("cosign signatures come back with their payload and annotations", "[oci][integration]") {
  TestRegistry registry;
  TempDir keys;
  const std::string digest = registry.push("team/app:v1", "signed twice");
  registry.sign("team/app", digest, make_key(keys, "ec", "p256"), {"--annotation", "env=prod"});
  registry.sign("team/app", digest, make_key(keys, "ed", "ed25519"),
                {"--bundle-annotation", R"({"SignedEntryTimestamp":"x"})"});
  Client c(plain(registry));

  auto signatures = c.signatures(image_ref(registry.host() + "/team/app:v1").with_digest(digest));
  REQUIRE(signatures.ok());
  REQUIRE(signatures->size() == 2);
  for (const auto& s : *signatures) {
    CHECK(s.media_type == kSimpleSigning);
    CHECK_THAT(s.payload, Catch::Contains(R"("docker-manifest-digest":")" + digest + "\""));
    CHECK_THAT(s.payload, Catch::Contains(R"("docker-reference":")" + registry.host() + "/team/app\""));
    CHECK(s.annotations.count(kSignatureAnnotation) == 1);
  }
  CHECK_THAT((*signatures)[0].payload, Catch::Contains(R"("optional":{"env":"prod"})"));
  CHECK((*signatures)[1].annotations.at("dev.sigstore.cosign/bundle") == R"({"SignedEntryTimestamp":"x"})");
  CHECK((*signatures)[0].annotations.at(kSignatureAnnotation) != (*signatures)[1].annotations.at(kSignatureAnnotation));
}

TEST_CASE("an unsigned image has no signatures, and a reference without digest is refused", "[oci][integration]") {
  TestRegistry registry;
  const std::string digest = registry.push("team/unsigned:v1", "nobody signed this");
  Client c(plain(registry));
  auto signatures = c.signatures(image_ref(registry.host() + "/team/unsigned@" + digest));
  REQUIRE(signatures.ok());
  CHECK(signatures->empty());
  const Error no_digest = error_of(c.signatures(image_ref(registry.host() + "/team/unsigned:v1")));
  CHECK(no_digest.kind == Error::Kind::Invalid);
  CHECK_THAT(no_digest.message, Catch::Contains("needs a digest"));
}

TEST_CASE("signatures are read from the signature repository when one is given", "[oci][integration]") {
  TestRegistry registry;
  TempDir keys;
  const std::string digest = registry.push("team/app:v1", "signatures elsewhere");
  // cosign's COSIGN_REPOSITORY: the .sig tag lives in another repository.
  registry.sign("sigs/store", digest, make_key(keys, "ec", "p256"));
  Client c(plain(registry));
  const Reference image = image_ref(registry.host() + "/team/app@" + digest);
  auto there = c.signatures(image, registry.host() + "/sigs/store");
  REQUIRE(there.ok());
  REQUIRE(there->size() == 1);
  CHECK_THAT((*there)[0].payload, Catch::Contains(digest));
  auto here = c.signatures(image);
  REQUIRE(here.ok());
  CHECK(here->empty());
  CHECK(error_of(c.signatures(image, std::string("Not A Repository"))).kind == Error::Kind::Invalid);
}

TEST_CASE("a registry not listed as insecure is never spoken to over plain HTTP", "[oci][integration]") {
  TestRegistry registry;
  registry.push("team/app:v1", "plain only");
  Client c(RegistryOptions{});
  const Error error = error_of(c.resolve(image_ref(registry.host() + "/team/app:v1")));
  CHECK(error.kind == Error::Kind::Unavailable);
  CHECK_THAT(error.message,
             Catch::Contains("TLS handshake with " + registry.host()) && Catch::Contains("insecure registry"));
}

TEST_CASE("a TLS registry is verified against the configured CA", "[oci][integration]") {
  TestRegistry registry({"--tls"});
  TempDir keys;
  const std::string digest = registry.push("team/app:v1", "over TLS");
  registry.sign("team/app", digest, make_key(keys, "rsa", "rsa"));

  RegistryOptions options;
  options.ca_file = registry.ca_file();
  Client c(options);
  CHECK(*c.resolve(image_ref(registry.host() + "/team/app:v1")) == digest);
  // By name too: the certificate is checked against "localhost" (and SNI carries it).
  CHECK(*c.resolve(image_ref("localhost:" + std::to_string(registry.port()) + "/team/app:v1")) == digest);
  auto signatures = c.signatures(image_ref(registry.host() + "/team/app@" + digest));
  REQUIRE(signatures.ok());
  CHECK(signatures->size() == 1);

  SECTION("without the CA the certificate is not trusted") {
    Client untrusting(RegistryOptions{});
    const Error error = error_of(untrusting.resolve(image_ref(registry.host() + "/team/app:v1")));
    CHECK(error.kind == Error::Kind::Unavailable);
    CHECK_THAT(error.message, Catch::Contains("certificate verification failed"));
  }
  SECTION("a TLS registry listed as insecure gets plain HTTP, which it refuses") {
    Client downgraded(plain(registry));
    CHECK(error_of(downgraded.resolve(image_ref(registry.host() + "/team/app:v1"))).kind == Error::Kind::Unavailable);
  }
  SECTION("a missing CA file is reported before any request") {
    RegistryOptions bad;
    bad.ca_file = registry.dir() + "/missing.crt";
    boost::asio::io_context ioc;
    CHECK_FALSE(RegistryClient::create(ioc.get_executor(), bad).ok());
    Client broken(bad);
    CHECK_THAT(error_of(broken.resolve(image_ref(registry.host() + "/team/app:v1"))).message,
               Catch::Contains("missing.crt"));
  }
}

TEST_CASE("basic auth uses the docker config's credentials", "[oci][integration]") {
  TestRegistry registry({"--tls", "--htpasswd", "alice:s3cret"});
  TempDir work;
  const std::string digest = registry.push("team/app:v1", "behind basic auth");
  registry.sign("team/app", digest, make_key(work, "ec", "p384"));
  RegistryOptions options;
  options.ca_file = registry.ca_file();

  SECTION("the right password reads tags and signatures") {
    options.docker_config = write_docker_config(work, registry.host(), "alice:s3cret");
    Client c(options);
    CHECK(*c.resolve(image_ref(registry.host() + "/team/app:v1")) == digest);
    auto signatures = c.signatures(image_ref(registry.host() + "/team/app@" + digest));
    REQUIRE(signatures.ok());
    CHECK(signatures->size() == 1);
  }
  SECTION("a wrong password is Unavailable and says to check credentials") {
    options.docker_config = write_docker_config(work, registry.host(), "alice:wrong");
    Client c(options);
    const Error error = error_of(c.resolve(image_ref(registry.host() + "/team/app:v1")));
    CHECK(error.kind == Error::Kind::Unavailable);
    CHECK_THAT(error.message, Catch::Contains("check credentials") && Catch::Contains(registry.host()));
  }
  SECTION("no credentials at all says so") {
    Client c(options);
    const Error error = error_of(c.signatures(image_ref(registry.host() + "/team/app@" + digest)));
    CHECK(error.kind == Error::Kind::Unavailable);
    CHECK_THAT(error.message, Catch::Contains("check credentials") && Catch::Contains("none are configured"));
  }
}

TEST_CASE("a policy's named secrets are read from the secrets folder", "[oci][integration]") {
  TestRegistry registry({"--tls", "--htpasswd", "carol:p4ss"});
  TempDir work;
  const std::string digest = registry.push("team/app:v1", "behind a secret");
  // As Kubernetes mounts a kubernetes.io/dockerconfigjson secret: a folder per secret.
  std::filesystem::create_directories(work / "secrets/regcred");
  const std::string config = write_docker_config(work, registry.host(), "carol:p4ss");
  std::filesystem::rename(config, work / "secrets/regcred/.dockerconfigjson");
  RegistryOptions options;
  options.ca_file = registry.ca_file();
  options.secrets_dir = work / "secrets";
  Client c(options);
  const Reference tagged = image_ref(registry.host() + "/team/app:v1");

  auto with_secret = run_until_done(c.ioc, c.client.resolve_digest(tagged, signet::oci::Pull(soon(), {"regcred"})));
  REQUIRE(with_secret.ok());
  CHECK(*with_secret == digest);
  // Without the secret nothing else holds credentials; a secret that does not exist is named.
  const Error anonymous = error_of(run_until_done(c.ioc, c.client.resolve_digest(tagged, soon())));
  CHECK_THAT(anonymous.message, Catch::Contains("check credentials"));
  const Error missing =
      error_of(run_until_done(c.ioc, c.client.resolve_digest(tagged, signet::oci::Pull(soon(), {"nosuch"}))));
  CHECK_THAT(missing.message, Catch::Contains("nosuch") && Catch::Contains("not found"));
}

TEST_CASE("bearer tokens are fetched from the challenge's realm", "[oci][integration]") {
  TestRegistry registry({"--tls", "--htpasswd", "bob:t0ken", "--token"});
  TempDir work;
  const std::string digest = registry.push("team/app:v1", "behind a token server");
  registry.sign("team/app", digest, make_key(work, "ec", "p256"));
  RegistryOptions options;
  options.ca_file = registry.ca_file();

  SECTION("with credentials, a pull token opens tags and signatures") {
    options.docker_config = write_docker_config(work, registry.host(), "bob:t0ken");
    Client c(options);
    CHECK(*c.resolve(image_ref(registry.host() + "/team/app:v1")) == digest);
    auto signatures = c.signatures(image_ref(registry.host() + "/team/app@" + digest));
    REQUIRE(signatures.ok());
    CHECK(signatures->size() == 1);
    // signet asks for pull only, as bob, and reuses the token for later requests of the repository.
    const std::string log = read_file(registry.dir() + "/token.log");
    CHECK_THAT(log, Catch::Contains("repository:team/app:pull bob 200"));
    std::size_t signet_tokens = 0;
    for (std::size_t at = 0; (at = log.find("repository:team/app:pull bob", at)) != std::string::npos; ++at)
      ++signet_tokens;
    CHECK(signet_tokens == 1);
  }
  SECTION("a wrong password is refused by the token server and says to check credentials") {
    options.docker_config = write_docker_config(work, registry.host(), "bob:nope");
    Client c(options);
    const Error error = error_of(c.resolve(image_ref(registry.host() + "/team/app:v1")));
    CHECK(error.kind == Error::Kind::Unavailable);
    CHECK_THAT(error.message, Catch::Contains("token server") && Catch::Contains("check credentials"));
  }
}

TEST_CASE("a stopped registry is Unavailable at once", "[oci][integration]") {
  TestRegistry registry;
  registry.stop();
  Client c(plain(registry));
  const auto started = Clock::now();
  const Error error = error_of(c.resolve(image_ref(registry.host() + "/team/app:v1")));
  CHECK(Clock::now() - started < std::chrono::seconds(2));
  CHECK(error.kind == Error::Kind::Unavailable);
  CHECK_THAT(error.message, Catch::Contains("connection refused") && Catch::Contains(registry.host()));
}

TEST_CASE("the deadline bounds every request", "[oci][integration]") {
  SECTION("a deadline already passed times out before anything is sent") {
    TestRegistry registry;
    const std::string digest = registry.push("team/app:v1", "too late");
    Client c(plain(registry));
    const auto past = Clock::now() - std::chrono::milliseconds(1);
    const Error resolve = error_of(c.resolve(image_ref(registry.host() + "/team/app:v1"), past));
    CHECK(resolve.kind == Error::Kind::Unavailable);
    CHECK_THAT(resolve.message, Catch::Contains("timed out"));
    const Error signatures =
        error_of(c.signatures(image_ref(registry.host() + "/team/app@" + digest), std::nullopt, past));
    CHECK_THAT(signatures.message, Catch::Contains("timed out"));
  }
  SECTION("a server that accepts and never answers times out at the deadline") {
    boost::asio::io_context listener_context;
    boost::asio::ip::tcp::acceptor silent(listener_context, {boost::asio::ip::make_address("127.0.0.1"), 0});
    const std::string host = "127.0.0.1:" + std::to_string(silent.local_endpoint().port());
    RegistryOptions options;
    options.insecure_registries = {host};
    Client c(options);
    const auto started = Clock::now();
    const Error error = error_of(c.resolve(image_ref(host + "/team/app:v1"), started + std::chrono::milliseconds(300)));
    const auto waited = Clock::now() - started;
    CHECK(waited >= std::chrono::milliseconds(290));
    CHECK(waited < std::chrono::seconds(2));
    CHECK(error.kind == Error::Kind::Unavailable);
    CHECK_THAT(error.message, Catch::Contains("timed out"));
  }
}

TEST_CASE("caps on manifests, blobs and signatures are errors naming the cap", "[oci][integration]") {
  TestRegistry registry;
  TempDir keys;
  const std::string digest = registry.push("team/app:v1", "capped");
  const std::string key = make_key(keys, "ec", "p256");
  registry.sign("team/app", digest, key);
  registry.sign("team/app", digest, key);
  const Reference image = image_ref(registry.host() + "/team/app@" + digest);

  RegistryOptions options = plain(registry);
  SECTION("max_signatures") {
    options.max_signatures = 1;
    const Error error = error_of(Client(options).signatures(image));
    CHECK(error.kind == Error::Kind::Invalid);
    CHECK_THAT(error.message, Catch::Contains("2 layers, more than max_signatures (1)"));
  }
  SECTION("max_blob_bytes") {
    options.max_blob_bytes = 100;
    const Error error = error_of(Client(options).signatures(image));
    CHECK(error.kind == Error::Kind::Invalid);
    CHECK_THAT(error.message, Catch::Contains("more than max_blob_bytes (100)"));
  }
  SECTION("max_manifest_bytes") {
    options.max_manifest_bytes = 200;
    const Error error = error_of(Client(options).signatures(image));
    CHECK(error.kind == Error::Kind::Invalid);
    CHECK_THAT(error.message, Catch::Contains("larger than max_manifest_bytes (200 bytes)"));
  }
}

TEST_CASE("a signature blob altered in the registry is rejected", "[oci][integration]") {
  TestRegistry registry;
  TempDir keys;
  const std::string digest = registry.push("team/app:v1", "tampered");
  registry.sign("team/app", digest, make_key(keys, "ec", "p256"));
  Client c(plain(registry));
  const Reference image = image_ref(registry.host() + "/team/app@" + digest);
  auto before = c.signatures(image);
  REQUIRE(before.ok());
  REQUIRE(before->size() == 1);

  // Swap the payload for one naming another image, same length, behind the registry's back.
  const std::string manifest =
      run_ok("curl -sf -H 'Accept: application/vnd.oci.image.manifest.v1+json' http://" + registry.host() +
             "/v2/team/app/manifests/" + digest.substr(0, 6) + "-" + digest.substr(7) + ".sig");
  const std::size_t at = manifest.find("simplesigning.v1+json\",\"size\":");
  REQUIRE(at != std::string::npos);
  const std::size_t digest_at = manifest.find("\"digest\":\"", at) + 10;
  const std::string layer_digest = manifest.substr(digest_at, 71);
  std::string payload = read_file(registry.blob_path(layer_digest));
  REQUIRE(payload == (*before)[0].payload);
  payload.replace(payload.find(digest) + 7, 4, "0000");
  std::ofstream(registry.blob_path(layer_digest), std::ios::binary | std::ios::trunc) << payload;

  // A client that has not read it yet fetches the altered bytes and refuses them.
  Client fresh(plain(registry));
  const Error error = error_of(fresh.signatures(image));
  CHECK(error.kind == Error::Kind::Invalid);
  CHECK_THAT(error.message, Catch::Contains("does not match its digest") && Catch::Contains(layer_digest));
  // The first client keeps the bytes it verified: content is cached by digest.
  auto cached = c.signatures(image);
  REQUIRE(cached.ok());
  CHECK((*cached)[0].payload == (*before)[0].payload);
}

TEST_CASE("blob redirects to another host are followed, at most five", "[oci][integration]") {
  TestRegistry registry;
  TempDir keys;
  const std::string digest = registry.push("team/app:v1", "redirected");
  registry.sign("team/app", digest, make_key(keys, "ec", "p256"));
  const int port = signet::test::free_port();
  const std::string front = "127.0.0.1:" + std::to_string(port);
  RegistryOptions options;
  // The front and the registry are two hosts; both speak plain HTTP.
  options.insecure_registries = {front, registry.host()};

  SECTION("five redirects are followed") {
    signet::test::ChildProcess proxy({"/usr/bin/python3", std::string(SIGNET_SUPPORT_DIR) + "/redirect_proxy.py",
                                      std::to_string(port), "http://" + registry.host(), "--hops", "4"});
    signet::test::wait_for_port(port);
    auto signatures = Client(options).signatures(image_ref(front + "/team/app@" + digest));
    REQUIRE(signatures.ok());
    REQUIRE(signatures->size() == 1);
    CHECK_THAT((*signatures)[0].payload, Catch::Contains(digest));
  }
  SECTION("a sixth is refused") {
    signet::test::ChildProcess proxy({"/usr/bin/python3", std::string(SIGNET_SUPPORT_DIR) + "/redirect_proxy.py",
                                      std::to_string(port), "http://" + registry.host(), "--hops", "5"});
    signet::test::wait_for_port(port);
    const Error error = error_of(Client(options).signatures(image_ref(front + "/team/app@" + digest)));
    CHECK(error.kind == Error::Kind::Unavailable);
    CHECK_THAT(error.message, Catch::Contains("more than 5 redirects"));
  }
  SECTION("a redirect to a host not listed for plain HTTP is refused") {
    signet::test::ChildProcess proxy({"/usr/bin/python3", std::string(SIGNET_SUPPORT_DIR) + "/redirect_proxy.py",
                                      std::to_string(port), "http://" + registry.host()});
    signet::test::wait_for_port(port);
    options.insecure_registries = {front};
    const Error error = error_of(Client(options).signatures(image_ref(front + "/team/app@" + digest)));
    CHECK_THAT(error.message, Catch::Contains("refusing plain HTTP to " + registry.host()));
  }
}
