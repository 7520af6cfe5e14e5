#include <atomic>
#include <filesystem>
#include <thread>

#include <catch2/catch.hpp>

#include "policy/policy_set.hpp"
#include "server/kube/policy_mirror.hpp"
#include "server/kube/policy_watcher.hpp"
#include "test/unit/server/kube/test_api_server.hpp"

namespace signet::server::kube {
namespace {

namespace fs = std::filesystem;
using test::TempDir;
using test::TestApiServer;

KubeObject object_named(const std::string& name, const std::string& version = "7") {
  std::string json = test::cluster_image_policy(name);
  // The fields a policy does not need and the mirror drops.
  json.insert(
      json.find("\"metadata\":{") + 12,
      R"("resourceVersion":")" + version +
          R"(","managedFields":[{"manager":"kubectl"}],"annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{}"},)");
  json.insert(json.size() - 1, R"(,"status":{"ready":true})");
  return {name, "", version, json};
}

std::vector<std::string> policy_names(const fs::path& dir) {
  auto report = policy::load_policies(dir);
  INFO((report.errors.empty() ? "" : report.errors.front().to_string()));
  REQUIRE(report.errors.empty());
  std::vector<std::string> names;
  for (const auto& policy : report.accepted) names.push_back(policy.name);
  std::sort(names.begin(), names.end());
  return names;
}

// Waits up to 10 s for `condition`.
template <class Condition>
bool eventually(Condition condition) {
  for (int i = 0; i < 200; ++i) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return condition();
}

TEST_CASE("the mirror writes each object as a policy file the loader reads, and removes it", "[kube][mirror]") {
  TempDir dir;
  PolicyMirror mirror(dir.path());
  REQUIRE(*mirror.write(cluster_image_policies(), object_named("alpha")));
  CHECK_FALSE(*mirror.write(cluster_image_policies(), object_named("alpha")));  // unchanged: not rewritten
  const fs::path file = mirror.file_for(cluster_image_policies(), "", "alpha");
  CHECK(file == fs::path(dir.path()) / "clusterimagepolicies.signet.dev" / "alpha.yaml");
  const std::string text = test::read_file(file);
  CHECK(text.rfind("# clusterimagepolicies.signet.dev alpha (resourceVersion 7)", 0) == 0);
  CHECK(text.find("managedFields") == std::string::npos);
  CHECK(text.find("last-applied-configuration") == std::string::npos);
  CHECK(text.find("\"status\"") == std::string::npos);
  CHECK(policy_names(dir.path()) == std::vector<std::string>{"alpha"});
  // No temporary file is left beside it.
  CHECK(std::distance(fs::directory_iterator(file.parent_path()), fs::directory_iterator()) == 1);

  REQUIRE(*mirror.remove(cluster_image_policies(), object_named("alpha")));
  CHECK_FALSE(fs::exists(file));
  CHECK_FALSE(*mirror.remove(cluster_image_policies(), object_named("alpha")));
}

TEST_CASE("reconciling a kind removes the files of objects no longer listed, and only of that kind", "[kube][mirror]") {
  TempDir dir;
  PolicyMirror mirror(dir.path());
  REQUIRE(mirror.reconcile(cluster_image_policies(), {object_named("a"), object_named("b"), object_named("c")}).ok());
  KubeObject namespaced = object_named("n");
  namespaced.namespace_name = "team";
  REQUIRE(mirror.write(image_policies(), namespaced).ok());
  CHECK(fs::exists(fs::path(dir.path()) / "imagepolicies.signet.dev" / "team" / "n.yaml"));
  auto changed = mirror.reconcile(cluster_image_policies(), {object_named("a"), object_named("c")});
  REQUIRE(changed.ok());
  CHECK(*changed);
  CHECK_FALSE(fs::exists(mirror.file_for(cluster_image_policies(), "", "b")));
  CHECK(fs::exists(mirror.file_for(image_policies(), "team", "n")));
  CHECK_FALSE(*mirror.reconcile(cluster_image_policies(), {object_named("a"), object_named("c")}));
}

TEST_CASE("an object name that would escape the folder is refused", "[kube][mirror]") {
  TempDir dir;
  PolicyMirror mirror(dir.path() + "/mirror");
  CHECK_FALSE(mirror.write(cluster_image_policies(), object_named("../evil")).ok());
  CHECK_FALSE(mirror.write(cluster_image_policies(), object_named(".hidden")).ok());
}

struct Watching {
  TestApiServer& server;
  TempDir dir;
  std::atomic<int> changes{0};
  std::vector<std::string> notes;
  std::mutex notes_mutex;
  PolicyWatcher watcher;

  explicit Watching(TestApiServer& s, std::chrono::milliseconds backoff = std::chrono::milliseconds(100))
      : server(s),
        watcher(
            s.config(), dir.path(), options(backoff), [this] { ++changes; },
            [this](bool, const std::string& note) {
              std::lock_guard lock(notes_mutex);
              notes.push_back(note);
            }) {}

