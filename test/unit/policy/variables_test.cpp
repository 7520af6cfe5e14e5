// Kyverno's {{ }} variable substitution.
#include <catch2/catch.hpp>

#include "jmespath_test_support.hpp"
#include "policy/jmespath/variables.hpp"

using namespace jmespath_test;
using Catch::Matchers::Contains;
using signet::policy::has_variables;
using signet::policy::substitute_variables;

namespace {

const char* const kContext = R"({
  "request": {"object": {"metadata": {"name": "web", "labels": {"app": "web", "tier": "front"}}},
              "namespace": "prod", "operation": "CREATE"},
  "image": {"registry": "ghcr.io", "tag": "v1"},
  "predicate": {"builder": {"id": "https://github.com/actions"}, "count": 3},
  "self": "{{ request.namespace }}",
  "brace": "{{ literally }}"
})";

std::string substituted(const std::string& json) {
  auto result = substitute_variables(data(json), data(kContext));
  if (!result) FAIL(result.error().message);
  return signet::policy::json::to_json(*result);
}

std::string failure(const std::string& json) {
  auto result = substitute_variables(data(json), data(kContext));
  return result ? std::string() : result.error().message;
}

}  // namespace

TEST_CASE("a string that is one variable becomes the value, of any type", "[variables]") {
  CHECK(substituted(R"("{{ request.object.metadata.labels }}")") == R"({"app":"web","tier":"front"})");
  CHECK(substituted(R"("{{predicate.count}}")") == "3");
  CHECK(substituted(R"("{{ request.namespace }}")") == R"("prod")");
  CHECK(substituted(R"("{{ to_upper(request.namespace) }}")") == R"("PROD")");
  CHECK(substituted(R"("{{ {n: request.namespace} }}")") == R"({"n":"prod"})");
}

TEST_CASE("variables inside a longer string are replaced by their text", "[variables]") {
  CHECK(substituted(R"("{{image.registry}}/app:{{ image.tag }}")") == R"("ghcr.io/app:v1")");
  CHECK(substituted(R"("count={{ predicate.count }}")") == R"("count=3")");
  CHECK(substituted(R"("labels {{ request.object.metadata.labels }}")") ==
        R"("labels {\"app\":\"web\",\"tier\":\"front\"}")");
}

TEST_CASE("objects and arrays are substituted throughout; keys are left alone", "[variables]") {
  CHECK(substituted(R"({"{{ key }}": ["{{ request.operation }}", 1, {"x": "ns {{request.namespace}}"}], "n": null})") ==
        R"({"{{ key }}":["CREATE",1,{"x":"ns prod"}],"n":null})");
}

TEST_CASE("an escaped variable stays as written, without its backslash", "[variables]") {
  CHECK(substituted(R"("\\{{ request.namespace }} is {{ request.namespace }}")") ==
        R"("{{ request.namespace }} is prod")");
  CHECK_FALSE(has_variables(R"(\{{ a }})"));
  CHECK(has_variables("x {{ a }}"));
  CHECK_FALSE(has_variables("{ a }"));
}

TEST_CASE("values that hold variables are substituted again, unless written {{- }}", "[variables]") {
  CHECK(substituted(R"("ns: {{ self }}")") == R"("ns: prod")");
  CHECK(substituted(R"("b: {{- brace }}")") == R"("b: {{ literally }}")");
}

TEST_CASE("a variable that resolves to null or fails is an error naming it", "[variables]") {
  CHECK_THAT(failure(R"("{{ request.object.spec.missing }}")"),
             Contains("variable substitution failed for \"{{ request.object.spec.missing }}\""));
  CHECK_THAT(failure(R"("{{ request.object.spec.missing }}")"), Contains("resolves to null"));
  CHECK_THAT(failure(R"(["ok", "x{{ to_upper(`1`) }}"])"), Contains("invalid-type"));
  CHECK_THAT(failure(R"("{{ request.[ }}")"), Contains("syntax"));
  CHECK_THAT(failure(R"("{{ }}")"), Contains("empty"));
}

TEST_CASE("strings without variables and other values pass through unchanged", "[variables]") {
  CHECK(substituted(R"(["plain", 1.5, true, null, "{ not: a variable }"])") ==
        R"(["plain",1.5,true,null,"{ not: a variable }"])");
}
