#include "server/pod_images.hpp"

#include <rapidjson/pointer.h>

namespace signet::server {

const char* pod_spec_pointer(std::string_view kind) {
  if (kind == "Pod") return "/spec";
  if (kind == "Deployment" || kind == "ReplicaSet" || kind == "StatefulSet" || kind == "DaemonSet" || kind == "Job" ||
      kind == "ReplicationController" || kind == "PodTemplate")
    return kind == "PodTemplate" ? "/template/spec" : "/spec/template/spec";
  if (kind == "CronJob") return "/spec/jobTemplate/spec/template/spec";
  return nullptr;
}

Result<std::vector<policy::ImageUse>> images_of(std::string_view kind, const rapidjson::Value& object) {
  std::vector<policy::ImageUse> images;
  const char* spec_pointer = pod_spec_pointer(kind);
  if (!spec_pointer) return images;
  if (!object.IsObject()) return Error::invalid("the object is not a JSON object");

  const rapidjson::Value* spec = rapidjson::Pointer(spec_pointer).Get(object);
  // A controller without a pod spec cannot run a container; nothing to verify.
  if (!spec) return images;
  std::string field_prefix = std::string(spec_pointer + 1);
  for (char& c : field_prefix)
    if (c == '/') c = '.';
  if (!spec->IsObject()) return Error::invalid(field_prefix + " is not an object");

  for (const char* list_name : {"initContainers", "containers", "ephemeralContainers"}) {
    auto list = spec->FindMember(list_name);
    if (list == spec->MemberEnd() || list->value.IsNull()) continue;
    std::string field = field_prefix + "." + list_name;
    if (!list->value.IsArray()) return Error::invalid(field + " is not a list");
    for (rapidjson::SizeType i = 0; i < list->value.Size(); ++i) {
      const auto& container = list->value[i];
      std::string item = field + "[" + std::to_string(i) + "]";
      if (!container.IsObject()) return Error::invalid(item + " is not an object");
      auto image = container.FindMember("image");
      // Kubernetes refuses a container without an image; if one reaches us, refusing is the safe answer.
      if (image == container.MemberEnd() || !image->value.IsString() || image->value.GetStringLength() == 0)
        return Error::invalid(item + ".image is missing or not a string");
      auto name = container.FindMember("name");
      images.push_back(policy::ImageUse{
          image->value.GetString(), std::string(spec_pointer) + "/" + list_name + "/" + std::to_string(i) + "/image",
          name != container.MemberEnd() && name->value.IsString() ? name->value.GetString() : "", list_name});
    }
  }
  return images;
}

Result<void> pull_credentials_of(std::string_view kind, const rapidjson::Value& object,
                                 policy::AdmissionRequest& request) {
  const char* spec_pointer = pod_spec_pointer(kind);
  if (!spec_pointer || !object.IsObject()) return success();
  const rapidjson::Value* spec = rapidjson::Pointer(spec_pointer).Get(object);
  if (!spec || !spec->IsObject()) return success();  // images_of reports a malformed spec
  std::string field = std::string(spec_pointer + 1);
  for (char& c : field)
    if (c == '/') c = '.';
  request.has_pod_spec = true;
  if (auto account = spec->FindMember("serviceAccountName"); account != spec->MemberEnd() && !account->value.IsNull()) {
    if (!account->value.IsString()) return Error::invalid(field + ".serviceAccountName is not a string");
    request.service_account.assign(account->value.GetString(), account->value.GetStringLength());
  }
  auto secrets = spec->FindMember("imagePullSecrets");
  if (secrets == spec->MemberEnd() || secrets->value.IsNull()) return success();
  if (!secrets->value.IsArray()) return Error::invalid(field + ".imagePullSecrets is not a list");
  for (rapidjson::SizeType i = 0; i < secrets->value.Size(); ++i) {
    const auto& item = secrets->value[i];
    const std::string where = field + ".imagePullSecrets[" + std::to_string(i) + "]";
    if (!item.IsObject()) return Error::invalid(where + " is not an object");
    auto name = item.FindMember("name");
    // Kubernetes allows an empty reference (it names nothing); the kubelet skips it.
    if (name == item.MemberEnd() || name->value.IsNull()) continue;
    if (!name->value.IsString()) return Error::invalid(where + ".name is not a string");
    if (name->value.GetStringLength() > 0) request.image_pull_secrets.emplace_back(name->value.GetString());
  }
  return success();
}

}  // namespace signet::server
