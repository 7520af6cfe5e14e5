// Policy files and folders: multi-document files, documents that are not policies, folders walked
// recursively, and the PolicyStore that keeps the last good set while a file is broken.
#include <atomic>
#include <chrono>
#include <thread>

#include <catch2/catch.hpp>

#include "loader_test_support.hpp"

using namespace signet::policy;
using namespace signet::policy::testing;

namespace {

std::string renamed(std::string yaml, std::string_view name) {
  yaml.replace(yaml.find("name: check-images"), 18, "name: " + std::string(name));
  return yaml;
}

// Moves a file's modification time on, so a rewrite is seen even within the file system's timestamp
// granularity.
void touch_later(const std::filesystem::path& file, int seconds) {
  std::filesystem::last_write_time(file, std::filesystem::last_write_time(file) + std::chrono::seconds(seconds));
}

}  // namespace

TEST_CASE("every document of a multi-document file is read, with lines counted in the file",
          "[policy][loader][files]") {
  std::string yaml = "# policies for the web team\n---\n" + renamed(keyed_policy(), "first") +
                     "---\n# nothing here\n---\n" + renamed(keyed_policy(), "second") + "...\n---\n" +
                     renamed(keyed_policy("      colour: blue\n"), "third");
  LoadReport report = load_text(yaml);
  REQUIRE(report.accepted.size() == 2);
  CHECK(report.accepted[0].name == "first");
  CHECK(report.accepted[0].document == 1);
  CHECK(report.accepted[1].name == "second");
  CHECK(report.accepted[1].document == 2);
  REQUIRE(report.errors.size() == 1);
  CHECK(report.errors[0].document == 3);
  // Lines 1-2 are the comment and marker, 22 lines per policy, then "---", comment, "---", "...", "---".
  CHECK(report.errors[0].line == 2 + 22 + 3 + 22 + 2 + 15);
}

TEST_CASE("documents of kinds that cannot verify images are skipped with a note", "[policy][loader][files]") {
  std::string yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: keys\ndata:\n  key: value\n---\n" +
                     keyed_policy() +
                     "---\napiVersion: kyverno.io/v2\nkind: PolicyException\nmetadata:\n  name: allow-debug\n"
                     "---\napiVersion: policies.kyverno.io/v1\nkind: ValidatingPolicy\nmetadata:\n  name: labels\n"
                     "---\napiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
                     "---\napiVersion: cli.kyverno.io/v1alpha1\nkind: Test\nmetadata:\n  name: t\n"
                     "---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n";
  LoadReport report = load_text(yaml);
  CHECK(report.errors.empty());
  REQUIRE(report.accepted.size() == 1);
  CHECK(report.accepted[0].document == 2);
  REQUIRE(report.notes.size() == 6);
  CHECK_THAT(report.notes[0],
             Catch::EndsWith("policy.yaml: document 1: v1 ConfigMap keys cannot verify images; skipped"));
  CHECK_THAT(report.notes[1], Catch::Contains("document 3: kyverno.io/v2 PolicyException allow-debug cannot verify"));
  CHECK_THAT(report.notes[2], Catch::Contains("document 4: policies.kyverno.io/v1 ValidatingPolicy labels cannot"));
  CHECK_THAT(report.notes[3], Catch::Contains("document 5: kustomize.config.k8s.io/v1beta1 Kustomization cannot"));
  CHECK_THAT(report.notes[4], Catch::Contains("document 6: cli.kyverno.io/v1alpha1 Test t cannot verify images"));
  CHECK_THAT(report.notes[5], Catch::Contains("document 7: apps/v1 Deployment web cannot verify images"));
}

