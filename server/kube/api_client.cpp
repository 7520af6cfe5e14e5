#include "server/kube/api_client.hpp"

#include <algorithm>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "oci/url.hpp"
#include "server/kube/json_fields.hpp"

namespace signet::server::kube {
namespace net = boost::asio;
namespace {

// The object `value` as a KubeObject; list items of built-in kinds come without apiVersion and kind.
Result<KubeObject> to_object(rapidjson::Value& value, rapidjson::Document::AllocatorType& allocator,
                             const ResourceType& type) {
  if (!value.IsObject()) return Error::invalid("an item of " + type.name() + " is not a JSON object");
  if (!value.HasMember("apiVersion"))
    value.AddMember("apiVersion", rapidjson::Value(type.api_version().c_str(), allocator), allocator);
  if (!value.HasMember("kind")) value.AddMember("kind", rapidjson::Value(type.kind.c_str(), allocator), allocator);
  const rapidjson::Value* metadata = member(value, "metadata");
  KubeObject object;
  if (metadata != nullptr) {
    object.name = string_at(*metadata, "name");
    object.namespace_name = string_at(*metadata, "namespace");
    object.resource_version = string_at(*metadata, "resourceVersion");
  }
  if (object.name.empty()) return Error::invalid("an object of " + type.name() + " has no metadata.name");
  object.json = to_json(value);
  return object;
}

// The message of a Status body, or "".
std::string status_message(const std::string& body) {
  rapidjson::Document doc;
  if (doc.Parse(body.c_str(), body.size()).HasParseError()) return "";
  return string_at(doc, "message");
}

}  // namespace

Error api_error(const std::string& verb, const ResourceType& type, const std::string& what, const ApiResponse& response,
                const ClusterConfig& config, const std::string& ns) {
  const std::string message = status_message(response.body);
  const std::string detail = message.empty() ? "" : ": " + message;
  const std::string action = verb + " " + what;
  switch (response.status) {
    case 401:
      return Error::invalid("the Kubernetes API server " + config.server.authority() +
                            " refused signet's credentials (" + config.source + ") to " + action +
                            " (401 Unauthorized" + detail +
                            "): check the service-account token or the kubeconfig user");
    case 403:
      return Error::invalid("the Kubernetes API server forbids signet to " + action + " (403 Forbidden" + detail +
                            "): grant signet's service account the verb \"" + verb + "\" on the resource \"" +
                            type.plural + "\" of API group \"" + type.group + "\" in " +
                            (ns.empty() ? "a (Cluster)Role" : "a Role of namespace " + ns));
    case 404:
      return Error::invalid(
          action + ": not found on the Kubernetes API server (404" + detail + ")" +
          (what == type.name() ? "; is the CustomResourceDefinition " + type.name() + " installed?" : ""));
    default:
      break;
  }
  const std::string text = action + ": the Kubernetes API server answered " + std::to_string(response.status) + detail;
  if (response.status >= 500 || response.status == 429) return Error::unavailable(text);
  return Error::invalid(text);
}

KubeClient::KubeClient(ClusterConfig config, KubeClientOptions options)
    : transport_(std::move(config)), options_(options) {}

net::awaitable<Result<KubeObject>> KubeClient::get(const ResourceType& type, const std::string& ns,
                                                   const std::string& name) {
  const std::string what = type.name() + " " + (ns.empty() ? name : ns + "/" + name);
  // Named, never a temporary in a co_await expression: g++ 12 destroys those wrongly across a suspension.
  const ApiRequest request{"GET", type.object_path(ns, name), ""};
  auto response = co_await transport_.send(request, Clock::now() + options_.request_timeout);
  if (!response) co_return response.error().context("get " + what);
  if (response->status != 200) co_return api_error("get", type, what, *response, config());
  rapidjson::Document doc;
  if (doc.Parse(response->body.c_str(), response->body.size()).HasParseError())
    co_return Error::invalid("get " + what + ": the answer is not JSON");
  co_return to_object(doc, doc.GetAllocator(), type);
}

net::awaitable<Result<std::optional<KubeObject>>> KubeClient::find(const ResourceType& type, const std::string& ns,
                                                                   const std::string& name, Deadline deadline) {
  const std::string what = type.name() + " " + (ns.empty() ? name : ns + "/" + name);
  const ApiRequest request{"GET", type.object_path(ns, name), ""};
  auto response = co_await transport_.send(request, std::min(deadline, Clock::now() + options_.request_timeout));
  if (!response) co_return response.error().context("get " + what);
  if (response->status == 404) co_return std::optional<KubeObject>();
  if (response->status != 200) co_return api_error("get", type, what, *response, config());
  rapidjson::Document doc;
  if (doc.Parse(response->body.c_str(), response->body.size()).HasParseError())
    co_return Error::invalid("get " + what + ": the answer is not JSON");
  auto object = to_object(doc, doc.GetAllocator(), type);
  if (!object) co_return object.error();
  co_return std::optional<KubeObject>(std::move(*object));
}

Result<std::vector<ResourceType>> api_resources(const std::string& group, const std::string& version,
                                                const std::string& body) {
  const std::string api_version = group.empty() ? version : group + "/" + version;
  rapidjson::Document doc;
  if (doc.Parse(body.c_str(), body.size()).HasParseError() || !doc.IsObject())
    return Error::invalid("discover " + api_version + ": the answer is not a JSON object");
  std::vector<ResourceType> out;
  if (const rapidjson::Value* resources = member(doc, "resources"); resources != nullptr && resources->IsArray()) {
    for (const auto& item : resources->GetArray()) {
      const std::string plural = string_at(item, "name");
      if (plural.empty() || plural.find('/') != std::string::npos) continue;  // a subresource: pods/log
      const rapidjson::Value* namespaced = member(item, "namespaced");
      out.push_back({group, version, plural, string_at(item, "kind"),
                     namespaced != nullptr && namespaced->IsBool() && namespaced->GetBool()});
    }
  }
  return out;
}

net::awaitable<Result<std::optional<std::vector<ResourceType>>>> KubeClient::discover_if_served(
    const std::string& group, const std::string& version, Deadline deadline) {
  const std::string api_version = group.empty() ? version : group + "/" + version;
  const std::string path = group.empty() ? "/api/" + version : "/apis/" + group + "/" + version;
  const ApiRequest request{"GET", path, ""};
  auto response = co_await transport_.send(request, std::min(deadline, Clock::now() + options_.request_timeout));
  if (!response) co_return response.error().context("discover " + api_version);
  if (response->status == 404) co_return std::optional<std::vector<ResourceType>>();
  if (response->status != 200) {
    co_return api_error("get", ResourceType{group, version, "", "", false}, "the API discovery " + path, *response,
                        config());
  }
  auto resources = api_resources(group, version, response->body);
  if (!resources) co_return resources.error();
  co_return std::optional<std::vector<ResourceType>>(std::move(*resources));
}

net::awaitable<Result<std::vector<ResourceType>>> KubeClient::discover(const std::string& group,
                                                                       const std::string& version, Deadline deadline) {
  auto served = co_await discover_if_served(group, version, deadline);
  if (!served) co_return served.error();
  if (!*served) {
    const std::string api_version = group.empty() ? version : group + "/" + version;
    const std::string path = group.empty() ? "/api/" + version : "/apis/" + group + "/" + version;
    co_return Error::invalid("the Kubernetes API server serves no " + api_version + " (GET " + path + ": 404)");
  }
  co_return std::move(**served);
}

net::awaitable<Result<std::optional<ResourceType>>> KubeClient::served_version(const ResourceType& type,
                                                                               const std::vector<std::string>& versions,
                                                                               Deadline deadline) {
  for (const auto& version : versions) {
    auto served = co_await discover_if_served(type.group, version, deadline);
    if (!served) co_return served.error();
    if (!*served) continue;
    for (const auto& resource : **served) {
      if (resource.plural == type.plural) co_return std::optional<ResourceType>(resource);
    }
  }
  co_return std::optional<ResourceType>();
}

net::awaitable<Result<std::string>> KubeClient::create_dry_run(const ResourceType& type, const std::string& ns,
                                                               const std::string& object_json, Deadline deadline) {
  const std::string where = type.namespaced ? " in namespace " + ns : "";
  const std::string what = type.name() + where + " (dry-run)";
  const ApiRequest request{"POST", type.collection_path(type.namespaced ? ns : "") + "?dryRun=All", object_json};
  auto response = co_await transport_.send(request, std::min(deadline, Clock::now() + options_.request_timeout));
  if (!response) co_return response.error().context("create " + what);
  if (response->status != 200 && response->status != 201)
    co_return api_error("create", type, what, *response, config(), type.namespaced ? ns : "");
  co_return std::move(response->body);
}

net::awaitable<Result<ObjectList>> KubeClient::list(const ResourceType& type) {
  for (int attempt = 1;; ++attempt) {
    ObjectList list;
    std::string token;
    bool expired = false;
    do {
      std::string target = type.collection_path() + "?limit=" + std::to_string(options_.page_size);
      if (!token.empty()) target += "&continue=" + oci::url_encode(token);
      const ApiRequest request{"GET", target, ""};
      auto response = co_await transport_.send(request, Clock::now() + options_.request_timeout);
      if (!response) co_return response.error().context("list " + type.name());
      if (response->status == 410 && !token.empty() && attempt == 1) {
        expired = true;  // the snapshot behind the continue token is gone: a fresh list is consistent
        break;
      }
      if (response->status != 200) co_return api_error("list", type, type.name(), *response, config());
      rapidjson::Document doc;
      if (doc.Parse(response->body.c_str(), response->body.size()).HasParseError() || !doc.IsObject())
        co_return Error::invalid("list " + type.name() + ": the answer is not a JSON object");
      const rapidjson::Value* metadata = member(doc, "metadata");
      if (metadata == nullptr) co_return Error::invalid("list " + type.name() + ": the answer has no metadata");
      list.resource_version = string_at(*metadata, "resourceVersion");
      token = string_at(*metadata, "continue");
      auto items = doc.FindMember("items");
      if (items != doc.MemberEnd() && items->value.IsArray()) {
        for (auto& item : items->value.GetArray()) {
          auto object = to_object(item, doc.GetAllocator(), type);
          if (!object) co_return object.error().context("list " + type.name());
          list.items.push_back(std::move(*object));
        }
      }
    } while (!token.empty());
    if (!expired) co_return list;
  }
}

net::awaitable<Result<WatchEnd>> KubeClient::watch(const ResourceType& type, const std::string& resource_version,
                                                   const std::function<void(const WatchEvent&)>& on_event) {
  const std::string target = type.collection_path() + "?watch=true&allowWatchBookmarks=true&resourceVersion=" +
                             oci::url_encode(resource_version) +
                             "&timeoutSeconds=" + std::to_string(options_.watch_timeout.count());
  std::optional<Error> problem;
  bool gone = false;
  const LineHandler on_line = [&](std::string_view line) {
    rapidjson::Document doc;
    if (doc.Parse(line.data(), line.size()).HasParseError() || !doc.IsObject()) {
      problem = Error::invalid("watch " + type.name() + ": an event is not a JSON object");
      return false;
    }
    const std::string kind = string_at(doc, "type");
    auto object = doc.FindMember("object");
    if (object == doc.MemberEnd() || !object->value.IsObject()) {
      problem = Error::invalid("watch " + type.name() + ": a " + kind + " event has no object");
      return false;
    }
    if (kind == "ERROR") {
      const rapidjson::Value* code = member(object->value, "code");
      if (code != nullptr && code->IsInt() && code->GetInt() == 410) {
        gone = true;
      } else {
        problem = Error::unavailable("watch " + type.name() +
                                     ": the API server sent an error: " + string_at(object->value, "message"));
      }
      return false;
    }
    WatchEvent event;
    if (kind == "BOOKMARK") {
      event.type = WatchEvent::Type::Bookmark;
      if (const rapidjson::Value* metadata = member(object->value, "metadata"))
        event.object.resource_version = string_at(*metadata, "resourceVersion");
      on_event(event);
      return true;
    }
    if (kind == "ADDED") {
      event.type = WatchEvent::Type::Added;
    } else if (kind == "MODIFIED") {
      event.type = WatchEvent::Type::Modified;
    } else if (kind == "DELETED") {
      event.type = WatchEvent::Type::Deleted;
    } else {
      problem = Error::invalid("watch " + type.name() + ": unknown event type \"" + kind + "\"");
      return false;
    }
    auto parsed = to_object(object->value, doc.GetAllocator(), type);
    if (!parsed) {
      problem = parsed.error();
      return false;
    }
    event.object = std::move(*parsed);
    on_event(event);
    return true;
  };
  const ApiRequest request{"GET", target, ""};
  auto response = co_await transport_.stream(request, Clock::now() + options_.request_timeout,
                                             options_.watch_idle_timeout, on_line);
  if (problem) co_return *problem;
  if (gone) co_return WatchEnd::Gone;
  if (!response) co_return response.error().context("watch " + type.name());
  if (response->status == 410) co_return WatchEnd::Gone;
  if (response->status != 200) co_return api_error("watch", type, type.name(), *response, config());
  co_return WatchEnd::Closed;
}

}  // namespace signet::server::kube
