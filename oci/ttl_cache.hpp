// A thread-safe cache of values that expire: bounded by entries and by bytes, least recently used
// evicted first, with the hit and miss counts the metrics report. Tags, verdicts and content use it.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

namespace signet::oci {

struct CacheStats {
  std::size_t entries = 0;
  std::size_t bytes = 0;
  std::uint64_t hits = 0;
  std::uint64_t misses = 0;
};

template <class Value>
class TtlCache {
 public:
  using Clock = std::chrono::steady_clock;
  using Now = std::function<Clock::time_point()>;

  // `max_entries` 0 disables the cache (every get misses, put keeps nothing). `now` is for tests.
  explicit TtlCache(std::size_t max_entries, std::size_t max_bytes = SIZE_MAX, Now now = &Clock::now)
      : max_entries_(max_entries), max_bytes_(max_bytes), now_(std::move(now)) {}

  // The value stored for `key` if it has not expired; counts a hit or a miss.
  std::optional<Value> get(const std::string& key) {
    const auto now = now_();
    const std::lock_guard lock(mutex_);
    const auto it = index_.find(key);
    if (it == index_.end() || now >= it->second->expires) {
      if (it != index_.end()) erase(it->second);
      ++misses_;
      return std::nullopt;
    }
    entries_.splice(entries_.begin(), entries_, it->second);  // most recently used first
    ++hits_;
    return it->second->value;
  }

  // Stores `value` for `ttl`; `bytes` is its weight against max_bytes (a value larger than the whole
  // budget is not kept).
  void put(const std::string& key, Value value, Clock::duration ttl, std::size_t bytes = 0) {
    if (max_entries_ == 0 || bytes > max_bytes_ || ttl <= Clock::duration::zero()) return;
    const auto expires = now_() + ttl;
    const std::lock_guard lock(mutex_);
    if (const auto it = index_.find(key); it != index_.end()) erase(it->second);
    while (!entries_.empty() && (entries_.size() >= max_entries_ || bytes_ + bytes > max_bytes_)) {
      erase(std::prev(entries_.end()));
    }
    entries_.push_front(Entry{key, std::move(value), expires, bytes});
    index_.emplace(entries_.front().key, entries_.begin());
    bytes_ += bytes;
  }

  void clear() {
    const std::lock_guard lock(mutex_);
    entries_.clear();
    index_.clear();
    bytes_ = 0;
  }

  CacheStats stats() const {
    const std::lock_guard lock(mutex_);
    return {entries_.size(), bytes_, hits_, misses_};
  }

 private:
  struct Entry {
    std::string key;
    Value value;
    Clock::time_point expires;
    std::size_t bytes;
  };
  using Iterator = typename std::list<Entry>::iterator;

  void erase(Iterator it) {
    bytes_ -= it->bytes;
    index_.erase(std::string_view(it->key));
    entries_.erase(it);
  }

  const std::size_t max_entries_;
  const std::size_t max_bytes_;
  const Now now_;
  mutable std::mutex mutex_;
  std::list<Entry> entries_;  // most recently used first
  // Keys are the entries' own strings (list nodes never move): each key is stored once.
  std::unordered_map<std::string_view, Iterator> index_;
  std::size_t bytes_ = 0;
  std::uint64_t hits_ = 0;
  std::uint64_t misses_ = 0;
};

}  // namespace signet::oci
