#include <catch2/catch.hpp>

#include <rapidjson/document.h>

#include "crypto/encoding.hpp"
#include "server/admission_review.hpp"

using signet::server::decode_admission_review;
using signet::server::encode_admission_response;

namespace {

std::string review_with(const std::string& request) {
  return R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":)" + request + "}";
}

const std::string kPodRequest = R"({
  "uid": "705ab4f5-6393-11e8-b7cc-42010a800002",
  "kind": {"group": "", "version": "v1", "kind": "Pod"},
  "resource": {"group": "", "version": "v1", "resource": "pods"},
  "namespace": "team-a", "operation": "CREATE",
  "userInfo": {"username": "alice", "groups": ["system:authenticated", "devs"]},
  "object": {"apiVersion": "v1", "kind": "Pod",
             "metadata": {"name": "web", "labels": {"app": "web"}, "annotations": {"team": "a"}},
             "spec": {"initContainers": [{"name": "init", "image": "busybox:1.36"}],
                      "containers": [{"name": "app", "image": "ghcr.io/acme/web:v1"},
                                     {"name": "side", "image": "nginx@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"}]}},
  "dryRun": false
})";

}  // namespace

TEST_CASE("a Pod review decodes with its request fields and every image", "[server][review]") {
  auto review = decode_admission_review(review_with(kPodRequest));
  REQUIRE(review.ok());
  CHECK(review->uid == "705ab4f5-6393-11e8-b7cc-42010a800002");
  CHECK(review->request.operation == "CREATE");
  CHECK(review->request.kind == "Pod");
  CHECK(review->request.version == "v1");
  CHECK(review->request.namespace_name == "team-a");
  CHECK(review->request.name == "web");
  CHECK(review->request.labels.at("app") == "web");
  CHECK(review->request.annotations.at("team") == "a");
  CHECK(review->request.user.username == "alice");
  CHECK(review->request.user.groups.size() == 2);
  REQUIRE(review->images.size() == 3);
  CHECK(review->images[0].image == "busybox:1.36");
  CHECK(review->images[0].json_pointer == "/spec/initContainers/0/image");
  CHECK(review->images[1].json_pointer == "/spec/containers/0/image");
  CHECK(review->images[2].container == "side");
}

TEST_CASE("malformed reviews are refused naming what is wrong", "[server][review]") {
  auto error_of = [](const std::string& body) {
    auto review = decode_admission_review(body);
    REQUIRE_FALSE(review.ok());
    return review.error().message;
  };
  CHECK_THAT(error_of("{not json"), Catch::Contains("not valid JSON"));
  CHECK_THAT(error_of("[]"), Catch::Contains("not a JSON object"));
  CHECK_THAT(error_of(R"({"apiVersion":"admission.k8s.io/v1beta1","kind":"AdmissionReview","request":{}})"),
             Catch::Contains("apiVersion must be admission.k8s.io/v1"));
  CHECK_THAT(error_of(R"({"apiVersion":"admission.k8s.io/v1","kind":"Pod","request":{}})"),
             Catch::Contains("kind must be AdmissionReview"));
  CHECK_THAT(error_of(R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"})"),
             Catch::Contains("request is missing"));
  CHECK_THAT(error_of(review_with(R"({"operation":"CREATE","kind":{"kind":"Pod"},"object":{}})")),
             Catch::Contains("request.uid is missing"));
  CHECK_THAT(error_of(review_with(R"({"uid":7,"operation":"CREATE","kind":{"kind":"Pod"},"object":{}})")),
             Catch::Contains("request.uid must be a string"));
  CHECK_THAT(error_of(review_with(R"({"uid":"u","operation":"PATCH","kind":{"kind":"Pod"},"object":{}})")),
             Catch::Contains("request.operation must be"));
  CHECK_THAT(error_of(review_with(R"({"uid":"u","operation":"CREATE","object":{}})")),
             Catch::Contains("request.kind is missing"));
  CHECK_THAT(error_of(review_with(R"({"uid":"u","operation":"CREATE","kind":{"kind":"Pod"}})")),
             Catch::Contains("request.object is missing for CREATE"));
  CHECK_THAT(error_of(review_with(
                 R"({"uid":"u","operation":"CREATE","kind":{"kind":"Pod"},"object":{"spec":{"containers":{}}}})")),
             Catch::Contains("spec.containers is not a list"));
  CHECK_THAT(
      error_of(review_with(
          R"({"uid":"u","operation":"CREATE","kind":{"kind":"Pod"},"object":{"spec":{"containers":[{"name":"a"}]}}})")),
      Catch::Contains("spec.containers[0].image is missing"));
  CHECK_THAT(error_of(review_with(
                 R"({"uid":"u","operation":"CREATE","kind":{"kind":"Pod"},"object":{"metadata":{"labels":{"a":1}}}})")),
             Catch::Contains("metadata.labels.a must be a string"));
}

