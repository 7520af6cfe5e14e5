// Where the Kubernetes API is and how signet proves who it is: in a pod, from the service account that
// Kubernetes mounts; outside, from a kubeconfig file (its current context, or one named).
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "crypto/result.hpp"
#include "oci/url.hpp"

namespace signet::server::kube {

struct ClusterConfig {
  oci::Url server;  // https://host:port of the API server
  // Trust for the API server's certificate: a PEM file, or PEM text (certificate-authority-data); with
  // neither, the system CAs.
  std::string ca_file;
  std::string ca_pem;
  // A fixed bearer token, or a file holding one that is read again whenever it changes (projected
  // service-account tokens rotate about every hour).
  std::string token;
  std::string token_file;
  // A client certificate and its key (PEM text), for kubeconfig users that authenticate with one.
  std::string client_cert_pem;
  std::string client_key_pem;
  std::string default_namespace;  // the pod's namespace, or the context's; "" when unknown
  std::string source;             // for messages: "the in-cluster service account", "kubeconfig F, context C"
};

inline constexpr const char* kServiceAccountDir = "/var/run/secrets/kubernetes.io/serviceaccount";

using GetEnv = std::function<std::optional<std::string>(const std::string& name)>;
// The process's environment.
GetEnv process_environment();

// The config of a pod: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT, and `token`, `ca.crt` and
// `namespace` in `service_account_dir`. Missing variables or files are Invalid errors naming them.
Result<ClusterConfig> in_cluster_config(const GetEnv& env = process_environment(),
                                        const std::string& service_account_dir = kServiceAccountDir);

// The config of `context` (the file's current-context when "") in the kubeconfig at `path`. Relative file
// names in it are relative to the kubeconfig's folder, as kubectl reads them. Refused with the reason:
// insecure-skip-tls-verify, exec and auth-provider plugins (signet runs no programs), basic auth.
Result<ClusterConfig> kubeconfig_config(const std::string& path, const std::string& context = "");

}  // namespace signet::server::kube
