// The idle keep-alive connections of an HTTP client, per host, shared by every coroutine that sends
// requests. A connection is either in the pool or in the hands of exactly one request, never both.
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace signet::oci {

template <class Connection>
class ConnectionPool {
 public:
  using Clock = std::chrono::steady_clock;

  ConnectionPool(std::size_t max_idle_per_host, Clock::duration idle_timeout)
      : max_idle_(max_idle_per_host), idle_timeout_(idle_timeout) {}

  // The most recently returned idle connection to `host` that has been idle less than the timeout, or
  // nullptr. Older ones are closed: the server has likely dropped them already.
  std::unique_ptr<Connection> take(const std::string& host, Clock::time_point now) {
    std::deque<Idle> expired;  // closed outside the lock
    std::unique_ptr<Connection> found;
    {
      std::lock_guard lock(mutex_);
      const auto it = idle_.find(host);
      if (it == idle_.end()) return nullptr;
      auto& list = it->second;
      // The newest is at the back: when it is too old, so are all the others.
      if (now - list.back().since < idle_timeout_) {
        found = std::move(list.back().connection);
        list.pop_back();
      } else {
        expired = std::move(list);
        list.clear();
      }
      if (list.empty()) idle_.erase(it);
    }
    return found;
  }

  // Keeps `connection` for reuse; beyond the bound the least recently used one of `host` is closed.
  void put(const std::string& host, std::unique_ptr<Connection> connection, Clock::time_point now) {
    std::unique_ptr<Connection> dropped;
    std::lock_guard lock(mutex_);
    if (max_idle_ == 0) return;
    auto& list = idle_[host];
    if (list.size() >= max_idle_) {
      dropped = std::move(list.front().connection);
      list.pop_front();
    }
    list.push_back({std::move(connection), now});
  }

  std::size_t idle(const std::string& host) const {
    std::lock_guard lock(mutex_);
    const auto it = idle_.find(host);
    return it == idle_.end() ? 0 : it->second.size();
  }

 private:
  struct Idle {
    std::unique_ptr<Connection> connection;
    Clock::time_point since;
  };

  const std::size_t max_idle_;
  const Clock::duration idle_timeout_;
  mutable std::mutex mutex_;
  std::map<std::string, std::deque<Idle>> idle_;  // oldest first
};

}  // namespace signet::oci
