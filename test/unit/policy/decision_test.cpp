#include <catch2/catch.hpp>

#include "policy/decision.hpp"

using namespace signet::policy;

namespace {

RuleResult result(std::string image, RuleStatus status, bool enforce, std::string message,
                  std::string policy = "check-signatures", std::string rule = "verify-cosign") {
  return RuleResult{std::move(policy), std::move(rule), std::move(image), status, enforce, std::move(message), "",
                    std::nullopt};
}

PinCandidate pin(std::string image, std::string path) {
  return PinCandidate{image, PatchOperation{"replace", std::move(path), image + "@sha256:" + std::string(64, 'a')}};
}

std::size_t characters(const std::string& s) {
  std::size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

}  // namespace

TEST_CASE("an Enforce failure denies, naming policy, rule, image and reason", "[policy][decision]") {
  auto d = decide({result("127.0.0.1:5000/app:v1", RuleStatus::Fail, true, "no signatures found")}, {}, Mode::Validate);
  CHECK_FALSE(d.allowed);
  CHECK(d.message ==
        "image 127.0.0.1:5000/app:v1 denied by policy check-signatures rule verify-cosign: no signatures found");
  CHECK(d.warnings.empty());
  REQUIRE(d.results.size() == 1);
}

TEST_CASE("an Enforce error (could not tell) denies too, never allows", "[policy][decision]") {
  auto d = decide({result("ghcr.io/a/b:1", RuleStatus::Error, true, "registry unreachable")}, {}, Mode::Validate);
  CHECK_FALSE(d.allowed);
  CHECK_THAT(d.message, Catch::Contains("registry unreachable"));
}

TEST_CASE("every Enforce failure is listed in the denial", "[policy][decision]") {
  auto d =
      decide({result("a:1", RuleStatus::Fail, true, "no signatures found"), result("b:1", RuleStatus::Pass, true, ""),
              result("c:1", RuleStatus::Fail, true, "wrong key", "other", "r2")},
             {}, Mode::Validate);
  CHECK_FALSE(d.allowed);
  CHECK_THAT(d.message,
             Catch::Contains("image a:1 denied by policy check-signatures rule verify-cosign: no signatures found"));
  CHECK_THAT(d.message, Catch::Contains("image c:1 denied by policy other rule r2: wrong key"));
  CHECK_THAT(d.message, !Catch::Contains("b:1"));
}

TEST_CASE("Audit failures allow with one short warning each and an audit annotation", "[policy][decision]") {
  const std::string long_reason(300, 'x');
  auto d = decide({result("a:1", RuleStatus::Fail, false, "no signatures found"),
                   result("b:1", RuleStatus::Error, false, long_reason)},
                  {}, Mode::Validate);
  CHECK(d.allowed);
  CHECK(d.message.empty());
  REQUIRE(d.warnings.size() == 2);
  CHECK(d.warnings[0] == "check-signatures/verify-cosign: a:1: no signatures found");
  CHECK(characters(d.warnings[1]) == 120);
  CHECK(d.warnings[1].ends_with("…"));
  REQUIRE(d.audit_annotations.contains("check-signatures.verify-cosign"));
  CHECK_THAT(d.audit_annotations["check-signatures.verify-cosign"], Catch::Contains("a:1: no signatures found"));
}

TEST_CASE("passes and skips leave the request allowed without warnings", "[policy][decision]") {
  auto d = decide({result("a:1", RuleStatus::Pass, true, ""), result("b:1", RuleStatus::Skip, true, "skipped")}, {},
                  Mode::Validate);
  CHECK(d.allowed);
  CHECK(d.warnings.empty());
  CHECK(d.audit_annotations.empty());
}

TEST_CASE("Mutate keeps pins only for images no rule failed, once per path", "[policy][decision]") {
  auto d = decide(
      {result("a:1", RuleStatus::Pass, false, ""), result("b:1", RuleStatus::Fail, false, "no signatures found")},
      {pin("a:1", "/spec/containers/0/image"), pin("a:1", "/spec/containers/0/image"),
       pin("b:1", "/spec/containers/1/image")},
      Mode::Mutate);
  CHECK(d.allowed);
  REQUIRE(d.patch.size() == 1);
  CHECK(d.patch[0].path == "/spec/containers/0/image");
  CHECK(d.patch[0].op == "replace");
  CHECK(d.warnings.size() == 1);
}

TEST_CASE("a denied Mutate request carries no patch", "[policy][decision]") {
  auto d = decide({result("a:1", RuleStatus::Pass, true, ""), result("b:1", RuleStatus::Fail, true, "bad")},
                  {pin("a:1", "/spec/containers/0/image")}, Mode::Mutate);
  CHECK_FALSE(d.allowed);
  CHECK(d.patch.empty());
}

TEST_CASE("Validate mode never patches", "[policy][decision]") {
  auto d =
      decide({result("a:1", RuleStatus::Pass, true, "")}, {pin("a:1", "/spec/containers/0/image")}, Mode::Validate);
  CHECK(d.patch.empty());
}

TEST_CASE("truncation counts characters and never splits one", "[policy][decision]") {
  CHECK(truncate_utf8("short", 120) == "short");
  CHECK(truncate_utf8("abcdef", 4) == "abc…");
  const std::string accents = "ééééé";
  CHECK(truncate_utf8(accents, 3) == "éé…");
  CHECK(truncate_utf8(accents, 5) == accents);
}

TEST_CASE("audit annotation keys are names Kubernetes accepts", "[policy][decision]") {
  CHECK(audit_annotation_key("check-signatures", "verify-cosign") == "check-signatures.verify-cosign");
  CHECK(audit_annotation_key("team-a/check", "verify") == "team-a.check.verify");
  const auto key = audit_annotation_key(std::string(80, 'p'), "rule");
  CHECK(key.size() <= 63);
  CHECK(audit_annotation_key("-x-", "_") == "x");
}

TEST_CASE("result statuses have their metric label names", "[policy][decision]") {
  CHECK(std::string(to_string(RuleStatus::Pass)) == "pass");
  CHECK(std::string(to_string(RuleStatus::Fail)) == "fail");
  CHECK(std::string(to_string(RuleStatus::Error)) == "error");
  CHECK(std::string(to_string(RuleStatus::Skip)) == "skip");
}