TEST_CASE("image policies signet does not enforce yet are refused, never skipped", "[policy][loader][files]") {
  for (const auto& [api_version, kind] :
       std::vector<std::pair<std::string, std::string>>{{"policies.kyverno.io/v1", "ImageValidatingPolicy"},
                                                        {"policies.kyverno.io/v1beta1", "ImageValidatingPolicy"},
                                                        {"policies.kyverno.io/v1alpha1", "ImageValidatingPolicy"},
                                                        {"policies.kyverno.io/v1", "NamespacedImageValidatingPolicy"},
                                                        {"policy.sigstore.dev/v1beta1", "ClusterImagePolicy"},
                                                        {"policy.sigstore.dev/v1alpha1", "ClusterImagePolicy"}}) {
    INFO(api_version + " " + kind);
    LoadReport report = load_text("# from another tool\napiVersion: " + api_version + "\nkind: " + kind +
                                  "\nmetadata:\n  name: ivpol-sample\nspec:\n  validations: []\n");
    CHECK(report.accepted.empty());
    CHECK(report.notes.empty());
    REQUIRE(report.errors.size() == 1);
    const PolicyError& error = report.errors[0];
    CHECK(error.refused_kind);
    CHECK(error.document == 1);
    CHECK(error.field_path == "kind");
    CHECK(error.line == 3);
    CHECK_THAT(error.message,
               Catch::StartsWith(api_version + " " + kind + " ivpol-sample is not enforced by signet yet"));
    CHECK_THAT(error.to_string(), Catch::EndsWith("policy.yaml:3: document 1: kind: " + error.message));
  }
  // One refused document refuses the file's set, whatever else it holds.
  LoadReport mixed = load_text(keyed_policy() +
                               "---\napiVersion: policies.kyverno.io/v1\nkind: ImageValidatingPolicy\n"
                               "metadata:\n  name: ivpol\n");
  CHECK(mixed.accepted.size() == 1);
  REQUIRE(mixed.errors.size() == 1);
  CHECK(mixed.errors[0].document == 2);
}

TEST_CASE("documents of unknown kinds, and documents that are not objects, are refused", "[policy][loader][files]") {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n",
       "example.com/v1 Widget w is a kind signet does not know"},
      {"apiVersion: portieris.cloud.ibm.com/v1\nkind: ImagePolicy\nmetadata:\n  name: p\n",
       "portieris.cloud.ibm.com/v1 ImagePolicy p is a kind signet does not know"},
      {"apiVersion: kyverno.io/v1\nkind: ClusterPolicyList\nitems: []\n",
       "kyverno.io/v1 ClusterPolicyList holds objects that signet does not read from a list"},
      // What `kubectl get clusterpolicies -o yaml` writes: its items would otherwise go unread.
      {"apiVersion: v1\nkind: List\nitems: []\n", "v1 List holds objects that signet does not read from a list"},
      {"- just\n- a list\n", "not a Kubernetes object: apiVersion and kind are required"},
      {"name: values\nreplicas: 2\n", "not a Kubernetes object: apiVersion and kind are required"},
  };
  for (const auto& [yaml, message] : cases) {
    INFO(yaml);
    LoadReport report = load_text(yaml);
    REQUIRE(report.errors.size() == 1);
    CHECK(report.errors[0].refused_kind);
    CHECK_THAT(report.errors[0].message, Catch::StartsWith(message));
    CHECK(report.notes.empty());
  }
  // A field signet does not honour is not a kind refusal: --allow-skip never skips it.
  std::string kms = keyed_policy();
  kms.replace(kms.find("publicKeys:"), 11, "kms: gcpkms://k\n            publicKeys:");
  PolicyError field = refusal_of(kms);
  CHECK_FALSE(field.refused_kind);
}

TEST_CASE("a folder is read recursively: YAML files only, hidden entries skipped, in name order",
          "[policy][loader][files]") {
  TempFolder folder;
  folder.write("b.yaml", renamed(keyed_policy(), "b"));
  folder.write("team/a.yml", renamed(keyed_policy(), "a"));
  folder.write("README.md", "not a policy");
  folder.write(".hidden.yaml", renamed(keyed_policy(), "hidden"));
  folder.write("..2024_01_01/c.yaml", renamed(keyed_policy(), "in-configmap-data"));
  LoadReport report = load_policies(folder.path());
  CHECK(report.errors.empty());
  REQUIRE(report.accepted.size() == 2);
  CHECK(report.accepted[0].name == "b");
  CHECK(report.accepted[1].name == "a");
  CHECK(report.accepted[1].file.ends_with("team/a.yml"));

  LoadReport one = load_policies(folder.path() / "team" / "a.yml");
  REQUIRE(one.accepted.size() == 1);
  CHECK(one.accepted[0].name == "a");
}

