#include <catch2/catch.hpp>

#include <cctype>
#include <filesystem>
#include <fstream>

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <boost/asio/io_context.hpp>

#include "server/admission_review.hpp"
#include "server/log.hpp"
#include "server/run_sync.hpp"
#include "server/webhook.hpp"

namespace asio = boost::asio;
using namespace signet;
using server::Level;
using server::LogFormat;

namespace {

// Captures what the log writes while alive; restores stderr, text and info after.
struct CapturedLog {
  explicit CapturedLog(LogFormat format, Level level = Level::Info) {
    server::set_log_format(format);
    server::set_log_level(level);
    server::set_log_sink([this](const std::string& line) { lines.push_back(line); });
  }
  ~CapturedLog() {
    server::set_log_sink(nullptr);
    server::set_log_format(LogFormat::Text);
    server::set_log_level(Level::Info);
  }
  std::vector<std::string> lines;
};

rapidjson::Document parse_line(const std::string& line) {
  REQUIRE(!line.empty());
  CHECK(line.back() == '\n');
  CHECK(line.find('\n') == line.size() - 1);  // exactly one line
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseValidateEncodingFlag>(line.c_str());
  INFO(line);
  REQUIRE_FALSE(doc.HasParseError());
  REQUIRE(doc.IsObject());
  return doc;
}

// Every registry call fails with `message`, as a registry error quoting its request would.
class FailingRegistry final : public oci::Registry {
 public:
  explicit FailingRegistry(std::string message) : message_(std::move(message)) {}
  asio::awaitable<Result<std::string>> resolve_digest(const oci::Reference&, oci::Pull) override {
    co_return Error::unavailable(message_);
  }
  asio::awaitable<Result<std::vector<oci::CosignSignature>>> cosign_signatures(const oci::Reference&,
                                                                               const std::optional<std::string>&,
                                                                               oci::Pull) override {
    co_return Error::unavailable(message_);
  }
  asio::awaitable<Result<std::vector<oci::CosignLayer>>> cosign_attestations(const oci::Reference&,
                                                                             const std::optional<std::string>&,
                                                                             oci::Pull) override {
    co_return Error::unavailable(message_);
  }
  asio::awaitable<Result<std::vector<oci::CosignLayer>>> artifact_layers(const oci::Reference&, oci::Pull) override {
    co_return Error::unavailable(message_);
  }
  asio::awaitable<Result<std::vector<oci::Referrer>>> referrers(const oci::Reference&, const std::string&,
                                                                oci::Pull) override {
    co_return Error::unavailable(message_);
  }

 private:
  std::string message_;
};

const char* const kLoggedPolicy = R"(apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: check-signatures
spec:
  validationFailureAction: Enforce
  rules:
    - name: verify-cosign
      match:
        any:
          - resources:
              kinds: [Pod]
      verifyImages:
        - imageReferences: ["*"]
          attestors:
            - entries:
                - keys:
                    publicKeys: |-
                      -----BEGIN PUBLIC KEY-----
                      MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEOhQjyeDSS+Gp5VJFB6Ak6OOcWQX5
                      mqO2eyV33xNp4LaqKQ4/w1WhuoL4NZXkYIMdiHwZaRvabRlYBDYFZ/15iQ==
                      -----END PUBLIC KEY-----
                    rekor:
                      ignoreTlog: true
)";

std::string pod_review(const std::vector<std::string>& images) {
  std::string containers;
  for (std::size_t i = 0; i < images.size(); ++i)
    containers +=
        (i ? "," : "") + std::string(R"({"name":"c)") + std::to_string(i) + R"(","image":")" + images[i] + R"("})";
  return R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"7f0c-review","operation":"CREATE",)"
         R"("kind":{"group":"","version":"v1","kind":"Pod"},"namespace":"team-a","name":"web",)"
         R"("object":{"metadata":{"name":"web","namespace":"team-a"},"spec":{"containers":[)" +
         containers + "]}}}}";
}

