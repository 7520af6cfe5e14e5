#include "oci/secret_source.hpp"

#include <algorithm>

namespace signet::oci {
namespace {

// A DNS subdomain (Secret names) or label (namespaces): anything else never reaches an API path.
bool is_object_name(const std::string& name) {
  return !name.empty() && name.size() <= 253 && name.front() != '.' && name.front() != '-' &&
         std::all_of(name.begin(), name.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.'; });
}

struct SecretName {
  std::string namespace_name;  // "" = the source's own
  std::string name;
};

Result<SecretName> parse_policy_secret(const std::string& text) {
  const std::string trimmed = text.starts_with("/") ? text.substr(1) : text;
  const std::size_t slash = trimmed.find('/');
  SecretName out;
  if (slash == std::string::npos) {
    out.name = trimmed;
  } else {
    out.namespace_name = trimmed.substr(0, slash);
    out.name = trimmed.substr(slash + 1);
  }
  if (!is_object_name(out.name) || (slash != std::string::npos && !is_object_name(out.namespace_name)))
    return Error::invalid("registry credential secret \"" + text +
                          "\" is not a Kubernetes secret name (name or namespace/name)");
  return out;
}

}  // namespace

std::string pod_credentials_key(const PodCredentials& pod) {
  if (pod.empty()) return "";
  std::string key = pod.namespace_name + "|" + pod.service_account;
  for (const auto& name : pod.pull_secrets) key += "|" + name;
  return key;
}

boost::asio::awaitable<Result<std::shared_ptr<const ResolvedSecrets>>> resolve_secrets(SecretSource& source,
                                                                                       const Pull& pull,
                                                                                       bool pod_secrets,
                                                                                       const MountedSecret& mounted) {
  auto resolved = std::make_shared<ResolvedSecrets>();
  for (const auto& text : pull.secrets) {
    auto name = parse_policy_secret(text);
    if (!name) co_return name.error();
    if (mounted && name->namespace_name.empty()) {
      auto local = mounted(name->name);
      if (!local) co_return local.error();
      if (*local) {
        resolved->policy.push_back(std::move(**local));
        continue;
      }
    }
    const std::string shown =
        (name->namespace_name.empty() ? source.own_namespace() : name->namespace_name) + "/" + name->name;
    auto config = co_await source.docker_config(name->namespace_name, name->name, pull.deadline);
    if (!config) co_return config.error().context("registry credential secret " + shown);
    if (!*config) co_return Error::invalid("registry credential secret " + shown + " not found");
    resolved->policy.push_back({"secret " + shown, std::move(**config)});
  }
  if (pod_secrets && !pull.pod.empty()) {
    const std::string& ns = pull.pod.namespace_name;
    const std::string account = pull.pod.service_account.empty() ? "default" : pull.pod.service_account;
    std::vector<std::string> names = pull.pod.pull_secrets;
    auto listed = co_await source.service_account_pull_secrets(ns, account, pull.deadline);
    if (!listed) co_return listed.error().context("the pull secrets of service account " + ns + "/" + account);
    if (*listed) {
      for (auto& name : **listed)
        if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(std::move(name));
    }
    for (const auto& name : names) {
      if (!is_object_name(name)) continue;
      auto config = co_await source.docker_config(ns, name, pull.deadline);
      if (!config) {
        // The kubelet skips a pull secret that holds no registry credentials; signet does too. One it
        // could not read decides nothing either way: the read cannot tell what the pod may pull.
        if (config.error().kind == Error::Kind::Invalid) continue;
        co_return config.error().context("image pull secret " + ns + "/" + name);
      }
      if (*config) resolved->pod.push_back({"image pull secret " + ns + "/" + name, std::move(**config)});
    }
  }
  co_return std::shared_ptr<const ResolvedSecrets>(std::move(resolved));
}

}  // namespace signet::oci