  static PolicyWatcherOptions options(std::chrono::milliseconds backoff) {
    PolicyWatcherOptions out;
    out.client.watch_timeout = std::chrono::seconds(2);
    out.initial_backoff = backoff;
    out.max_backoff = backoff * 4;
    return out;
  }
  bool has(const std::string& name) const {
    return fs::exists(fs::path(dir.path()) / "clusterimagepolicies.signet.dev" / (name + ".yaml"));
  }
};

TEST_CASE("the watcher mirrors the cluster's policies and follows additions, edits and deletions", "[kube][watcher]") {
  TestApiServer server;
  Watching w(server);
  REQUIRE(w.watcher.sync(std::chrono::seconds(10)).ok());
  CHECK(policy_names(w.dir.path()) ==
        std::vector<std::string>{"check-base-images", "check-team-images", "check-tools", "payments-images"});
  w.watcher.start();
  const int before = w.changes.load();
  server.put(test::cluster_image_policy("added-later"));
  CHECK(eventually([&] { return w.has("added-later"); }));
  server.put(test::cluster_image_policy("added-later", "registry.example/edited/*"));
  const auto file = fs::path(w.dir.path()) / "clusterimagepolicies.signet.dev" / "added-later.yaml";
  CHECK(eventually([&] { return test::read_file(file).find("registry.example/edited/*") != std::string::npos; }));
  server.remove("ClusterImagePolicy", "check-tools");
  CHECK(eventually([&] { return !w.has("check-tools"); }));
  server.remove("ImagePolicy", "payments-images", "payments");
  CHECK(eventually([&] {
    return !fs::exists(fs::path(w.dir.path()) / "imagepolicies.signet.dev" / "payments" / "payments-images.yaml");
  }));
  CHECK(w.changes.load() >= before + 4);
  CHECK(policy_names(w.dir.path()) ==
        std::vector<std::string>{"added-later", "check-base-images", "check-team-images"});
}

TEST_CASE("after a dropped watch the watcher resumes and misses nothing", "[kube][watcher]") {
  TestApiServer server;
  Watching w(server);
  REQUIRE(w.watcher.sync(std::chrono::seconds(10)).ok());
  const std::string listed = w.watcher.resource_version(cluster_image_policies());
  server.fault(R"({"drop_watch_after": 1})");
  w.watcher.start();
  server.put(test::cluster_image_policy("one"));
  server.put(test::cluster_image_policy("two"));
  server.put(test::cluster_image_policy("three"));
  CHECK(eventually([&] { return w.has("one") && w.has("two") && w.has("three"); }));
  const std::string requests = server.requests();
  // One list at start-up, no list after the drop: the watch resumed from the resourceVersion of "one".
  CHECK(std::count(requests.begin(), requests.end(), '\n') >= 3);
  CHECK(requests.find("clusterimagepolicies?limit") == requests.rfind("clusterimagepolicies?limit"));
  CHECK(requests.find("resourceVersion=" + listed + "&") != std::string::npos);
}

TEST_CASE("410 Gone makes the watcher list again and reconcile what it missed", "[kube][watcher]") {
  TestApiServer server;
  Watching w(server);
  REQUIRE(w.watcher.sync(std::chrono::seconds(10)).ok());
  REQUIRE(w.has("check-tools"));
  // While nobody watches: one policy deleted, one added, and the history that would tell is compacted away.
  server.remove("ClusterImagePolicy", "check-tools");
  server.put(test::cluster_image_policy("while-away"));
  server.fault(R"({"compact": true})");
  w.watcher.start();
  CHECK(eventually([&] { return !w.has("check-tools") && w.has("while-away"); }));
  const std::string requests = server.requests();
  CHECK(requests.find("clusterimagepolicies?limit") != requests.rfind("clusterimagepolicies?limit"));
  std::lock_guard lock(w.notes_mutex);
  CHECK(std::any_of(w.notes.begin(), w.notes.end(),
                    [](const std::string& note) { return note.find("410 Gone") != std::string::npos; }));
}

TEST_CASE("a watch answered 410 as a status lists again too", "[kube][watcher]") {
  TestApiServer server;
  Watching w(server);
  REQUIRE(w.watcher.sync(std::chrono::seconds(10)).ok());
  // Whichever kind's watch meets the 410 first lists again: count lists of any kind.
  auto lists = [&] {
    const std::string requests = server.requests();
    std::size_t count = 0;
    for (auto at = requests.find("?limit"); at != std::string::npos; at = requests.find("?limit", at + 1)) ++count;
    return count;
  };
  const std::size_t before = lists();
  server.fault(R"({"watch_gone": "status"})");
  w.watcher.start();
  CHECK(eventually([&] { return lists() > before; }));
  server.put(test::cluster_image_policy("after-relist"));
  CHECK(eventually([&] { return w.has("after-relist"); }));
}

TEST_CASE("start-up sync reports what stops it: a forbidden kind names the RBAC rule", "[kube][watcher]") {
  TestApiServer server({"--forbid", "clusterimagepolicies.signet.dev"});
  Watching w(server, std::chrono::milliseconds(50));
  auto synced = w.watcher.sync(std::chrono::milliseconds(300));
  CHECK(test::error_of(synced).message.find("the verb \"list\" on the resource \"clusterimagepolicies\"") !=
        std::string::npos);
}

}  // namespace
}  // namespace signet::server::kube