TEST_CASE("images are found in the pod template of every controller kind", "[server][review]") {
  const std::string pod_spec =
      R"({"containers":[{"name":"a","image":"app:1"}],"initContainers":[{"name":"i","image":"init:1"}],)"
      R"("ephemeralContainers":[{"name":"e","image":"debug:1"}]})";
  const std::string template_spec = R"({"template":{"spec":)" + pod_spec + "}}";
  struct Case {
    std::string kind, group, object, pointer;
  };
  std::vector<Case> cases = {
      {"Pod", "", R"({"spec":)" + pod_spec + "}", "/spec"},
      {"Deployment", "apps", R"({"spec":)" + template_spec + "}", "/spec/template/spec"},
      {"ReplicaSet", "apps", R"({"spec":)" + template_spec + "}", "/spec/template/spec"},
      {"StatefulSet", "apps", R"({"spec":)" + template_spec + "}", "/spec/template/spec"},
      {"DaemonSet", "apps", R"({"spec":)" + template_spec + "}", "/spec/template/spec"},
      {"Job", "batch", R"({"spec":)" + template_spec + "}", "/spec/template/spec"},
      {"CronJob", "batch", R"({"spec":{"jobTemplate":{"spec":)" + template_spec + "}}}",
       "/spec/jobTemplate/spec/template/spec"},
  };
  for (const auto& c : cases) {
    INFO(c.kind);
    auto review = decode_admission_review(review_with(R"({"uid":"u","operation":"CREATE","kind":{"group":")" + c.group +
                                                      R"(","version":"v1","kind":")" + c.kind + R"("},"object":)" +
                                                      c.object + "}"));
    REQUIRE(review.ok());
    REQUIRE(review->images.size() == 3);
    CHECK(review->images[0].image == "init:1");
    CHECK(review->images[0].json_pointer == c.pointer + "/initContainers/0/image");
    CHECK(review->images[1].image == "app:1");
    CHECK(review->images[1].json_pointer == c.pointer + "/containers/0/image");
    CHECK(review->images[2].image == "debug:1");
    CHECK(review->images[2].json_pointer == c.pointer + "/ephemeralContainers/0/image");
  }
}

TEST_CASE("kinds without a pod and non-image subresources carry no images", "[server][review]") {
  auto service = decode_admission_review(review_with(
      R"({"uid":"u","operation":"CREATE","kind":{"version":"v1","kind":"Service"},"object":{"spec":{"containers":[{"image":"x"}]}}})"));
  REQUIRE(service.ok());
  CHECK(service->images.empty());
  auto status = decode_admission_review(review_with(
      R"({"uid":"u","operation":"UPDATE","subResource":"status","kind":{"version":"v1","kind":"Pod"},"object":{"spec":{"containers":[{"image":"x"}]}}})"));
  REQUIRE(status.ok());
  CHECK(status->images.empty());
  auto ephemeral = decode_admission_review(review_with(
      R"({"uid":"u","operation":"UPDATE","subResource":"ephemeralcontainers","kind":{"version":"v1","kind":"Pod"},"object":{"spec":{"ephemeralContainers":[{"name":"d","image":"debug:1"}]}}})"));
  REQUIRE(ephemeral.ok());
  REQUIRE(ephemeral->images.size() == 1);
  CHECK(ephemeral->images[0].image == "debug:1");
}

TEST_CASE("UPDATE reviews carry the old object's images too", "[server][review]") {
  auto review = decode_admission_review(
      review_with(R"({"uid":"u","operation":"UPDATE","kind":{"group":"apps","version":"v1","kind":"Deployment"},)"
                  R"("object":{"spec":{"template":{"spec":{"containers":[{"name":"a","image":"app:2"}]}}}},)"
                  R"("oldObject":{"spec":{"template":{"spec":{"containers":[{"name":"a","image":"app:1"}]}}}}})"));
  REQUIRE(review.ok());
  REQUIRE(review->old_images.size() == 1);
  CHECK(review->old_images[0].image == "app:1");
  CHECK(review->images[0].image == "app:2");
}

TEST_CASE("a DELETE review needs no object", "[server][review]") {
  auto review = decode_admission_review(review_with(
      R"({"uid":"u","operation":"DELETE","kind":{"version":"v1","kind":"Pod"},"oldObject":{"spec":{"containers":[{"image":"a"}]}}})"));
  REQUIRE(review.ok());
  CHECK(review->images.empty());
}

