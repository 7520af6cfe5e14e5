// Reading objects from the Kubernetes API: GET one, LIST a collection page by page, WATCH it from a
// resourceVersion; the resources a group version serves (discovery); a CREATE in dry-run. Errors name the
// verb, the resource and what to fix (a 403 names the RBAC rule to add).
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "crypto/result.hpp"
#include "server/kube/api_transport.hpp"
#include "server/kube/resource.hpp"

namespace signet::server::kube {

struct KubeObject {
  std::string name;
  std::string namespace_name;  // "" for cluster-scoped objects
  std::string resource_version;
  std::string json;  // the whole object, compact, with apiVersion and kind always present
};

struct ObjectList {
  std::vector<KubeObject> items;
  std::string resource_version;  // of the list: where a watch of the collection starts
};

struct WatchEvent {
  enum class Type { Added, Modified, Deleted, Bookmark };
  Type type = Type::Added;
  KubeObject object;  // for a bookmark, only resource_version is set
};

// How a watch ended without an error: the server closed it (timeoutSeconds; resume from the last
// resourceVersion seen), or the resourceVersion is too old to resume from (410 Gone: list again).
enum class WatchEnd { Closed, Gone };

struct KubeClientOptions {
  std::chrono::milliseconds request_timeout{10000};  // each GET and each LIST page
  std::size_t page_size = 250;                       // LIST `limit`
  std::chrono::seconds watch_timeout{300};           // WATCH `timeoutSeconds`: the server ends it then
  // A watch that sends nothing (not even a bookmark) for this long is taken as a dead connection.
  std::chrono::milliseconds watch_idle_timeout{std::chrono::seconds(330)};
};

class KubeClient {
 public:
  explicit KubeClient(ClusterConfig config, KubeClientOptions options = {});

  Result<void> ready() const { return transport_.ready(); }
  const ClusterConfig& config() const { return transport_.config(); }
  const KubeClientOptions& options() const { return options_; }

  // One object. 404 is an Invalid error "<resource> NS/NAME not found".
  boost::asio::awaitable<Result<KubeObject>> get(const ResourceType& type, const std::string& ns,
                                                 const std::string& name);

  // One object that may not exist (404 is nullopt), answered by `deadline` (or the request timeout, if
  // sooner).
  boost::asio::awaitable<Result<std::optional<KubeObject>>> find(const ResourceType& type, const std::string& ns,
                                                                 const std::string& name, Deadline deadline);

  // Every object of `type` (all namespaces), read `page_size` at a time with `continue`. A continue token
  // that expired (410) starts the list again, once.
  boost::asio::awaitable<Result<ObjectList>> list(const ResourceType& type);

  // Watches `type` (all namespaces) from `resource_version`, with bookmarks, handing each event to
  // `on_event` in order. A dropped connection or a stalled stream is an Unavailable error: resume from
  // the last resourceVersion seen. 410 Gone, as a status or as an ERROR event, ends with WatchEnd::Gone.
  boost::asio::awaitable<Result<WatchEnd>> watch(const ResourceType& type, const std::string& resource_version,
                                                 const std::function<void(const WatchEvent&)>& on_event);

  // The resources `group`/`version` serves ("" for the core group), from its APIResourceList (GET /api/v1,
  // /apis/GROUP/VERSION), without subresources; a group version the server does not serve is an Invalid
  // error. Answered by `deadline` (or the request timeout, if sooner).
  boost::asio::awaitable<Result<std::vector<ResourceType>>> discover(const std::string& group,
                                                                     const std::string& version, Deadline deadline);

  // `type` at the first of `versions` its group serves it at (its `version` is ignored), or nullopt when
  // none does: a kind whose CustomResourceDefinition may not be installed, such as Kyverno's newer ones.
  boost::asio::awaitable<Result<std::optional<ResourceType>>> served_version(const ResourceType& type,
                                                                             const std::vector<std::string>& versions,
                                                                             Deadline deadline);

  // `object_json` created in `ns` (ignored for cluster-scoped types) with dryRun=All: the object as the API
  // server would store it, nothing stored. A refusal (403, 422 Invalid, ...) is an Invalid error with the API
  // server's message. Answered by `deadline` (or the request timeout, if sooner).
  boost::asio::awaitable<Result<std::string>> create_dry_run(const ResourceType& type, const std::string& ns,
                                                             const std::string& object_json, Deadline deadline);

 private:
  // The APIResourceList of `group`/`version`, or nullopt when the server does not serve it (404).
  boost::asio::awaitable<Result<std::optional<std::vector<ResourceType>>>> discover_if_served(
      const std::string& group, const std::string& version, Deadline deadline);

  ApiTransport transport_;
  KubeClientOptions options_;
};

// The resources of `group`/`version` ("" for the core group) that an APIResourceList (the discovery
// answer `body`) lists, subresources left out.
Result<std::vector<ResourceType>> api_resources(const std::string& group, const std::string& version,
                                                const std::string& body);

// The error for a non-2xx answer to `verb` on `what` ("clusterimagepolicies.signet.dev"): the status,
// the API server's message, and what to fix for 401, 403 and 404. A 403 for a request in namespace `ns`
// asks for a Role there.
Error api_error(const std::string& verb, const ResourceType& type, const std::string& what, const ApiResponse& response,
                const ClusterConfig& config, const std::string& ns = "");

}  // namespace signet::server::kube
