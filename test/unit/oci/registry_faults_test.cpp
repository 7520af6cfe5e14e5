// The registry client and its HTTP transport against a misbehaving registry: Debian's docker-registry on
// loopback behind test/support/fault_proxy.py, which delays, rate-limits, truncates, corrupts, inflates
// and redirects answers on request and logs every request it sees.
#include <chrono>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include <catch2/catch.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>

#include "crypto/digest.hpp"
#include "oci/http_transport.hpp"
#include "oci/registry_client.hpp"
#include "test_registry.hpp"

using signet::Error;
using signet::oci::Clock;
using signet::oci::CosignSignature;
using signet::oci::Deadline;
using signet::oci::HttpExchange;
using signet::oci::HttpRequest;
using signet::oci::HttpResponse;
using signet::oci::HttpTransport;
using signet::oci::HttpTransportOptions;
using signet::oci::parse_reference;
using signet::oci::Reference;
using signet::oci::RegistryClient;
using signet::oci::RegistryOptions;
using signet::test::error_of;
using signet::test::image_ref;
using signet::test::read_file;
using signet::test::run_ok;
using signet::test::run_until_done;
using signet::test::support_command;
using signet::test::TempDir;
using signet::test::TestRegistry;
using std::chrono::milliseconds;
using std::chrono::seconds;

namespace {

// One registry for the whole binary (starting one costs a second): an image with one signature.
struct SignedImage {
  TestRegistry registry;
  TempDir keys;
  std::string digest;

  SignedImage() : digest(registry.push("team/app:v1", "faults")) {
    run_ok(support_command("make_key.py", {keys / "ec", "--alg", "p256"}));
    registry.sign("team/app", digest, keys / "ec.pem");
  }
};

SignedImage& signed_image() {
  static SignedImage image;
  return image;
}

// fault_proxy.py in front of a registry, on two free ports, stopped on destruction.
class FaultProxy {
 public:
  FaultProxy(const TestRegistry& registry, const std::vector<std::string>& faults,
             const std::vector<std::string>& options = {})
      : port_(signet::test::free_port()),
        other_port_(signet::test::free_port()),
        process_(command(registry, faults, options)) {
    signet::test::wait_for_port(port_);
    signet::test::wait_for_port(other_port_);
  }

  std::string host() const { return "127.0.0.1:" + std::to_string(port_); }
  std::string other_host() const { return "127.0.0.1:" + std::to_string(other_port_); }
  std::string url(const std::string& target) const { return "http://" + host() + target; }

  // The log lines ("<listener> <METHOD> <path> <status> <fault> conn=<port> concurrent=<n>").
  std::vector<std::string> log() const {
    std::vector<std::string> lines;
    std::istringstream in(read_file(dir_ / "requests.log"));
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
  }
  // Log lines that contain every one of `parts`.
  std::size_t count(const std::vector<std::string>& parts) const {
    std::size_t n = 0;
    for (const auto& line : log()) {
      bool all = true;
      for (const auto& part : parts) all = all && line.find(part) != std::string::npos;
      n += all ? 1 : 0;
    }
    return n;
  }
  // The most requests the proxy had in flight at once.
  int max_concurrent() const {
    int most = 0;
    for (const auto& line : log()) most = std::max(most, std::stoi(line.substr(line.rfind('=') + 1)));
    return most;
  }

 private:
  std::vector<std::string> command(const TestRegistry& registry, const std::vector<std::string>& faults,
                                   const std::vector<std::string>& options) const {
    std::vector<std::string> argv{"/usr/bin/python3",          std::string(SIGNET_SUPPORT_DIR) + "/fault_proxy.py",
                                  "http://" + registry.host(), "--log",
                                  dir_ / "requests.log",       "--port",
                                  std::to_string(port_),       "--other-port",
                                  std::to_string(other_port_)};
    for (const auto& fault : faults) argv.insert(argv.end(), {"--fault", fault});
    argv.insert(argv.end(), options.begin(), options.end());
    return argv;
  }

  TempDir dir_;
  int port_;
  int other_port_;
  signet::test::ChildProcess process_;
};

// A registry client that reaches the registry through the proxy (both proxy listeners are plain HTTP).
struct FaultClient {
  boost::asio::io_context ioc;
  RegistryClient client;

  explicit FaultClient(const FaultProxy& proxy)
      : client(ioc.get_executor(), [&] {
          RegistryOptions options;
          options.insecure_registries = {proxy.host(), proxy.other_host()};
          return options;
        }()) {}

