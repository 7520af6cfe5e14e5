#include "server/admission_review.hpp"

#include "policy/jmespath/json_rapidjson.hpp"

#include <map>

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "crypto/encoding.hpp"
#include "server/pod_images.hpp"

namespace signet::server {
namespace {

constexpr std::string_view kApiVersion = "admission.k8s.io/v1";

using Json = rapidjson::Value;

const Json* member(const Json& object, const char* name) {
  if (!object.IsObject()) return nullptr;
  auto it = object.FindMember(name);
  return it == object.MemberEnd() || it->value.IsNull() ? nullptr : &it->value;
}

// An optional string field: absent or null → "", any other non-string → error.
Result<std::string> optional_string(const Json& object, const char* name, std::string_view path) {
  const Json* value = member(object, name);
  if (!value) return std::string();
  if (!value->IsString()) return Error::invalid(std::string(path) + "." + name + " must be a string");
  return std::string(value->GetString(), value->GetStringLength());
}

// A map of strings such as metadata.labels: absent → empty, anything but strings → error.
Result<std::map<std::string, std::string>> string_map(const Json& object, const char* name, std::string_view path) {
  std::map<std::string, std::string> map;
  const Json* value = member(object, name);
  if (!value) return map;
  const std::string field = std::string(path) + "." + name;
  if (!value->IsObject()) return Error::invalid(field + " must be an object");
  for (const auto& entry : value->GetObject()) {
    if (!entry.value.IsString())
      return Error::invalid(field + "." + std::string(entry.name.GetString()) + " must be a string");
    map.emplace(entry.name.GetString(), entry.value.GetString());
  }
  return map;
}

Result<std::vector<policy::ImageUse>> images_of_field(const Json& request, const char* field, const std::string& kind) {
  const Json* object = member(request, field);
  if (!object) return std::vector<policy::ImageUse>{};
  auto images = images_of(kind, *object);
  if (!images) return images.error().context(std::string("request.") + field);
  return images;
}

}  // namespace

Result<AdmissionReview> decode_admission_review(std::string_view body, bool with_json) {
  rapidjson::Document doc;
  // Iterative: a hostile body of a million '[' must not recurse the stack away.
  doc.Parse<rapidjson::kParseIterativeFlag | rapidjson::kParseValidateEncodingFlag>(body.data(), body.size());
  if (doc.HasParseError())
    return Error::invalid(
        "the body is not valid JSON: " + std::string(rapidjson::GetParseError_En(doc.GetParseError())) + " at offset " +
        std::to_string(doc.GetErrorOffset()));
  if (!doc.IsObject()) return Error::invalid("the body is not a JSON object");

  AdmissionReview review;
  auto api_version = optional_string(doc, "apiVersion", "review");
  if (!api_version) return api_version.error();
  if (*api_version != kApiVersion)
    return Error::invalid("apiVersion must be " + std::string(kApiVersion) + ", not \"" + *api_version + "\"");
  review.api_version = *api_version;
  auto kind = optional_string(doc, "kind", "review");
  if (!kind) return kind.error();
  if (*kind != "AdmissionReview") return Error::invalid("kind must be AdmissionReview, not \"" + *kind + "\"");

  const Json* request = member(doc, "request");
  if (!request) return Error::invalid("request is missing");
  if (!request->IsObject()) return Error::invalid("request must be an object");
  auto uid = optional_string(*request, "uid", "request");
  if (!uid) return uid.error();
  if (uid->empty()) return Error::invalid("request.uid is missing");
  review.uid = *uid;

  policy::AdmissionRequest& r = review.request;
  if (with_json) {
    auto request_json = policy::json::from_rapidjson(*request);
    if (!request_json) return request_json.error().context("request");
    r.json = std::move(*request_json);
  }
  auto operation = optional_string(*request, "operation", "request");
  if (!operation) return operation.error();
  if (*operation != "CREATE" && *operation != "UPDATE" && *operation != "DELETE" && *operation != "CONNECT")
    return Error::invalid("request.operation must be CREATE, UPDATE, DELETE or CONNECT, not \"" + *operation + "\"");
  r.operation = *operation;

  const Json* gvk = member(*request, "kind");
  if (!gvk || !gvk->IsObject()) return Error::invalid("request.kind is missing");
  for (auto [field, target] : {std::pair{"group", &r.group}, {"version", &r.version}, {"kind", &r.kind}}) {
    auto value = optional_string(*gvk, field, "request.kind");
    if (!value) return value.error();
    *target = *value;
  }
  if (r.kind.empty()) return Error::invalid("request.kind.kind is missing");

  for (auto [field, target] :
       {std::pair{"subResource", &r.subresource}, {"namespace", &r.namespace_name}, {"name", &r.name}}) {
    auto value = optional_string(*request, field, "request");
    if (!value) return value.error();
    *target = *value;
  }

  if (const Json* user = member(*request, "userInfo")) {
    auto username = optional_string(*user, "username", "request.userInfo");
    if (!username) return username.error();
    r.user.username = *username;
    if (const Json* groups = member(*user, "groups")) {
      if (!groups->IsArray()) return Error::invalid("request.userInfo.groups must be a list");
      for (const auto& g : groups->GetArray()) {
        if (!g.IsString()) return Error::invalid("request.userInfo.groups must hold strings");
        r.user.groups.emplace_back(g.GetString(), g.GetStringLength());
      }
    }
  }
  if (const Json* dry_run = member(*request, "dryRun")) {
    if (!dry_run->IsBool()) return Error::invalid("request.dryRun must be a boolean");
    r.dry_run = dry_run->GetBool();
  }

  // DELETE carries no object; CREATE and UPDATE must.
  const Json* object = member(*request, "object");
  if ((r.operation == "CREATE" || r.operation == "UPDATE") && !object)
    return Error::invalid("request.object is missing for " + r.operation);
  if (object) {
    if (!object->IsObject()) return Error::invalid("request.object must be an object");
    if (const Json* metadata = member(*object, "metadata")) {
      if (r.name.empty()) {
        auto name = optional_string(*metadata, "name", "request.object.metadata");
        if (!name) return name.error();
        r.name = *name;
      }
      for (auto [field, target] : {std::pair{"labels", &r.labels}, {"annotations", &r.annotations}}) {
        auto map = string_map(*metadata, field, "request.object.metadata");
        if (!map) return map.error();
        *target = std::move(*map);
      }
    }
  }

  // The ephemeralcontainers subresource carries the whole Pod; other subresources (status, binding,
  // eviction, exec…) cannot change which images run.
  std::string image_kind = r.kind;
  if (!r.subresource.empty() && r.subresource != "ephemeralcontainers") image_kind.clear();
  auto images = images_of_field(*request, "object", image_kind);
  if (!images) return images.error();
  review.images = std::move(*images);
  if (object) {
    if (auto pulls = pull_credentials_of(image_kind, *object, r); !pulls)
      return pulls.error().context("request.object");
  }
  auto old_images = images_of_field(*request, "oldObject", image_kind);
  if (!old_images) return old_images.error();
  review.old_images = std::move(*old_images);
  return review;
}

std::string encode_json_patch(const std::vector<policy::PatchOperation>& patch) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.StartArray();
  for (const auto& op : patch) {
    w.StartObject();
    w.Key("op");
    w.String(op.op.c_str(), op.op.size());
    w.Key("path");
    w.String(op.path.c_str(), op.path.size());
    w.Key("value");
    w.String(op.value.c_str(), op.value.size());
    w.EndObject();
  }
  w.EndArray();
  return std::string(buffer.GetString(), buffer.GetSize());
}

