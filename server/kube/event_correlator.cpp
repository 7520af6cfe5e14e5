#include "server/kube/event_correlator.hpp"

namespace signet::server::kube {

std::optional<SeenEvent> EventCorrelator::find(const std::string& key, std::int64_t now) const {
  auto it = index_.find(key);
  if (it == index_.end() || now - it->second->second.last_seen > window_) return std::nullopt;
  return it->second->second;
}

void EventCorrelator::record(const std::string& key, SeenEvent event) {
  forget(key);
  entries_.emplace_front(key, std::move(event));
  index_[key] = entries_.begin();
  if (entries_.size() > capacity_) {
    index_.erase(entries_.back().first);
    entries_.pop_back();
  }
}

void EventCorrelator::forget(const std::string& key) {
  auto it = index_.find(key);
  if (it == index_.end()) return;
  entries_.erase(it->second);
  index_.erase(it);
}

}  // namespace signet::server::kube
