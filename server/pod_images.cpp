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

}  // namespace signet::server
