// Keys, policies and admission requests for the signed-manifest tests.
#pragma once

#include <openssl/evp.h>
#include <openssl/pem.h>

#include <memory>
#include <string>
#include <string_view>

#include <yaml-cpp/yaml.h>
#include <catch2/catch.hpp>

#include "loader_test_support.hpp"
#include "policy/admission.hpp"
#include "policy/loader/yaml.hpp"
#include "policy/manifest_rules.hpp"
#include "policy/manifests/signer.hpp"

namespace signet::policy::testing {

// A fresh P-256 key pair, PEM.
struct TestKey {
  std::string private_pem;
  std::string public_pem;

  static TestKey make() {
    std::unique_ptr<EVP_PKEY, void (*)(EVP_PKEY*)> key(EVP_EC_gen("P-256"), EVP_PKEY_free);
    REQUIRE(key);
    auto pem = [](auto write) {
      std::unique_ptr<BIO, int (*)(BIO*)> bio(BIO_new(BIO_s_mem()), BIO_free);
      REQUIRE(write(bio.get()) == 1);
      char* data = nullptr;
      const long size = BIO_get_mem_data(bio.get(), &data);
      return std::string(data, static_cast<std::size_t>(size));
    };
    TestKey out;
    out.private_pem =
        pem([&](BIO* b) { return PEM_write_bio_PrivateKey(b, key.get(), nullptr, nullptr, 0, nullptr, nullptr); });
    out.public_pem = pem([&](BIO* b) { return PEM_write_bio_PUBKEY(b, key.get()); });
    return out;
  }
};

// A ClusterPolicy with one validate.manifests rule for `kinds`; `manifests_extra` goes under
// validate.manifests (6 spaces), `attestors` replaces the attestor list (6 spaces, starting "- ").
inline std::string manifest_policy(std::string_view attestors, std::string_view manifests_extra = {},
                                   std::string_view action = "Enforce",
                                   std::string_view kinds = "[Service, Deployment, ConfigMap]") {
  std::string yaml =
      "apiVersion: kyverno.io/v1\n"
      "kind: ClusterPolicy\n"
      "metadata:\n"
      "  name: signed-yaml\n"
      "spec:\n"
      "  background: false\n"
      "  rules:\n"
      "  - name: verify-manifest\n"
      "    match:\n"
      "      any:\n"
      "      - resources:\n"
      "          kinds: " +
      std::string(kinds) +
      "\n"
      "    validate:\n"
      "      failureAction: " +
      std::string(action) +
      "\n"
      "      manifests:\n"
      "        attestors:\n";
  yaml += indent(attestors, 8);
  yaml += indent(manifests_extra, 8);
  return yaml;
}

// One attestor set: `count` (0: absent) of the keys.
inline std::string key_set(std::initializer_list<const TestKey*> keys, int count = 0) {
  std::string yaml = "- ";
  if (count > 0) yaml += "count: " + std::to_string(count) + "\n  ";
  yaml += "entries:\n";
  for (const TestKey* key : keys) {
    yaml += "  - keys:\n      publicKeys: |-\n" + indent(key->public_pem, 10);
  }
  return yaml;
}

// The JSON of a YAML document, as the API server would send it.
inline json::Value object_of(std::string_view yaml) {
  loader::Problems problems;
  return loader::Field::root(YAML::Load(std::string(yaml)), 0, problems).to_json();
}

// A CREATE admission request for `object`.
inline AdmissionRequest request_for(const json::Value& object) {
  AdmissionRequest request;
  request.operation = "CREATE";
  auto text = [&](std::string_view a, std::string_view b = {}) {
    const json::Value* v = object.find(a);
    if (v != nullptr && !b.empty()) v = v->find(b);
    return v != nullptr && v->is_string() ? v->as_string() : std::string();
  };
  const std::string api_version = text("apiVersion");
  const auto slash = api_version.find('/');
  request.group = slash == std::string::npos ? "" : api_version.substr(0, slash);
  request.version = slash == std::string::npos ? api_version : api_version.substr(slash + 1);
  request.kind = text("kind");
  request.name = text("metadata", "name");
  request.namespace_name = text("metadata", "namespace");
  request.json = json::Value(json::Object{{"object", object}});
  return request;
}

// The one result of the policies for `object`.
inline RuleResult manifest_result(const PolicySet& policies, const json::Value& object) {
  auto results = evaluate_manifest_rules(policies, request_for(object));
  REQUIRE(results.size() == 1);
  INFO(results.front().message);
  return results.front();
}

inline PolicySet set_of(std::string_view policy_yaml) { return PolicySet::of({load_one(policy_yaml)}); }

// `signed_yaml` with one line replaced.
inline std::string replaced(std::string text, std::string_view from, std::string_view to) {
  const auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  text.replace(at, from.size(), to);
  return text;
}

inline std::string sign(std::string_view yaml, const TestKey& key, int index = 0,
                        std::string_view domain = "cosign.sigstore.dev") {
  auto out = manifest::sign_manifest(yaml, key.private_pem, domain, index);
  INFO((out ? std::string() : out.error().message));
  REQUIRE(out.ok());
  return *out;
}

inline constexpr std::string_view kService =
    "apiVersion: v1\n"
    "kind: Service\n"
    "metadata:\n"
    "  name: web\n"
    "  namespace: shop\n"
    "spec:\n"
    "  ports:\n"
    "  - port: 80\n"
    "    protocol: TCP\n"
    "    targetPort: 9376\n"
    "  selector:\n"
    "    app: web\n";

}  // namespace signet::policy::testing