  signet::Result<std::string> resolve(const Reference& image, Deadline deadline) {
    return run_until_done(ioc, client.resolve_digest(image, deadline));
  }
  signet::Result<std::vector<CosignSignature>> signatures(const Reference& image, Deadline deadline) {
    return run_until_done(ioc, client.cosign_signatures(image, std::nullopt, deadline));
  }
};

Deadline in(Clock::duration d) { return Clock::now() + d; }

constexpr auto kTag = "/v2/team/app/manifests/v1$";
constexpr auto kBlobs = "/v2/team/app/blobs/";
constexpr auto kSignatureManifest = "/v2/team/app/manifests/sha256-";

}  // namespace

TEST_CASE("a registry slower than the deadline is Unavailable and timed out, promptly", "[oci][faults]") {
  auto& image = signed_image();
  FaultProxy proxy(image.registry, {std::string(kTag) + " delay=5"});
  FaultClient c(proxy);
  const auto started = Clock::now();
  const Error error = error_of(c.resolve(image_ref(proxy.host() + "/team/app:v1"), started + milliseconds(400)));
  CHECK(Clock::now() - started < milliseconds(1500));
  CHECK(error.kind == Error::Kind::Unavailable);
  CHECK_THAT(error.message, Catch::Contains("request to " + proxy.host() + " timed out"));
}

TEST_CASE("a 429 with Retry-After is waited out and retried", "[oci][faults]") {
  auto& image = signed_image();
  FaultProxy proxy(image.registry, {std::string(kTag) + " status=429 retry_after=1 count=1"});
  FaultClient c(proxy);
  const auto started = Clock::now();
  auto digest = c.resolve(image_ref(proxy.host() + "/team/app:v1"), in(seconds(10)));
  REQUIRE(digest.ok());
  CHECK(*digest == image.digest);
  CHECK(Clock::now() - started >= milliseconds(950));
  CHECK(proxy.count({"HEAD /v2/team/app/manifests/v1 429"}) == 1);
  CHECK(proxy.count({"HEAD /v2/team/app/manifests/v1 200"}) == 1);
}

TEST_CASE("a 429 asking to wait past the deadline is reported at once as rate limiting", "[oci][faults]") {
  auto& image = signed_image();
  FaultProxy proxy(image.registry, {std::string(kTag) + " status=429 retry_after=30"});
  FaultClient c(proxy);
  const auto started = Clock::now();
  const Error error = error_of(c.resolve(image_ref(proxy.host() + "/team/app:v1"), started + seconds(3)));
  CHECK(Clock::now() - started < milliseconds(1000));
  CHECK(error.kind == Error::Kind::Unavailable);
  CHECK_THAT(error.message, Catch::Contains("rate limited by the registry (429)"));
  CHECK(proxy.count({"/v2/team/app/manifests/v1 429"}) == 1);
}

TEST_CASE("a 503 without Retry-After is retried with backoff until it succeeds", "[oci][faults]") {
  auto& image = signed_image();
  FaultProxy proxy(image.registry, {std::string(kTag) + " status=503 count=2"});
  FaultClient c(proxy);
  const auto started = Clock::now();
  auto digest = c.resolve(image_ref(proxy.host() + "/team/app:v1"), in(seconds(10)));
  REQUIRE(digest.ok());
  CHECK(*digest == image.digest);
  // 200 ms, then 400 ms.
  CHECK(Clock::now() - started >= milliseconds(550));
  CHECK(proxy.count({"/v2/team/app/manifests/v1 503"}) == 2);
  CHECK(proxy.count({"/v2/team/app/manifests/v1 200"}) == 1);
}

TEST_CASE("a registry that keeps answering 503 is a registry error after three attempts", "[oci][faults]") {
  auto& image = signed_image();
  FaultProxy proxy(image.registry, {std::string(kTag) + " status=503 retry_after=0"});
  FaultClient c(proxy);
  const Error error = error_of(c.resolve(image_ref(proxy.host() + "/team/app:v1"), in(seconds(10))));
  CHECK(error.kind == Error::Kind::Unavailable);
  CHECK_THAT(error.message, Catch::Contains("registry error (HTTP 503)"));
  CHECK(proxy.count({"/v2/team/app/manifests/v1 503"}) == 3);
}

