// In-flight deduplication: N coroutines that need the same key while it is being computed cause one
// computation; the others wait for its result, each until its own deadline. Errors are shared with the
// waiters of that run but never remembered (the caller caches only what it chooses to).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "crypto/result.hpp"

namespace signet::oci {

template <class Value>
class SingleFlight {
 public:
  // Runs `work()` (a callable returning awaitable<Result<Value>>) unless a run for `key` is in flight,
  // in which case it waits for that run's result. The run belongs to the coroutine that started it: when
  // that one is cancelled, a waiter whose deadline has not passed starts the work again.
  template <class Work>
  boost::asio::awaitable<Result<Value>> run(const std::string& key, std::chrono::steady_clock::time_point deadline,
                                            Work work) {
    while (true) {
      std::shared_ptr<Flight> flight;
      bool leader = false;
      {
        const std::lock_guard lock(mutex_);
        auto& slot = flights_[key];
        if (!slot) {
          slot = std::make_shared<Flight>();
          leader = true;
        }
        flight = slot;
      }
      if (leader) {
        Landing landing{*this, key, flight};
        Result<Value> result = co_await work();
        landing.land(result);
        co_return result;
      }
      auto [done, result] = co_await wait(*flight, deadline);
      if (result) co_return std::move(*result);
      // Not done: the deadline passed or this coroutine was cancelled. Done without a result: abandoned.
      if (!done || std::chrono::steady_clock::now() >= deadline)
        co_return Error::unavailable("timed out waiting for " + key);
    }
  }

  // Keys being computed now (for tests and metrics).
  std::size_t in_flight() const {
    const std::lock_guard lock(mutex_);
    return flights_.size();
  }

 private:
  struct Flight {
    std::mutex mutex;
    bool done = false;
    std::optional<Result<Value>> result;  // empty when done: the leader gave up (cancelled)
    std::vector<std::function<void()>> wake;
  };

  // Publishes the leader's result, or on destruction without one (the leader was cancelled), that the
  // run was abandoned.
  class Landing {
   public:
    Landing(SingleFlight& owner, std::string key, std::shared_ptr<Flight> flight)
        : owner_(owner), key_(std::move(key)), flight_(std::move(flight)) {}
    ~Landing() {
      if (flight_) finish(std::nullopt);
    }
    Landing(const Landing&) = delete;
    Landing& operator=(const Landing&) = delete;
    void land(const Result<Value>& result) { finish(result); }

   private:
    void finish(std::optional<Result<Value>> result) {
      {
        const std::lock_guard lock(owner_.mutex_);
        owner_.flights_.erase(key_);
      }
      std::vector<std::function<void()>> wake;
      {
        const std::lock_guard lock(flight_->mutex);
        flight_->done = true;
        flight_->result = std::move(result);
        wake.swap(flight_->wake);
      }
      for (auto& w : wake) w();
      flight_.reset();
    }
    SingleFlight& owner_;
    std::string key_;
    std::shared_ptr<Flight> flight_;
  };

  // Whether the run landed, and its result (none when it was abandoned). The timer is cancelled from the
  // waiter's own executor, so it is never touched from two threads at once.
  static boost::asio::awaitable<std::pair<bool, std::optional<Result<Value>>>> wait(
      Flight& flight, std::chrono::steady_clock::time_point deadline) {
    const auto executor = co_await boost::asio::this_coro::executor;
    auto timer = std::make_shared<boost::asio::steady_timer>(executor, deadline);
    bool done = false;
    {
      const std::lock_guard lock(flight.mutex);
      done = flight.done;
      if (!done) {
        flight.wake.push_back([executor, timer] { boost::asio::post(executor, [timer] { timer->cancel(); }); });
      }
    }
    if (!done) co_await timer->async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
    const std::lock_guard lock(flight.mutex);
    co_return std::pair{flight.done, flight.result};
  }

  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::shared_ptr<Flight>> flights_;
};

}  // namespace signet::oci
