#include "server/kube/dry_runner.hpp"

namespace signet::server::kube {
namespace net = boost::asio;
namespace json = policy::json;
namespace {

std::string json_string_at(const json::Value& object, std::string_view key) {
  const json::Value* value = object.find(key);
  return value != nullptr && value->is_string() ? value->as_string() : "";
}

KubeClientOptions client_options(const ApiDryRunnerOptions& options) {
  KubeClientOptions out;
  out.request_timeout = options.request_timeout;
  return out;
}

}  // namespace

ApiDryRunner::ApiDryRunner(ClusterConfig config, ApiDryRunnerOptions options)
    : client_(std::move(config), client_options(options)), options_(options) {}

std::size_t ApiDryRunner::discoveries() const {
  std::lock_guard lock(mutex_);
  return discoveries_;
}

net::awaitable<Result<ResourceType>> ApiDryRunner::resource_of(const std::string& api_version, const std::string& kind,
                                                               Deadline deadline) {
  const auto slash = api_version.find('/');
  const std::string group = slash == std::string::npos ? "" : api_version.substr(0, slash);
  const std::string version = slash == std::string::npos ? api_version : api_version.substr(slash + 1);
  std::vector<ResourceType> resources;
  bool cached = false;
  {
    std::lock_guard lock(mutex_);
    auto found = discovered_.find(api_version);
    if (found != discovered_.end() && Clock::now() - found->second.at < options_.discovery_ttl) {
      resources = found->second.resources;
      cached = true;
    }
  }
  if (!cached) {
    auto listed = co_await client_.discover(group, version, deadline);
    if (!listed) co_return listed.error();
    resources = std::move(*listed);
    std::lock_guard lock(mutex_);
    ++discoveries_;
    discovered_[api_version] = {Clock::now(), resources};
  }
  for (const auto& resource : resources) {
    if (resource.kind == kind) co_return resource;
  }
  co_return Error::invalid("the Kubernetes API server serves no kind " + kind + " in " + api_version +
                           " (its discovery lists none; is its CustomResourceDefinition installed?)");
}

net::awaitable<Result<json::Value>> ApiDryRunner::create(const json::Value& object, const std::string& namespace_name,
                                                         Deadline deadline) {
  const std::string api_version = json_string_at(object, "apiVersion");
  const std::string kind = json_string_at(object, "kind");
  if (api_version.empty() || kind.empty())
    co_return Error::invalid("the signed manifest has no apiVersion or kind to create in dry-run");
  auto type = co_await resource_of(api_version, kind, deadline);
  if (!type) co_return type.error();
  if (type->namespaced && namespace_name.empty())
    co_return Error::invalid(kind + " is namespaced, but the admitted object has no namespace");
  const std::string body = json::to_json(object);  // named: see KubeClient::get
  auto answer = co_await client_.create_dry_run(*type, namespace_name, body, deadline);
  if (!answer) co_return answer.error();
  auto parsed = json::parse(*answer);
  if (!parsed || !parsed->is_object())
    co_return Error::invalid("create " + type->name() + " (dry-run): the answer is not a JSON object");
  co_return std::move(*parsed);
}

}  // namespace signet::server::kube