// signet's webhook over one policy and a registry failing with `registry_error`.
struct Webhook {
  explicit Webhook(std::string registry_error)
      : dir(std::filesystem::temp_directory_path() / ("signet-log-" + std::to_string(::getpid()))),
        registry(std::move(registry_error)) {
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "policy.yaml") << kLoggedPolicy;
    policies = std::make_unique<policy::PolicyStore>(dir);
    auto report = policies->reload(true);
    REQUIRE(report);
    for (const auto& error : report->errors) FAIL(error.to_string());
    webhook = std::make_unique<server::Webhook>(
        *policies, registry, metrics, server::WebhookOptions{std::chrono::seconds(5), nullptr, {}, {}, nullptr});
  }
  ~Webhook() { std::filesystem::remove_all(dir); }

  server::HttpAnswer review(const std::string& body) {
    return server::run_sync<server::HttpAnswer>(io, [&] { return webhook->handle("POST", "/validate", body); });
  }

  std::filesystem::path dir;
  FailingRegistry registry;
  server::Metrics metrics;
  std::unique_ptr<policy::PolicyStore> policies;
  std::unique_ptr<server::Webhook> webhook;
  asio::io_context io;
};

}  // namespace

TEST_CASE("a JSON log line is one object with an RFC 3339 time, the level, the message and the fields",
          "[server][log]") {
  CapturedLog captured(LogFormat::Json);
  server::log(Level::Warning, "policy reload refused", {{"refused", 2}, {"path", "/policies"}, {"first", true}});
  REQUIRE(captured.lines.size() == 1);
  auto doc = parse_line(captured.lines[0]);
  REQUIRE(doc["ts"].IsString());
  // RFC 3339 in UTC with milliseconds: "2025-06-01T12:00:00.123Z" (digits where the shape has 9).
  const std::string ts = doc["ts"].GetString();
  const std::string shape = "9999-99-99T99:99:99.999Z";
  REQUIRE(ts.size() == shape.size());
  for (std::size_t i = 0; i < ts.size(); ++i) {
    CHECK((shape[i] == '9' ? std::isdigit(static_cast<unsigned char>(ts[i])) != 0 : ts[i] == shape[i]));
  }
  CHECK(std::string(doc["level"].GetString()) == "warning");
  CHECK(std::string(doc["msg"].GetString()) == "policy reload refused");
  CHECK(doc["refused"].GetInt() == 2);
  CHECK(std::string(doc["path"].GetString()) == "/policies");
  CHECK(doc["first"].GetBool());
}

TEST_CASE("the text log line reads as time, level, message and key=value pairs", "[server][log]") {
  CHECK(server::format_log_line(LogFormat::Text, "2025-01-02T03:04:05.678Z", Level::Info, "policies reloaded",
                                {{"policies", 3}, {"path", "/etc/signet policies"}, {"empty", ""}}) ==
        R"(2025-01-02T03:04:05.678Z info policies reloaded policies=3 path="/etc/signet policies" empty="")");
}

TEST_CASE("lines below the chosen level are not written", "[server][log]") {
  CapturedLog captured(LogFormat::Text, Level::Warning);
  server::log(Level::Debug, "debug detail");
  server::log(Level::Info, "routine");
  server::log(Level::Error, "broken");
  REQUIRE(captured.lines.size() == 1);
  CHECK_THAT(captured.lines[0], Catch::Contains(" error broken"));
}

TEST_CASE("control characters and bytes that are not UTF-8 still make one valid JSON line", "[server][log]") {
  CapturedLog captured(LogFormat::Json);
  server::log(Level::Info, "line one\nline \"two\"\t\x01", {{"image", std::string("app\xff\xfe:v1")}, {"ok", "é"}});
  REQUIRE(captured.lines.size() == 1);
  auto doc = parse_line(captured.lines[0]);
  CHECK(std::string(doc["msg"].GetString()) == "line one\nline \"two\"\t\x01");
  CHECK(std::string(doc["image"].GetString()) == "app\xef\xbf\xbd\xef\xbf\xbd:v1");  // U+FFFD twice
  CHECK(std::string(doc["ok"].GetString()) == "é");
}

TEST_CASE("the text format keeps a multi-line message on one line", "[server][log]") {
  const std::string line = server::format_log_line(LogFormat::Text, "t", Level::Error, "a\nb", {{"why", "x\ny"}});
  CHECK(line == R"(t error a b why="x\ny")");
}

