// `signet test` over the Kyverno CLI test files of test/fixtures/cli-test, against an OCI layout built by
// test/support/make_layout.py (a signed and an unsigned image, the demo key), and its parts: the test
// file reader, the resources' reviews and the per-rule outcome.
#include <fstream>
#include <sstream>

#include <catch2/catch.hpp>

#include "server/cli/cli_test_command.hpp"
#include "server/cli/cli_test_file.hpp"
#include "server/cli/cli_test_report.hpp"
#include "server/cli/cli_test_resources.hpp"
#include "test/unit/oci/test_registry.hpp"

namespace signet::server {
namespace {

const std::string kFixtures = std::string(SIGNET_SOURCE_DIR) + "/test/fixtures/cli-test";
const std::string kKey = std::string(SIGNET_SOURCE_DIR) + "/deploy/examples/demo-keys/demo.pem";

// The layout the fixtures' resources name: registry.example/team/app:signed signed with the demo key,
// registry.example/team/app:unsigned not.
struct TeamLayout {
  test::TempDir temp;
  std::string dir = temp / "layout";
  TeamLayout() {
    using test::run_ok;
    using test::support_command;
    run_ok(support_command("make_layout.py", {dir, "image", "registry.example/team/app:signed", "--text", "s"}));
    run_ok(support_command("make_layout.py", {dir, "image", "registry.example/team/app:unsigned", "--text", "u"}));
    run_ok(support_command("make_layout.py", {dir, "sign", "registry.example/team/app:signed", kKey}));
    std::ofstream(temp / "provenance.json")
        << R"({"buildDefinition":{},"runDetails":{"builder":{"id":"https://ci.example/team-builder"}}})";
    run_ok(support_command("make_layout.py", {dir, "sign", "registry.example/team/app:signed", kKey, "--attest",
                                              temp / "provenance.json", "--type", "https://slsa.dev/provenance/v1"}));
  }
};

struct Run {
  int status;
  std::string out;
  std::string err;
};

Run signet_test(std::vector<std::string> args) {
  std::ostringstream out, err;
  const int status = run_test_command(args, out, err);
  return {status, out.str(), err.str()};
}

// A file under a temporary folder with `content`.
std::string write(const test::TempDir& temp, const std::string& name, const std::string& content) {
  const std::string path = temp / name;
  std::ofstream(path) << content;
  return path;
}

policy::RuleResult result(const std::string& image, policy::RuleStatus status, const std::string& message = "") {
  return policy::RuleResult{"p", "r", image, status, true, message, "", std::nullopt};
}

}  // namespace

TEST_CASE("a test whose pass, fail and skip expectations all hold exits 0", "[cli-test]") {
  TeamLayout layout;
  auto run = signet_test({kFixtures + "/passing", "--oci-layout", layout.dir});
  INFO(run.out << run.err);
  CHECK(run.status == 0);
  CHECK_THAT(run.out, Catch::Contains("Test Summary: 7 tests passed and 0 tests failed"));
  CHECK_THAT(run.out, Catch::Contains("Pod/default/signed-pod"));
  CHECK_THAT(run.out, Catch::Contains("Deployment/default/signed-deployment"));
  CHECK_THAT(run.out, !Catch::Contains("Want"));
  // Both the current form and the older one (name, resource, status) were found under the folder.
  CHECK_THAT(run.out, Catch::Contains("passing/older-form/kyverno-test.yaml"));
}

TEST_CASE("an expectation signet does not meet exits 1 with the row showing want and got", "[cli-test]") {
  TeamLayout layout;
  auto run = signet_test(
      {kFixtures + "/wrong-expectation/kyverno-test.yaml", "--oci-layout", layout.dir, "--detailed-results"});
  INFO(run.out << run.err);
  CHECK(run.status == 1);
  CHECK_THAT(run.out, Catch::Contains("Test Summary: 1 test passed and 1 test failed"));
  CHECK_THAT(
      run.out,
      Catch::Matches(
          R"((.|\n)*Pod/team/unsigned-pod +Fail +Want pass, Got fail +registry\.example/team/app:unsigned: (.|\n)*)"));
  CHECK_THAT(run.out, Catch::Contains("Aggregated Failed Test Cases"));
}

TEST_CASE("a malformed test file exits 2 naming the file, line and field", "[cli-test]") {
  TeamLayout layout;
  auto run = signet_test({kFixtures + "/malformed", "--oci-layout", layout.dir});
  CHECK(run.status == 2);
  CHECK_THAT(run.err, Catch::Contains("malformed/kyverno-test.yaml:15: results[0].result"));
  CHECK_THAT(run.err, Catch::Contains("not \"passed\""));
}

TEST_CASE("an image the layout does not hold makes the rule fail, naming the reference", "[cli-test]") {
  test::TempDir empty_layout;
  test::run_ok(test::support_command(
      "make_layout.py", {empty_layout / "layout", "image", "registry.example/team/other:v1", "--text", "o"}));
  auto run = signet_test(
      {kFixtures + "/passing/kyverno-test.yaml", "--oci-layout", empty_layout / "layout", "--detailed-results"});
  CHECK(run.status == 1);
  CHECK_THAT(run.out, Catch::Contains("Want pass, Got fail"));
  CHECK_THAT(run.out, Catch::Contains("registry.example/team/app:signed"));
}

TEST_CASE("a policy, rule or resource the test names but does not hold is a miss: Not found", "[cli-test]") {
  TeamLayout layout;
  test::TempDir temp;
  const std::string file = write(temp, "kyverno-test.yaml", R"(apiVersion: cli.kyverno.io/v1alpha1
kind: Test
metadata:
  name: typos
policies: [)" + kFixtures + R"(/policies/verify-team-images.yaml]
resources: [)" + kFixtures + R"(/resources/workloads.yaml]
results:
  - {policy: verify-team-image, rule: verify-signature, resources: [signed-pod], kind: Pod, result: pass}
  - {policy: verify-team-images, rule: verify-signatures, resources: [signed-pod], kind: Pod, result: pass}
  - {policy: verify-team-images, rule: verify-signature, resources: [signed-pods], kind: Pod, result: pass}
  - {policy: verify-team-images, rule: verify-signature, resources: [signed-pod], kind: Deployment, result: pass}
)");
  auto run = signet_test({file, "--oci-layout", layout.dir, "--detailed-results"});
  CHECK(run.status == 1);
  CHECK_THAT(run.out, Catch::Contains("0 tests passed and 4 tests failed"));
  CHECK_THAT(run.out, Catch::Contains("no policy named \"verify-team-image\""));
  CHECK_THAT(run.out, Catch::Contains("no verifyImages rule named \"verify-signatures\""));
  CHECK_THAT(run.out, Catch::Contains("no resource \"signed-pods\""));
  CHECK_THAT(run.out, Catch::Contains("no resource \"signed-pod\" of kind Deployment"));
}

TEST_CASE("usage errors and unreadable inputs exit 2", "[cli-test]") {
  CHECK(signet_test({}).status == 2);
  auto missing = signet_test({"/nonexistent/tests", "--oci-layout", "/nonexistent/layout"});
  CHECK(missing.status == 2);
  CHECK_THAT(missing.err, Catch::Contains("/nonexistent/layout"));

  TeamLayout layout;
  auto live_flag = signet_test({kFixtures + "/passing", "--oci-layout", layout.dir, "--insecure-registry", "x"});
  CHECK(live_flag.status == 2);
  CHECK_THAT(live_flag.err, Catch::Contains("--insecure-registry does not apply with --oci-layout"));

  test::TempDir temp;
  auto none = signet_test({temp.path(), "--oci-layout", layout.dir});
  CHECK(none.status == 2);
  CHECK_THAT(none.err, Catch::Contains("no test file named kyverno-test.yaml"));

  const std::string missing_policy = write(temp, "kyverno-test.yaml", R"(apiVersion: cli.kyverno.io/v1alpha1
kind: Test
policies: [nowhere.yaml]
resources: [)" + kFixtures + R"(/resources/workloads.yaml]
)");
  auto unreadable = signet_test({missing_policy, "--oci-layout", layout.dir});
  CHECK(unreadable.status == 2);
  CHECK_THAT(unreadable.err, Catch::Contains("nowhere.yaml: no such file or folder"));
}

TEST_CASE("the test file reader folds the older fields and resolves paths against the file", "[cli-test]") {
  auto test = load_cli_test(kFixtures + "/passing/older-form/kyverno-test.yaml");
  REQUIRE(test.ok());
  CHECK(test->name == "team-images-older-form");
  REQUIRE(test->policies.size() == 1);
  CHECK(test->policies[0] == std::filesystem::path(kFixtures + "/policies/verify-team-images.yaml"));
  REQUIRE(test->results.size() == 1);
  CHECK(test->results[0].resources == std::vector<std::string>{"unsigned-pod"});
  CHECK(test->results[0].result == "fail");
  CHECK(test->results[0].namespace_name == "team");
}

TEST_CASE("the test file reader refuses what it cannot honour and notes what it does not compare", "[cli-test]") {
  test::TempDir temp;
  const std::string header =
      "apiVersion: cli.kyverno.io/v1alpha1\nkind: Test\npolicies: [p.yaml]\nresources: [r.yaml]\n";
  auto variables = load_cli_test(write(temp, "a.yaml", header + "variables: values.yaml\n"));
  REQUIRE_FALSE(variables.ok());
  CHECK_THAT(variables.error().message, Catch::Contains("a.yaml:5: variables: not supported by signet test yet"));

  auto unknown = load_cli_test(write(temp, "b.yaml", header + "resultz: []\n"));
  REQUIRE_FALSE(unknown.ok());
  CHECK_THAT(unknown.error().message, Catch::Contains("resultz: unknown field"));

  auto kind = load_cli_test(write(temp, "c.yaml", "apiVersion: kyverno.io/v1\nkind: ClusterPolicy\n"));
  REQUIRE_FALSE(kind.ok());
  CHECK_THAT(kind.error().message, Catch::Contains("cli.kyverno.io/v1alpha1"));

  auto yaml = load_cli_test(write(temp, "d.yaml", header + "results: [\n"));
  REQUIRE_FALSE(yaml.ok());
  CHECK_THAT(yaml.error().message, Catch::Contains("d.yaml:"));

  auto patched = load_cli_test(write(temp, "e.yaml", header + R"(results:
  - {policy: p, rule: r, resources: [x], kind: Pod, result: pass, patchedResource: patched.yaml}
)"));
  REQUIRE(patched.ok());
  REQUIRE(patched->notes.size() == 1);
  CHECK_THAT(patched->notes[0], Catch::Contains("results[0].patchedResource is not applicable to signet"));

  auto no_resources =
      load_cli_test(write(temp, "f.yaml", header + "results:\n  - {policy: p, rule: r, result: pass}\n"));
  REQUIRE_FALSE(no_resources.ok());
  CHECK_THAT(no_resources.error().message, Catch::Contains("results[0].resources: is missing"));
}

TEST_CASE("resources become CREATE reviews with their namespace, labels and images", "[cli-test]") {
  auto resources = load_test_resources(kFixtures + "/resources/workloads.yaml");
  REQUIRE(resources.ok());
  REQUIRE(resources->size() == 4);
  const auto& deployment = (*resources)[3];
  CHECK(deployment.display() == "Deployment/default/signed-deployment");
  CHECK(deployment.document == 4);
  const auto& request = deployment.review.request;
  CHECK(request.operation == "CREATE");
  CHECK(request.group == "apps");
  CHECK(request.version == "v1");
  CHECK(request.namespace_name == "default");
  CHECK(request.name == "signed-deployment");
  REQUIRE(deployment.review.images.size() == 2);
  CHECK(deployment.review.images[0].json_pointer == "/spec/template/spec/initContainers/0/image");
  REQUIRE(request.json.find("object") != nullptr);
  CHECK(request.json.find("operation")->as_string() == "CREATE");
  CHECK((*resources)[1].review.request.namespace_name == "team");

  test::TempDir temp;
  auto list = load_test_resources(write(temp, "list.yaml", R"(apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: Pod
    metadata: {name: a, labels: {app: x}}
    spec: {containers: [{name: c, image: "nginx:1"}]}
  - apiVersion: v1
    kind: Namespace
    metadata: {name: team}
)"));
  REQUIRE(list.ok());
  REQUIRE(list->size() == 2);
  CHECK((*list)[0].review.request.labels.at("app") == "x");
  CHECK((*list)[1].display() == "Namespace/team");

  auto nameless = load_test_resources(
      write(temp, "bad.yaml", "apiVersion: v1\nkind: Pod\n---\napiVersion: v1\nkind: Pod\nmetadata: {}\n"));
  REQUIRE_FALSE(nameless.ok());
  CHECK_THAT(nameless.error().message, Catch::Contains("bad.yaml: document 1: a resource needs"));

  auto malformed = load_test_resources(
      write(temp, "pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: 3}\n"));
  REQUIRE_FALSE(malformed.ok());
  CHECK_THAT(malformed.error().message, Catch::Contains("spec.containers is not a list"));
}

TEST_CASE("a rule's outcome on a resource combines its images: error, then fail, then pass, else skip", "[cli-test]") {
  using policy::RuleStatus;
  std::string message;
  policy::Decision decision;
  CHECK(rule_outcome(decision, "p", "r", &message) == "skip");

  decision.results = {result("a", RuleStatus::Pass), result("b", RuleStatus::Skip, "skipped by skipImageReferences")};
  CHECK(rule_outcome(decision, "p", "r", &message) == "pass");

  decision.results.push_back(result("c", RuleStatus::Fail, "no signatures found"));
  CHECK(rule_outcome(decision, "p", "r", &message) == "fail");
  CHECK(message == "c: no signatures found");

  decision.results.push_back(result("d", RuleStatus::Error, "registry down"));
  CHECK(rule_outcome(decision, "p", "r", &message) == "error");
  CHECK(rule_outcome(decision, "p", "other-rule", &message) == "skip");

  decision.results = {result("b", RuleStatus::Skip, "skipped by skipImageReferences")};
  CHECK(rule_outcome(decision, "p", "r", &message) == "skip");
}

}  // namespace signet::server