TEST_CASE("a body cut short is a clear Unavailable error", "[oci][faults]") {
  auto& image = signed_image();
  FaultProxy proxy(image.registry, {std::string(kBlobs) + " truncate"});
  FaultClient c(proxy);
  const Error error = error_of(c.signatures(image_ref(proxy.host() + "/team/app@" + image.digest), in(seconds(10))));
  CHECK(error.kind == Error::Kind::Unavailable);
  CHECK_THAT(error.message, Catch::Contains("closed before the whole response arrived") &&
                                Catch::Contains(proxy.host()) && Catch::Contains("blob sha256:"));
}

TEST_CASE("a body that does not match its digest is Invalid and names the digest", "[oci][faults]") {
  auto& image = signed_image();
  FaultProxy honest(image.registry, {});
  auto signatures =
      FaultClient(honest).signatures(image_ref(honest.host() + "/team/app@" + image.digest), in(seconds(10)));
  REQUIRE(signatures.ok());
  REQUIRE(signatures->size() == 1);
  const std::string layer_digest = signet::crypto::sha256_digest((*signatures)[0].payload);

  FaultProxy proxy(image.registry, {std::string(kBlobs) + " corrupt"});
  FaultClient c(proxy);
  const Error error = error_of(c.signatures(image_ref(proxy.host() + "/team/app@" + image.digest), in(seconds(10))));
  CHECK(error.kind == Error::Kind::Invalid);
  CHECK_THAT(error.message, Catch::Contains("does not match its digest") && Catch::Contains(layer_digest));
}

TEST_CASE("an oversized manifest is refused naming max_manifest_bytes", "[oci][faults]") {
  auto& image = signed_image();
  FaultProxy proxy(image.registry, {std::string(kSignatureManifest) + " oversize"});
  FaultClient c(proxy);
  const Error error = error_of(c.signatures(image_ref(proxy.host() + "/team/app@" + image.digest), in(seconds(10))));
  CHECK(error.kind == Error::Kind::Invalid);
  CHECK_THAT(error.message, Catch::Contains("larger than max_manifest_bytes (4194304 bytes)"));
}

TEST_CASE("a redirect loop ends after five redirects", "[oci][faults]") {
  auto& image = signed_image();
  FaultProxy proxy(image.registry, {std::string(kBlobs) + " redirect_loop"});
  FaultClient c(proxy);
  const Error error = error_of(c.signatures(image_ref(proxy.host() + "/team/app@" + image.digest), in(seconds(10))));
  CHECK(error.kind == Error::Kind::Unavailable);
  CHECK_THAT(error.message, Catch::Contains("more than 5 redirects"));
  CHECK(proxy.count({"GET /v2/team/app/blobs/", "302 redirect_loop"}) == 6);
}

TEST_CASE("a blob redirected to another host is fetched from there", "[oci][faults]") {
  auto& image = signed_image();
  FaultProxy proxy(image.registry, {std::string(kBlobs) + " redirect_other_host"});
  FaultClient c(proxy);
  auto signatures = c.signatures(image_ref(proxy.host() + "/team/app@" + image.digest), in(seconds(10)));
  REQUIRE(signatures.ok());
  REQUIRE(signatures->size() == 1);
  CHECK_THAT((*signatures)[0].payload, Catch::Contains(image.digest));
  CHECK(proxy.count({"proxy GET /v2/team/app/blobs/", "302"}) == 1);
  CHECK(proxy.count({"other GET /v2/team/app/blobs/", "200"}) == 1);
}

namespace {

HttpRequest get(const std::string& url) {
  HttpRequest request;
  request.url = *signet::oci::parse_url(url);
  return request;
}

HttpTransportOptions through(const FaultProxy& proxy) {
  HttpTransportOptions options;
  options.insecure_hosts = {proxy.host()};
  return options;
}

}  // namespace

TEST_CASE("sequential requests to one host share one keep-alive connection", "[oci][faults][keep-alive]") {
  auto& image = signed_image();
  FaultProxy proxy(image.registry, {});
  boost::asio::io_context ioc;
  HttpTransport transport(ioc.get_executor(), through(proxy));
  std::vector<HttpExchange> seen;
  transport.set_observer([&](const HttpExchange& e) { seen.push_back(e); });
  for (int i = 0; i < 5; ++i) {
    auto response = run_until_done(ioc, transport.send(get(proxy.url("/v2/")), in(seconds(5))));
    REQUIRE(response.ok());
    CHECK(response->status == 200);
  }
  CHECK(transport.connections_opened() == 1);
  const auto lines = proxy.log();
  REQUIRE(lines.size() == 5);
  const std::size_t at = lines[0].find("conn=");
  const std::string conn = lines[0].substr(at, lines[0].find(' ', at) + 1 - at);  // "conn=PORT "
  CHECK(proxy.count({conn}) == 5);
  // The observer hears of each attempt, with the host and the status.
  REQUIRE(seen.size() == 5);
  CHECK(seen[0].host == proxy.host());
  CHECK(seen[0].method == "GET");
  CHECK(seen[0].status == 200);
  CHECK(seen[0].seconds > 0);
}