TEST_CASE("responses echo apiVersion and uid and carry the decision", "[server][review]") {
  auto review = decode_admission_review(review_with(kPodRequest));
  REQUIRE(review.ok());
  signet::policy::Decision denied;
  denied.allowed = false;
  denied.message = "image x denied by policy p rule r: no signatures found";
  denied.warnings = {"audit: y"};
  rapidjson::Document doc;
  doc.Parse(encode_admission_response(*review, denied).c_str());
  REQUIRE(doc.IsObject());
  CHECK(std::string(doc["apiVersion"].GetString()) == "admission.k8s.io/v1");
  CHECK(std::string(doc["kind"].GetString()) == "AdmissionReview");
  const auto& response = doc["response"];
  CHECK(std::string(response["uid"].GetString()) == review->uid);
  CHECK(response["allowed"].GetBool() == false);
  CHECK(response["status"]["code"].GetInt() == 403);
  CHECK(std::string(response["status"]["message"].GetString()) == denied.message);
  CHECK(std::string(response["warnings"][0].GetString()) == "audit: y");
  CHECK_FALSE(response.HasMember("patch"));

  signet::policy::Decision pinned;
  pinned.patch = {{"replace", "/spec/containers/0/image", "ghcr.io/acme/web:v1@sha256:abc"}};
  pinned.audit_annotations = {{"signet.dev/p.r", "why"}};
  doc.Parse(encode_admission_response(*review, pinned).c_str());
  const auto& allowed = doc["response"];
  CHECK(allowed["allowed"].GetBool());
  CHECK_FALSE(allowed.HasMember("status"));
  CHECK(std::string(allowed["patchType"].GetString()) == "JSONPatch");
  CHECK(std::string(allowed["auditAnnotations"]["signet.dev/p.r"].GetString()) == "why");
  auto patch = signet::crypto::base64_decode(allowed["patch"].GetString());
  REQUIRE(patch.ok());
  CHECK(*patch == R"([{"op":"replace","path":"/spec/containers/0/image","value":"ghcr.io/acme/web:v1@sha256:abc"}])");
}

TEST_CASE("hostile bodies are refused without a crash: deep nesting, bad UTF-8, truncation", "[server][review]") {
  const std::string deep =
      R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":)" + std::string(2'000'000, '[');
  CHECK_FALSE(decode_admission_review(deep).ok());
  auto bad_utf8 = decode_admission_review(review_with("{\"uid\":\"\xff\xfe\",\"operation\":\"CREATE\"}"));
  REQUIRE_FALSE(bad_utf8.ok());
  CHECK_THAT(bad_utf8.error().message, Catch::Contains("encoding"));
  const std::string whole = review_with(kPodRequest);
  for (std::size_t cut = 0; cut < whole.size(); cut += 7) {
    INFO(cut);
    CHECK_FALSE(decode_admission_review(whole.substr(0, cut)).ok());
  }
}

namespace signet::server {
namespace {

std::string deployment_request(const std::string& pod_spec_extra) {
  return R"({"uid":"u1","operation":"CREATE","kind":{"group":"apps","version":"v1","kind":"Deployment"},)"
         R"("namespace":"team","object":{"metadata":{"name":"app"},"spec":{"template":{"spec":{)" +
         pod_spec_extra + R"("containers":[{"name":"app","image":"registry.example/app:1"}]}}}}})";
}

TEST_CASE("the pod spec's service account and image pull secrets are kept for registry reads", "[server][review]") {
  auto review = decode_admission_review(
      review_with(deployment_request(R"("serviceAccountName":"builder","imagePullSecrets":[{"name":"pull"},{}],)")));
  REQUIRE(review.ok());
  CHECK(review->request.has_pod_spec);
  CHECK(review->request.service_account == "builder");
  CHECK(review->request.image_pull_secrets == std::vector<std::string>{"pull"});

  auto plain = decode_admission_review(review_with(deployment_request("")));
  REQUIRE(plain.ok());
  CHECK(plain->request.has_pod_spec);
  CHECK(plain->request.service_account.empty());
  CHECK(plain->request.image_pull_secrets.empty());

  auto malformed = decode_admission_review(review_with(deployment_request(R"("imagePullSecrets":"pull",)")));
  REQUIRE_FALSE(malformed.ok());
  CHECK(malformed.error().message == "request.object: spec.template.spec.imagePullSecrets is not a list");
}

}  // namespace
}  // namespace signet::server
