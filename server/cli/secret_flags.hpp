// `signet serve` flags that read Secrets from the cluster: --kube-secrets (registry credentials named by
// policies, k8s:// public keys), --kube-pull-secrets (the pods' image pull secrets) and --kube-namespace NS. The cluster is the
// one --kubeconfig / --kube-context name, or the pod's service account.
#pragma once

#include <memory>
#include <vector>

#include "crypto/result.hpp"
#include "server/cli/command_line.hpp"
#include "server/kube/secret_reader.hpp"

namespace signet::server::kube {

std::vector<FlagSpec> kube_secret_flag_specs();
extern const char* const kKubeSecretFlagsHelp;

// The reader the flags ask for, or nullptr without --kube-secrets. The namespace is --kube-namespace, else
// the service account's (or the kubeconfig context's); with neither it is an error.
Result<std::shared_ptr<SecretReader>> secret_reader_from(const CommandLine& line);

}  // namespace signet::server::kube
