#include <catch2/catch.hpp>

#include "policy/image_extractor.hpp"

using namespace signet::policy;

namespace {

json::Value object(const char* text) {
  auto parsed = json::parse(text);
  REQUIRE(parsed.ok());
  return *parsed;
}

ImageExtractor extractor(std::vector<std::string> fields, std::string value, std::string key = "",
                         std::string jmes_path = "", std::string name = "custom") {
  return ImageExtractor{std::move(fields), std::move(value), std::move(name), std::move(key), std::move(jmes_path)};
}

}  // namespace

TEST_CASE("images are found along a path whose * expands lists", "[policy][extractors]") {
  const auto task = object(R"({"spec":{"steps":[{"name":"build","image":"ko:v1"},{"name":"test","image":"go:1.22"},
                                               {"name":"empty","image":" "}]}})");
  auto found = extract_images(task, {extractor({"spec", "steps", "*"}, "image", "name", "", "steps")});
  REQUIRE(found.ok());
  REQUIRE(found->size() == 2);  // an empty image field is skipped, as Kyverno skips it
  CHECK((*found)[0].image == "ko:v1");
  CHECK((*found)[0].json_pointer == "/spec/steps/0/image");
  CHECK((*found)[0].container == "build");
  CHECK((*found)[0].group == "steps");
  CHECK((*found)[1].json_pointer == "/spec/steps/1/image");
}

TEST_CASE("* also expands the values of a map, and missing fields find nothing", "[policy][extractors]") {
  const auto service = object(R"({"spec":{"images":{"web":{"ref":"nginx:1"},"a/b":{"ref":"redis:7"}}}})");
  auto found = extract_images(service, {extractor({"spec", "images", "*"}, "ref")});
  REQUIRE(found.ok());
  REQUIRE(found->size() == 2);
  CHECK((*found)[1].json_pointer == "/spec/images/a~1b/ref");
  CHECK((*found)[1].container == "/spec/images/a~1b/ref");  // without a key, the pointer names it
  auto none = extract_images(service, {extractor({"spec", "missing", "*"}, "ref")});
  REQUIRE(none.ok());
  CHECK(none->empty());
}

TEST_CASE("a jmesPath transforms the image and leaves nothing to pin", "[policy][extractors]") {
  const auto run = object(R"({"spec":{"taskRef":{"name":"build","bundle":"docker://reg.example/task:v1"}}})");
  auto found = extract_images(run, {extractor({"spec", "taskRef"}, "bundle", "name", "trim_prefix(@, 'docker://')")});
  REQUIRE(found.ok());
  REQUIRE(found->size() == 1);
  CHECK((*found)[0].image == "reg.example/task:v1");
  CHECK((*found)[0].json_pointer.empty());
}

TEST_CASE("paths through the wrong shape, bad keys and failing jmesPath are errors naming where",
          "[policy][extractors]") {
  CHECK_THAT(extract_images(object(R"({"spec":{"steps":"x"}})"), {extractor({"spec", "steps", "*"}, "image")})
                 .error()
                 .message,
             Catch::Contains("/spec/steps is neither a list nor an object"));
  CHECK_THAT(extract_images(object(R"({"spec":{"steps":[{"image":"a","name":3}]}})"),
                            {extractor({"spec", "steps", "*"}, "image", "name")})
                 .error()
                 .message,
             Catch::Contains("/spec/steps/0/name (the key) is not a string"));
  CHECK_THAT(extract_images(object(R"({"spec":{"image":"a"}})"), {extractor({"spec"}, "image", "", "length(@)")})
                 .error()
                 .message,
             Catch::Contains("must produce a string"));
}

#include "engine_test_support.hpp"

TEST_CASE("a rule with imageExtractors verifies the images it finds in any kind", "[policy][extractors]") {
  using namespace signet::policy::test;
  static const TestKey key = TestKey::ec_p256();
  const std::string app = "127.0.0.1:5000/tasks/build";
  FakeRegistry registry;
  registry.sign(app, kDigestV1, signature_by(key, payload_for(app, kDigestV1)));

  Policy policy = pod_policy({verify_entry({"127.0.0.1:5000/*"}, {attestor_set({key_attestor({&key})})})});
  policy.rules[0].match.resources.kinds = {"TaskRun"};
  policy.rules[0].image_extractors["TaskRun"] = {extractor({"spec", "taskRef"}, "bundle", "name")};
  PolicySet set;
  set.policies.push_back(policy);

  auto request = pod_request();
  request.kind = "TaskRun";
  request.group = "tekton.dev";
  const auto review = [&](const std::string& bundle) {
    request.json = json::Object{
        {"object", json::Object{{"spec", json::Object{{"taskRef", json::Object{{"name", json::Value("build")},
                                                                                {"bundle", json::Value(bundle)}}}}}}}};
    return run(set, request, {}, Mode::Validate, registry);
  };
  const auto signed_bundle = review(app + "@" + kDigestV1);
  CHECK(signed_bundle.allowed);
  REQUIRE(signed_bundle.results.size() == 1);
  CHECK(signed_bundle.results[0].status == RuleStatus::Pass);
  const auto unsigned_bundle = review("127.0.0.1:5000/tasks/other@" + kDigestV1);
  CHECK_FALSE(unsigned_bundle.allowed);
  CHECK_THAT(unsigned_bundle.message, Catch::Contains("tasks/other"));
}
