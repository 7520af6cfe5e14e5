#include "server/cli/cli_test_resources.hpp"

#include <algorithm>
#include <exception>
#include <string_view>

#include <yaml-cpp/yaml.h>

#include "policy/loader/yaml.hpp"

namespace signet::server {
namespace {

// Kinds without a namespace among those a test may hold; every other kind is created in one.
constexpr std::string_view kClusterScoped[] = {"Namespace",
                                               "Node",
                                               "PersistentVolume",
                                               "ClusterRole",
                                               "ClusterRoleBinding",
                                               "StorageClass",
                                               "CustomResourceDefinition",
                                               "PriorityClass",
                                               "ClusterPolicy",
                                               "ValidatingWebhookConfiguration",
                                               "MutatingWebhookConfiguration"};

std::string string_at(const policy::json::Value& object, std::initializer_list<std::string_view> path) {
  const policy::json::Value* value = &object;
  for (auto key : path) {
    value = value->find(key);
    if (value == nullptr) return "";
  }
  return value->is_string() ? value->as_string() : "";
}

// The AdmissionReview the API server would send for the creation of `object`.
Result<TestResource> resource_of(const policy::json::Value& object, const std::string& where) {
  TestResource resource;
  resource.api_version = string_at(object, {"apiVersion"});
  resource.kind = string_at(object, {"kind"});
  resource.name = string_at(object, {"metadata", "name"});
  if (resource.api_version.empty() || resource.kind.empty() || resource.name.empty())
    return Error::invalid(where + ": a resource needs apiVersion, kind and metadata.name");
  resource.namespace_name = string_at(object, {"metadata", "namespace"});
  const bool cluster_scoped =
      std::find(std::begin(kClusterScoped), std::end(kClusterScoped), resource.kind) != std::end(kClusterScoped);
  if (cluster_scoped)
    resource.namespace_name.clear();
  else if (resource.namespace_name.empty())
    resource.namespace_name = "default";

  const auto slash = resource.api_version.find('/');
  const std::string group = slash == std::string::npos ? "" : resource.api_version.substr(0, slash);
  const std::string version =
      slash == std::string::npos ? resource.api_version : resource.api_version.substr(slash + 1);
  using policy::json::Member;
  using policy::json::Object;
  using policy::json::Value;
  Object request{
      Member{"uid", Value("signet-test-" + resource.kind + "-" + resource.name)},
      Member{"kind", Value(Object{Member{"group", Value(group)}, Member{"version", Value(version)},
                                  Member{"kind", Value(resource.kind)}})},
      Member{"name", Value(resource.name)},
      Member{"operation", Value("CREATE")},
      Member{"userInfo", Value(Object{})},
      Member{"object", object},
  };
  if (!resource.namespace_name.empty())
    request.insert(request.begin() + 3, Member{"namespace", Value(resource.namespace_name)});
  const Value review(Object{Member{"apiVersion", Value("admission.k8s.io/v1")},
                            Member{"kind", Value("AdmissionReview")}, Member{"request", Value(std::move(request))}});
  auto decoded = decode_admission_review(policy::json::to_json(review));
  if (!decoded) return decoded.error().context(where);
  resource.review = std::move(*decoded);
  return resource;
}

}  // namespace

std::string TestResource::display() const {
  return kind + "/" + (namespace_name.empty() ? "" : namespace_name + "/") + name;
}

Result<std::vector<TestResource>> load_test_resources(const std::filesystem::path& file) {
  std::vector<YAML::Node> documents;
  try {
    documents = YAML::LoadAllFromFile(file.string());
  } catch (const YAML::BadFile&) {
    return Error::invalid(file.string() + ": cannot be read");
  } catch (const YAML::Exception& error) {
    return Error::invalid(file.string() + ":" + std::to_string(error.mark.line + 1) + ": " + error.msg);
  }
  std::vector<TestResource> out;
  int number = 0;
  for (const auto& document : documents) {
    ++number;
    if (!document.IsDefined() || document.IsNull()) continue;
    const std::string where = file.string() + ": document " + std::to_string(number);
    policy::loader::Problems problems;
    const policy::json::Value object = policy::loader::Field::root(document, 0, problems).to_json();
    if (problems.any())
      return Error::invalid(where + ": " + problems.first()->field_path + ": " + problems.first()->message);
    if (!object.is_object()) return Error::invalid(where + ": not a Kubernetes object");
    std::vector<policy::json::Value> objects{object};
    const bool list = string_at(object, {"kind"}) == "List";
    if (list) {
      const auto* items = object.find("items");
      if (items == nullptr || !items->is_array()) return Error::invalid(where + ": a List needs items");
      objects = items->as_array();
    }
    for (std::size_t i = 0; i < objects.size(); ++i) {
      const std::string item_where = list ? where + ", items[" + std::to_string(i) + "]" : where;
      if (!objects[i].is_object()) return Error::invalid(item_where + ": not a Kubernetes object");
      auto resource = resource_of(objects[i], item_where);
      if (!resource) return resource.error();
      resource->file = file.string();
      resource->document = number;
      out.push_back(std::move(*resource));
    }
  }
  return out;
}

}  // namespace signet::server