std::string encode_admission_response(const AdmissionReview& review, const policy::Decision& decision) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  auto string = [&w](const std::string& s) { w.String(s.c_str(), s.size()); };
  w.StartObject();
  w.Key("apiVersion");
  string(review.api_version);
  w.Key("kind");
  w.String("AdmissionReview");
  w.Key("response");
  w.StartObject();
  w.Key("uid");
  string(review.uid);
  w.Key("allowed");
  w.Bool(decision.allowed);
  if (!decision.allowed) {
    w.Key("status");
    w.StartObject();
    w.Key("code");
    w.Int(403);
    w.Key("reason");
    w.String("Forbidden");
    w.Key("message");
    string(decision.message);
    w.EndObject();
  }
  if (!decision.warnings.empty()) {
    w.Key("warnings");
    w.StartArray();
    for (const auto& warning : decision.warnings) string(warning);
    w.EndArray();
  }
  if (!decision.audit_annotations.empty()) {
    w.Key("auditAnnotations");
    w.StartObject();
    for (const auto& [key, value] : decision.audit_annotations) {
      string(key);
      string(value);
    }
    w.EndObject();
  }
  if (decision.allowed && !decision.patch.empty()) {
    w.Key("patchType");
    w.String("JSONPatch");
    w.Key("patch");
    string(crypto::base64_encode(encode_json_patch(decision.patch)));
  }
  w.EndObject();
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace signet::server