TEST_CASE("a connection the server closed while idle is replaced", "[oci][faults][keep-alive]") {
  auto& image = signed_image();
  boost::asio::io_context ioc;

  SECTION("closed after its idle timeout: noticed before use") {
    FaultProxy proxy(image.registry, {}, {"--idle-timeout", "0.2"});
    HttpTransport transport(ioc.get_executor(), through(proxy));
    REQUIRE(run_until_done(ioc, transport.send(get(proxy.url("/v2/")), in(seconds(5)))).ok());
    std::this_thread::sleep_for(milliseconds(500));
    auto second = run_until_done(ioc, transport.send(get(proxy.url("/v2/")), in(seconds(5))));
    REQUIRE(second.ok());
    CHECK(second->status == 200);
    CHECK(transport.connections_opened() == 2);
  }
  SECTION("closed as the request arrives: retried once on a new connection") {
    FaultProxy proxy(image.registry, {}, {"--close-after", "1"});
    HttpTransport transport(ioc.get_executor(), through(proxy));
    std::vector<unsigned> statuses;
    transport.set_observer([&](const HttpExchange& e) { statuses.push_back(e.status); });
    REQUIRE(run_until_done(ioc, transport.send(get(proxy.url("/v2/")), in(seconds(5)))).ok());
    auto second = run_until_done(ioc, transport.send(get(proxy.url("/v2/")), in(seconds(5))));
    REQUIRE(second.ok());
    CHECK(second->status == 200);
    CHECK(transport.connections_opened() == 2);
    // The dropped connection is not a registry failure: only the two answers are observed.
    CHECK(statuses == std::vector<unsigned>{200, 200});
  }
}

TEST_CASE("at most the per-host limit of requests are in flight at once", "[oci][faults][limit]") {
  auto& image = signed_image();
  FaultProxy proxy(image.registry, {"^/v2/$ delay=0.3"});
  boost::asio::io_context ioc;
  HttpTransportOptions options = through(proxy);
  options.max_in_flight_per_host = 2;
  HttpTransport transport(ioc.get_executor(), options);
  std::vector<unsigned> statuses;
  const Deadline deadline = in(seconds(10));
  for (int i = 0; i < 10; ++i) {
    boost::asio::co_spawn(
        ioc,
        [&]() -> boost::asio::awaitable<void> {
          auto response = co_await transport.send(get(proxy.url("/v2/")), deadline);
          statuses.push_back(response.ok() ? response->status : 0);
        },
        [](std::exception_ptr e) {
          if (e) std::rethrow_exception(e);
        });
  }
  ioc.run();
  CHECK(statuses == std::vector<unsigned>(10, 200));
  CHECK(proxy.max_concurrent() == 2);
  CHECK(transport.connections_opened() == 2);
}

TEST_CASE("a request that times out waiting for a slot does not keep it", "[oci][faults][limit]") {
  auto& image = signed_image();
  FaultProxy proxy(image.registry, {"^/v2/$ delay=0.5"});
  boost::asio::io_context ioc;
  HttpTransportOptions options = through(proxy);
  options.max_in_flight_per_host = 1;
  HttpTransport transport(ioc.get_executor(), options);
  std::optional<signet::Result<HttpResponse>> slow, impatient;
  const auto spawn = [&](std::optional<signet::Result<HttpResponse>>& out, Deadline deadline) {
    boost::asio::co_spawn(
        ioc,
        [&, deadline]() -> boost::asio::awaitable<void> {
          out.emplace(co_await transport.send(get(proxy.url("/v2/")), deadline));
        },
        [](std::exception_ptr e) {
          if (e) std::rethrow_exception(e);
        });
  };
  spawn(slow, in(seconds(5)));
  spawn(impatient, in(milliseconds(100)));
  ioc.run();
  REQUIRE(slow->ok());
  const Error error = error_of(*impatient);
  CHECK(error.kind == Error::Kind::Unavailable);
  CHECK_THAT(error.message, Catch::Contains("timed out waiting for a connection slot to " + proxy.host()));
  // With a limit of one, a leaked slot would make this wait until its deadline.
  auto after = run_until_done(ioc, transport.send(get(proxy.url("/v2/")), in(seconds(2))));
  REQUIRE(after.ok());
  CHECK(after->status == 200);
}

