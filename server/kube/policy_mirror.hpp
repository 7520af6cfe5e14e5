// The policies of the cluster as files in a folder that the PolicyStore reads: one YAML file per object
// (JSON is YAML), written atomically, removed when the object is deleted, and the folder of a kind
// reconciled with a fresh list so that objects deleted while signet was not watching go too.
#pragma once

#include <filesystem>
#include <vector>

#include "crypto/result.hpp"
#include "server/kube/api_client.hpp"
#include "server/kube/resource.hpp"

namespace signet::server::kube {

class PolicyMirror {
 public:
  explicit PolicyMirror(std::filesystem::path dir);

  const std::filesystem::path& dir() const { return dir_; }

  // DIR/<plural>.<group>/[<namespace>/]<name>.yaml
  std::filesystem::path file_for(const ResourceType& type, const std::string& ns, const std::string& name) const;

  // Writes `object` (without its managedFields, status and last-applied annotation, which no policy
  // reads) to its file through a hidden temporary file and a rename, so a reader never sees half a
  // policy. Returns whether the file changed.
  Result<bool> write(const ResourceType& type, const KubeObject& object);
  // Removes the object's file; whether there was one.
  Result<bool> remove(const ResourceType& type, const KubeObject& object);
  // Writes every object of `items` and removes the files of `type` that none of them names. Returns
  // whether any file changed.
  Result<bool> reconcile(const ResourceType& type, const std::vector<KubeObject>& items);

 private:
  std::filesystem::path dir_;
};

}  // namespace signet::server::kube
