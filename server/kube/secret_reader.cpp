#include "server/kube/secret_reader.hpp"

#include <rapidjson/document.h>

#include "crypto/encoding.hpp"
#include "server/kube/json_fields.hpp"
#include "server/run_sync.hpp"

namespace signet::server::kube {
namespace net = boost::asio;
namespace {

constexpr const char* kDockerConfigJson = "kubernetes.io/dockerconfigjson";
constexpr const char* kDockerCfg = "kubernetes.io/dockercfg";
constexpr std::chrono::seconds kPolicyReadTimeout{10};

// A Secret as signet reads it: its type and its data, base64-decoded.
struct SecretData {
  std::string type;
  std::map<std::string, std::string> data;
};

Result<SecretData> parse_secret(const std::string& json, const std::string& shown) {
  rapidjson::Document doc;
  if (doc.Parse(json.c_str(), json.size()).HasParseError() || !doc.IsObject())
    return Error::invalid("Secret " + shown + " is not a JSON object");
  SecretData secret;
  secret.type = "Opaque";  // the API server's default
  if (auto type = doc.FindMember("type"); type != doc.MemberEnd() && type->value.IsString())
    secret.type = type->value.GetString();
  auto data = doc.FindMember("data");
  if (data == doc.MemberEnd() || data->value.IsNull()) return secret;
  if (!data->value.IsObject()) return Error::invalid("Secret " + shown + ": data is not an object");
  for (const auto& entry : data->value.GetObject()) {
    const std::string key = entry.name.GetString();
    if (!entry.value.IsString()) return Error::invalid("Secret " + shown + ": data." + key + " is not a string");
    auto decoded = crypto::base64_decode(entry.value.GetString());
    if (!decoded) return Error::invalid("Secret " + shown + ": data." + key + " is not base64");
    secret.data.emplace(key, std::move(*decoded));
  }
  return secret;
}

std::string keys_of(const SecretData& secret) {
  std::string out;
  for (const auto& [key, value] : secret.data) out += (out.empty() ? "" : ", ") + key;
  return out.empty() ? "no data" : "data keys " + out;
}

}  // namespace

SecretReader::SecretReader(ClusterConfig config, SecretReaderOptions options, KubeClientOptions client_options)
    : client_(std::move(config), client_options),
      options_(std::move(options)),
      cache_(options_.max_entries, SIZE_MAX, options_.now) {}

net::awaitable<Result<std::optional<std::string>>> SecretReader::object(const ResourceType& type, const std::string& ns,
                                                                        const std::string& name,
                                                                        oci::Deadline deadline) {
  const std::string key = type.plural + "/" + ns + "/" + name;
  if (auto hit = cache_.get(key)) co_return *hit;
  co_return co_await flights_.run(key, deadline, [&]() -> net::awaitable<Result<std::optional<std::string>>> {
    ++reads_;
    auto found = co_await client_.find(type, ns, name, deadline);
    // Not kept: a refusal (403) or an unreachable API is retried by the next read.
    if (!found) co_return Error::unavailable(found.error().message);
    std::optional<std::string> json;
    if (*found) json = std::move((*found)->json);
    cache_.put(key, json, options_.ttl);
    co_return json;
  });
}

net::awaitable<Result<std::optional<oci::DockerConfig>>> SecretReader::docker_config(const std::string& namespace_name,
                                                                                     const std::string& name,
                                                                                     oci::Deadline deadline) {
  const std::string ns = namespace_name.empty() ? options_.own_namespace : namespace_name;
  const std::string shown = ns + "/" + name;
  auto json = co_await object(secrets(), ns, name, deadline);
  if (!json) co_return json.error();
  if (!*json) co_return std::optional<oci::DockerConfig>();
  auto secret = parse_secret(**json, shown);
  if (!secret) co_return secret.error();
  const bool legacy = secret->type == kDockerCfg;
  if (secret->type != kDockerConfigJson && !legacy) {
    co_return Error::invalid("Secret " + shown + " is of type " + secret->type +
                             "; registry credentials are read from " + kDockerConfigJson + " or " + kDockerCfg +
                             " Secrets");
  }
  const std::string data_key = legacy ? ".dockercfg" : ".dockerconfigjson";
  const auto data = secret->data.find(data_key);
  if (data == secret->data.end())
    co_return Error::invalid("Secret " + shown + " of type " + secret->type + " has no " + data_key);
  auto config = legacy ? oci::DockerConfig::parse_legacy(data->second) : oci::DockerConfig::parse(data->second);
  if (!config) co_return config.error().context("Secret " + shown + " " + data_key);
  co_return std::optional<oci::DockerConfig>(std::move(*config));
}

net::awaitable<Result<std::optional<std::vector<std::string>>>> SecretReader::service_account_pull_secrets(
    const std::string& namespace_name, const std::string& name, oci::Deadline deadline) {
  const std::string shown = namespace_name + "/" + name;
  auto json = co_await object(service_accounts(), namespace_name, name, deadline);
  if (!json) co_return json.error();
  // One engaged-or-not value returned once: GCC 12 at -O1 mistakes an empty optional built in a co_return
  // for an uninitialised one.
  std::optional<std::vector<std::string>> names;
  if (*json) {
    rapidjson::Document doc;
    if (doc.Parse((*json)->c_str(), (*json)->size()).HasParseError() || !doc.IsObject())
      co_return Error::invalid("ServiceAccount " + shown + " is not a JSON object");
    names.emplace();
    auto list = doc.FindMember("imagePullSecrets");
    if (list != doc.MemberEnd() && list->value.IsArray()) {
      for (const auto& item : list->value.GetArray()) {
        if (!item.IsObject()) continue;
        auto secret = item.FindMember("name");
        if (secret != item.MemberEnd() && secret->value.IsString() && secret->value.GetStringLength() > 0)
          names->emplace_back(secret->value.GetString());
      }
    }
  }
  co_return names;
}

Result<std::optional<std::string>> SecretReader::object_now(const ResourceType& type, const std::string& ns,
                                                            const std::string& name) {
  net::io_context io;
  using Read = std::optional<Result<std::optional<std::string>>>;  // default-constructible, as run_sync needs
  auto read = run_sync<Read>(io, [&]() -> net::awaitable<Read> {
    co_return co_await object(type, ns, name, oci::Clock::now() + kPolicyReadTimeout);
  });
  return std::move(*read);
}

Result<std::string> SecretReader::public_key(const std::string& namespace_name, const std::string& name) {
  const std::string shown = namespace_name + "/" + name;
  auto json = object_now(secrets(), namespace_name, name);
  if (!json) return json.error();
  if (!*json) return Error::invalid("Secret " + shown + " not found");
  auto secret = parse_secret(**json, shown);
  if (!secret) return secret.error();
  const auto key = secret->data.find("cosign.pub");
  if (key == secret->data.end())
    return Error::invalid("Secret " + shown + " has no cosign.pub (it holds " + keys_of(*secret) + ")");
  return key->second;
}

Result<std::string> SecretReader::config_map(const std::string& namespace_name, const std::string& name) {
  const std::string shown = "ConfigMap " + namespace_name + "/" + name;
  auto json = object_now(config_maps(), namespace_name, name);
  if (!json) return json.error().context(shown);
  if (!*json) return Error::invalid(shown + " not found");
  rapidjson::Document doc;
  if (doc.Parse((*json)->c_str(), (*json)->size()).HasParseError() || !doc.IsObject())
    return Error::invalid(shown + " is not a JSON object");
  // Kyverno's context holds {data, metadata} of the ConfigMap (binaryData is left out, as there).
  rapidjson::Document out(rapidjson::kObjectType);
  auto& allocator = out.GetAllocator();
  for (const char* member : {"data", "metadata"}) {
    rapidjson::Value value(rapidjson::kNullType);
    if (auto found = doc.FindMember(member); found != doc.MemberEnd()) value.CopyFrom(found->value, allocator);
    out.AddMember(rapidjson::StringRef(member), value, allocator);
  }
  return to_json(out);
}

}  // namespace signet::server::kube
