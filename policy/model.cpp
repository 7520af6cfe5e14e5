#include "policy/model.hpp"

namespace signet::policy {

void AttestorSet::add(Attestor attestor) {
  attestor.written_index = entries.empty() ? 0 : entries.back().written_index + 1;
  if (!attestor.keys || attestor.keys->public_keys.size() <= 1) {
    entries.push_back(std::move(attestor));
    return;
  }
  const std::vector<crypto::PublicKey> keys = std::move(attestor.keys->public_keys);
  attestor.key_count = keys.size();
  for (std::size_t k = 0; k < keys.size(); ++k) {
    Attestor one = attestor;
    one.keys->public_keys = {keys[k]};
    one.key_number = k + 1;
    entries.push_back(std::move(one));
  }
}

}  // namespace signet::policy