TEST_CASE("a missing policy path is an error naming it", "[policy][loader][files]") {
  TempFolder folder;
  LoadReport report = load_policies(folder.path() / "nowhere");
  REQUIRE(report.errors.size() == 1);
  CHECK(report.errors[0].file.ends_with("nowhere"));
  CHECK(report.errors[0].message == "cannot read policies: no such file or directory");
}

TEST_CASE("an empty folder loads an empty set without error", "[policy][loader][files]") {
  TempFolder folder;
  LoadReport report = load_policies(folder.path());
  CHECK(report.errors.empty());
  CHECK(report.accepted.empty());
}

TEST_CASE("PolicyStore keeps the last good set while a file is broken and picks up the fix",
          "[policy][loader][store]") {
  TempFolder folder;
  auto file = folder.write("policy.yaml", renamed(keyed_policy(), "v1"));
  PolicyStore store(folder.path());
  CHECK_FALSE(store.loaded());
  REQUIRE(store.current());
  CHECK(store.current()->policies.empty());

  auto first = store.reload();
  REQUIRE(first);
  CHECK(first->errors.empty());
  CHECK(store.loaded());
  auto good = store.current();
  REQUIRE(good->policies.size() == 1);
  CHECK(good->policies[0].name == "v1");

  CHECK_FALSE(store.reload());  // nothing changed

  folder.write("policy.yaml", renamed(keyed_policy("      colour: blue\n"), "v2"));
  touch_later(file, 10);
  auto broken = store.reload();
  REQUIRE(broken);
  REQUIRE(broken->errors.size() == 1);
  CHECK(broken->errors[0].field_path == "spec.rules[0].verifyImages[0].colour");
  CHECK(store.current() == good);  // the same snapshot is still in force
  CHECK(store.loaded());
  CHECK_FALSE(store.reload());  // the broken file is reported once, not on every poll

  folder.write("policy.yaml", renamed(keyed_policy(), "v3"));
  touch_later(file, 20);
  auto fixed = store.reload();
  REQUIRE(fixed);
  CHECK(fixed->errors.empty());
  REQUIRE(store.current()->policies.size() == 1);
  CHECK(store.current()->policies[0].name == "v3");
  CHECK(good->policies[0].name == "v1");  // a request holding the old snapshot still sees it whole

  auto added = folder.write("more.yaml", renamed(keyed_policy(), "extra"));
  auto with_new_file = store.reload();
  REQUIRE(with_new_file);
  CHECK(store.current()->policies.size() == 2);

  std::filesystem::remove(added);
  REQUIRE(store.reload());
  CHECK(store.current()->policies.size() == 1);

  auto forced = store.reload(true);
  REQUIRE(forced);
  CHECK(forced->accepted.size() == 1);
}

TEST_CASE("PolicyStore's first load failing leaves it not loaded", "[policy][loader][store]") {
  TempFolder folder;
  folder.write("policy.yaml", "apiVersion: kyverno.io/v1\nkind: ClusterPolicy\nmetadata: [\n");
  PolicyStore store(folder.path());
  auto report = store.reload();
  REQUIRE(report);
  CHECK(report->errors.size() == 1);
  CHECK_FALSE(store.loaded());
  CHECK(store.current()->policies.empty());
}

TEST_CASE("PolicyStore can be read while another thread reloads", "[policy][loader][store]") {
  TempFolder folder;
  auto file = folder.write("policy.yaml", renamed(keyed_policy(), "v0"));
  PolicyStore store(folder.path());
  REQUIRE(store.reload());
  std::atomic<bool> stop = false;
  std::atomic<bool> torn = false;
  std::atomic<int> reads = 0;
  std::thread reader([&] {
    while (!stop) {
      auto set = store.current();
      // Every snapshot is whole: one policy with its one rule.
      if (set->policies.size() != 1 || set->policies[0].rules.size() != 1) torn = true;
      ++reads;
    }
  });
  for (int i = 1; i <= 20; ++i) {
    folder.write("policy.yaml", renamed(keyed_policy(), "v" + std::to_string(i)));
    touch_later(file, i);
    store.reload();
  }
  stop = true;
  reader.join();
  CHECK_FALSE(torn);
  CHECK(reads > 0);
  CHECK(store.current()->policies[0].name == "v20");
}