TEST_CASE("TLS connections are kept alive and reused too", "[oci][faults][keep-alive]") {
  TestRegistry registry({"--tls"});
  boost::asio::io_context ioc;
  HttpTransportOptions options;
  options.ca_file = registry.ca_file();
  HttpTransport transport(ioc.get_executor(), options);
  for (int i = 0; i < 3; ++i) {
    auto response = run_until_done(ioc, transport.send(get("https://" + registry.host() + "/v2/"), in(seconds(5))));
    REQUIRE(response.ok());
    CHECK(response->status == 200);
  }
  CHECK(transport.connections_opened() == 1);
}

TEST_CASE("requests from many strands on many threads share the pool and the limit", "[oci][faults][limit]") {
  auto& image = signed_image();
  FaultProxy proxy(image.registry, {"^/v2/$ delay=0.05"});
  boost::asio::io_context ioc(4);
  HttpTransportOptions options = through(proxy);
  options.max_in_flight_per_host = 3;
  HttpTransport transport(ioc.get_executor(), options);
  std::mutex mutex;
  std::vector<unsigned> statuses;
  const Deadline deadline = in(seconds(20));
  // As in the server: each admission runs on its own strand, and several threads run the io_context.
  for (int i = 0; i < 24; ++i) {
    boost::asio::co_spawn(
        boost::asio::make_strand(ioc),
        [&]() -> boost::asio::awaitable<void> {
          for (int j = 0; j < 2; ++j) {
            auto response = co_await transport.send(get(proxy.url("/v2/")), deadline);
            std::lock_guard lock(mutex);
            statuses.push_back(response.ok() ? response->status : 0);
          }
        },
        [](std::exception_ptr e) {
          if (e) std::rethrow_exception(e);
        });
  }
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) threads.emplace_back([&] { ioc.run(); });
  for (auto& thread : threads) thread.join();
  CHECK(statuses == std::vector<unsigned>(48, 200));
  CHECK(proxy.max_concurrent() <= 3);
  CHECK(transport.connections_opened() <= 3);
}

TEST_CASE("a registry with the referrers API is asked through it, and its answer filtered", "[oci][referrers]") {
  // docker-registry 2.8 has no referrers API: the proxy answers /referrers/ as a registry that has one
  // would, with an index of two artifacts of which only one has the type asked for.
  TestRegistry registry;
  TempDir files;
  const std::string digest = registry.push("team/app:v1", "referrers api");
  const std::string layer = files / "bundle.json";
  std::ofstream(layer) << R"({"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json"})";
  const std::string bundle_type = "application/vnd.dev.sigstore.bundle.v0.3+json";
  const std::string bundle = run_ok(support_command(
      "push_artifact.py", {registry.host(), "team/app", "--plain-http", "--subject", digest, "--artifact-type",
                           bundle_type, "--layer", "application/vnd.dev.sigstore.bundle.v0.3+json=" + layer}));
  const std::string index = files / "referrers.json";
  std::ofstream(index) << R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[)"
                       << R"({"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":")" << bundle
                       << R"(","size":1,"artifactType":")" << bundle_type << R"("},)"
                       << R"({"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:)"
                       << std::string(64, 'c') << R"(","size":1,"artifactType":"application/spdx+json"}]})";
  FaultProxy proxy(registry,
                   {"/v2/team/app/referrers/ serve=" + index + " type=application/vnd.oci.image.index.v1+json"});
  FaultClient c(proxy);
  const Reference image = image_ref(proxy.host() + "/team/app@" + digest);

  auto found = run_until_done(c.ioc, c.client.referrers(image, bundle_type, in(seconds(5))));
  REQUIRE(found.ok());
  REQUIRE(found->size() == 1);
  CHECK((*found)[0].digest == bundle);
  auto layers = run_until_done(c.ioc, c.client.artifact_layers(image.with_digest(bundle), in(seconds(5))));
  REQUIRE(layers.ok());
  REQUIRE(layers->size() == 1);
  CHECK_THAT((*layers)[0].payload, Catch::Contains("sigstore.bundle"));
  // The filter was sent, and the tag schema was not needed.
  CHECK(proxy.count({"GET /v2/team/app/referrers/" + digest + "?artifactType=application%2Fvnd.dev.sigstore"}) == 1);
  CHECK(proxy.count({"/manifests/sha256-"}) == 0);
}
