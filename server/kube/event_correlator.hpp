// Which Event a repeated failure goes to, as client-go's EventCorrelator decides it: an Event with the same
// involved object, type, reason, message and source as one written within the window is not created again;
// the existing one's count and lastTimestamp go up (a PATCH). A bounded cache of the Events written last
// (the least recently seen go first); no I/O.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <list>
#include <optional>
#include <string>
#include <unordered_map>

namespace signet::server::kube {

struct SeenEvent {
  std::string namespace_name;
  std::string name;  // the Event object's
  std::int64_t count = 0;
  std::int64_t last_seen = 0;  // seconds since the epoch
};

class EventCorrelator {
 public:
  explicit EventCorrelator(std::size_t capacity = 4096, std::chrono::seconds window = std::chrono::minutes(10))
      : capacity_(capacity), window_(window.count()) {}

  // The Event written for `key` that was last seen no more than the window before `now`.
  std::optional<SeenEvent> find(const std::string& key, std::int64_t now) const;
  // `event` is now the Event for `key`.
  void record(const std::string& key, SeenEvent event);
  void forget(const std::string& key);
  std::size_t size() const { return index_.size(); }

 private:
  using Entry = std::pair<std::string, SeenEvent>;
  std::size_t capacity_;
  std::int64_t window_;
  std::list<Entry> entries_;  // most recently recorded first
  std::unordered_map<std::string, std::list<Entry>::iterator> index_;
};

}  // namespace signet::server::kube
