#include "server/kube/cluster_config.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <yaml-cpp/yaml.h>

#include "crypto/encoding.hpp"

namespace signet::server::kube {
namespace {

namespace fs = std::filesystem;

Result<std::string> read_text(const std::string& path, const std::string& what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error::invalid("cannot read " + what + " " + path);
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

std::string trim(std::string text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return "";
  return text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1);
}

// An entry of a kubeconfig's named list (`clusters`, `users`, `contexts`): the map under its `key`.
Result<YAML::Node> named(const YAML::Node& root, const std::string& list, const std::string& key,
                         const std::string& name, const std::string& where) {
  const YAML::Node entries = root[list];
  if (entries && entries.IsSequence()) {
    for (const auto& entry : entries) {
      if (entry.IsMap() && entry["name"] && entry["name"].as<std::string>("") == name) {
        const YAML::Node value = entry[key];
        if (value && value.IsMap()) return value;
        return Error::invalid(where + ": " + list + " entry \"" + name + "\" has no " + key + " map");
      }
    }
  }
  return Error::invalid(where + ": no " + list + " entry named \"" + name + "\"");
}

std::string text_of(const YAML::Node& map, const std::string& field) {
  const YAML::Node value = map[field];
  return value && value.IsScalar() ? value.as<std::string>() : "";
}

// A file named in the kubeconfig, relative to its folder as kubectl resolves it.
std::string resolve(const fs::path& base, const std::string& name) {
  if (name.empty() || fs::path(name).is_absolute()) return name;
  return (base / name).string();
}

// PEM text from `field-data` (base64) or the file `field`.
Result<std::string> pem_of(const YAML::Node& map, const std::string& field, const fs::path& base,
                           const std::string& where) {
  if (const std::string data = text_of(map, field + "-data"); !data.empty()) {
    auto decoded = crypto::base64_decode(data);
    if (!decoded) return Error::invalid(where + ": " + field + "-data is not base64");
    return *decoded;
  }
  if (const std::string file = text_of(map, field); !file.empty())
    return read_text(resolve(base, file), where + ": " + field);
  return std::string();
}

Result<ClusterConfig> parse_kubeconfig(const YAML::Node& root, const std::string& path, const std::string& wanted) {
  const fs::path base = fs::path(path).parent_path();
  std::string context_name = wanted.empty() ? text_of(root, "current-context") : wanted;
  if (context_name.empty())
    return Error::invalid("kubeconfig " + path + " has no current-context: set one (kubectl config use-context)");
  const std::string where = "kubeconfig " + path + ", context " + context_name;
  auto context = named(root, "contexts", "context", context_name, "kubeconfig " + path);
  if (!context) return context.error();
  auto cluster = named(root, "clusters", "cluster", text_of(*context, "cluster"), where);
  if (!cluster) return cluster.error();
  ClusterConfig config;
  config.source = where;
  config.default_namespace = text_of(*context, "namespace");

  auto server = oci::parse_url(text_of(*cluster, "server"));
  if (!server) return Error::invalid(where + ": the cluster's server is not an http(s) URL: " + server.error().message);
  if (server->scheme != "https")
    return Error::invalid(where + ": the cluster's server must be https://, not " + server->str());
  config.server = *server;
  if (text_of(*cluster, "insecure-skip-tls-verify") == "true")
    return Error::invalid(where +
                          ": insecure-skip-tls-verify is refused: signet verifies the API server's "
                          "certificate; give certificate-authority or certificate-authority-data");
  if (!text_of(*cluster, "proxy-url").empty()) return Error::invalid(where + ": proxy-url is not supported by signet");
  if (const std::string data = text_of(*cluster, "certificate-authority-data"); !data.empty()) {
    auto decoded = crypto::base64_decode(data);
    if (!decoded) return Error::invalid(where + ": certificate-authority-data is not base64");
    config.ca_pem = *decoded;
  } else {
    config.ca_file = resolve(base, text_of(*cluster, "certificate-authority"));
  }

  const std::string user_name = text_of(*context, "user");
  if (user_name.empty()) return config;  // anonymous
  auto user = named(root, "users", "user", user_name, where);
  if (!user) return user.error();
  if ((*user)["exec"])
    return Error::invalid(where + ": user \"" + user_name +
                          "\" authenticates with an exec plugin, which signet does not run; use a token, a "
                          "token file or a client certificate (or run signet in the cluster)");
  if ((*user)["auth-provider"])
    return Error::invalid(where + ": user \"" + user_name +
                          "\" uses an auth-provider plugin, which signet does not run; use a token, a token file "
                          "or a client certificate");
  if (!text_of(*user, "username").empty() || !text_of(*user, "password").empty())
    return Error::invalid(where + ": user \"" + user_name +
                          "\" uses basic auth (username/password), which Kubernetes no longer accepts");
  config.token = text_of(*user, "token");
  config.token_file = resolve(base, text_of(*user, "tokenFile"));
  auto cert = pem_of(*user, "client-certificate", base, where);
  if (!cert) return cert.error();
  auto key = pem_of(*user, "client-key", base, where);
  if (!key) return key.error();
  if (cert->empty() != key->empty())
    return Error::invalid(where + ": user \"" + user_name +
                          "\" has a client certificate without its key, or a key "
                          "without its certificate");
  config.client_cert_pem = std::move(*cert);
  config.client_key_pem = std::move(*key);
  return config;
}

}  // namespace

GetEnv process_environment() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr || *value == '\0') return std::nullopt;
    return std::string(value);
  };
}

Result<ClusterConfig> in_cluster_config(const GetEnv& env, const std::string& service_account_dir) {
  const auto host = env("KUBERNETES_SERVICE_HOST");
  const auto port = env("KUBERNETES_SERVICE_PORT");
  if (!host || !port)
    return Error::invalid(
        "not running in a Kubernetes pod: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT "
        "are not set (outside a cluster, give --kubeconfig FILE)");
  // An IPv6 service address needs brackets in a URL.
  const std::string authority = (host->find(':') != std::string::npos ? "[" + *host + "]" : *host) + ":" + *port;
  auto server = oci::parse_url("https://" + authority);
  if (!server) return Error::invalid("KUBERNETES_SERVICE_HOST/PORT do not form a URL: " + server.error().message);
  ClusterConfig config;
  config.server = *server;
  config.source = "the in-cluster service account (" + service_account_dir + ")";
  config.token_file = service_account_dir + "/token";
  config.ca_file = service_account_dir + "/ca.crt";
  for (const auto& file : {config.token_file, config.ca_file}) {
    if (!fs::exists(file))
      return Error::invalid("the service account file " + file +
                            " is missing: is automountServiceAccountToken false for signet's pod?");
  }
  if (auto ns = read_text(service_account_dir + "/namespace", "the service account namespace"); ns)
    config.default_namespace = trim(*ns);
  return config;
}

Result<ClusterConfig> kubeconfig_config(const std::string& path, const std::string& context) {
  auto text = read_text(path, "the kubeconfig");
  if (!text) return text.error();
  try {
    const YAML::Node root = YAML::Load(*text);
    if (!root.IsMap()) return Error::invalid("kubeconfig " + path + " is not a YAML map");
    return parse_kubeconfig(root, path, context);
  } catch (const YAML::Exception& e) {
    return Error::invalid("kubeconfig " + path + " is not valid YAML: " + e.what());
  }
}

}  // namespace signet::server::kube