TEST_CASE("a denied review is one JSON line with its request, decision, failing rule, reason and duration",
          "[server][log][admission]") {
  Webhook webhook("registry registry.example is unreachable: connection refused");
  CapturedLog captured(LogFormat::Json);
  auto answer = webhook.review(pod_review({"registry.example/app@sha256:" + std::string(64, 'a')}));
  REQUIRE(answer.allowed == std::optional<bool>(false));
  REQUIRE(captured.lines.size() == 1);
  auto doc = parse_line(captured.lines[0]);
  CHECK(std::string(doc["level"].GetString()) == "warning");
  CHECK(std::string(doc["msg"].GetString()) == "admission");
  CHECK(std::string(doc["uid"].GetString()) == "7f0c-review");
  CHECK(std::string(doc["kind"].GetString()) == "Pod");
  CHECK(std::string(doc["namespace"].GetString()) == "team-a");
  CHECK(std::string(doc["name"].GetString()) == "web");
  CHECK(std::string(doc["operation"].GetString()) == "CREATE");
  CHECK(std::string(doc["mode"].GetString()) == "validate");
  CHECK(std::string(doc["decision"].GetString()) == "denied");
  CHECK(doc["images"].GetInt() == 1);
  REQUIRE(doc["duration_seconds"].IsNumber());
  CHECK(doc["duration_seconds"].GetDouble() >= 0);
  CHECK(doc["duration_seconds"].GetDouble() < 5);
  REQUIRE(doc["failures"].IsArray());
  REQUIRE(doc["failures"].Size() == 1);
  const auto& failure = doc["failures"][0];
  CHECK(std::string(failure["policy"].GetString()) == "check-signatures");
  CHECK(std::string(failure["rule"].GetString()) == "verify-cosign");
  CHECK(std::string(failure["image"].GetString()) == "registry.example/app@sha256:" + std::string(64, 'a'));
  CHECK(std::string(failure["result"].GetString()) == "error");
  CHECK(std::string(failure["mode"].GetString()) == "enforce");
  CHECK_THAT(failure["reason"].GetString(), Catch::Contains("unreachable: connection refused"));
}

TEST_CASE("an allowed review is logged at info with no failures", "[server][log][admission]") {
  Webhook webhook("unused");
  CapturedLog captured(LogFormat::Json);
  auto answer = webhook.review(R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{)"
                               R"("uid":"u-2","operation":"DELETE","kind":{"group":"","version":"v1","kind":"Pod"},)"
                               R"("namespace":"team-a","name":"web"}})");
  REQUIRE(answer.allowed == std::optional<bool>(true));
  REQUIRE(captured.lines.size() == 1);
  auto doc = parse_line(captured.lines[0]);
  CHECK(std::string(doc["level"].GetString()) == "info");
  CHECK(std::string(doc["decision"].GetString()) == "allowed");
  CHECK(std::string(doc["operation"].GetString()) == "DELETE");
  CHECK_FALSE(doc.HasMember("failures"));
}

TEST_CASE("credentials in a review's images and in registry errors never reach the admission line",
          "[server][log][admission][redaction]") {
  const std::string jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJyb2JvdCJ9.c2lnbmF0dXJl";
  Webhook webhook(
      "GET https://registry.example/v2/app/manifests/1?token=s3cr3t-query-token: 401 Unauthorized "
      "(sent Authorization: Bearer " +
      jwt + ")");
  for (auto format : {LogFormat::Json, LogFormat::Text}) {
    CapturedLog captured(format);
    auto answer = webhook.review(
        pod_review({"robot:hunter2@registry.example/app:1", "registry.example/app@sha256:" + std::string(64, 'b')}));
    REQUIRE(answer.allowed == std::optional<bool>(false));
    REQUIRE(captured.lines.size() == 1);
    const std::string& line = captured.lines[0];
    INFO(line);
    CHECK(line.find("hunter2") == std::string::npos);
    CHECK(line.find("s3cr3t-query-token") == std::string::npos);
    CHECK(line.find(jwt) == std::string::npos);
    CHECK(line.find("eyJ") == std::string::npos);
    // What is left still tells an operator what happened.
    CHECK_THAT(line, Catch::Contains("robot:REDACTED@registry.example/app:1"));
    CHECK_THAT(line, Catch::Contains("Authorization: Bearer REDACTED"));
    CHECK_THAT(line, Catch::Contains("401 Unauthorized"));
    if (format == LogFormat::Json) {
      auto doc = parse_line(line);
      CHECK(doc["failures"].Size() == 2);
    }
  }
}

TEST_CASE("log levels and formats are parsed from their flag values", "[server][log]") {
  CHECK(server::parse_log_level("debug") == Level::Debug);
  CHECK(server::parse_log_level("error") == Level::Error);
  CHECK_FALSE(server::parse_log_level("verbose"));
  CHECK(server::parse_log_format("json") == LogFormat::Json);
  CHECK(server::parse_log_format("text") == LogFormat::Text);
  CHECK_FALSE(server::parse_log_format("logfmt"));
}
