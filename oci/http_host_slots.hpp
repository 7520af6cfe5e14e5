// The per-host limit on requests in flight: a counting semaphore per host whose waiters queue first come
// first served, wait asynchronously (never blocking a thread) and give up at their deadline or when their
// coroutine is cancelled, without keeping a slot.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "crypto/result.hpp"
#include "oci/registry.hpp"

namespace signet::oci {

class HostSlots {
  struct State;

 public:
  // Held while a request is in flight; frees the slot (or hands it to the first waiter) when destroyed.
  class Slot {
   public:
    Slot(std::shared_ptr<State> state, std::string host);
    Slot(Slot&& other) noexcept = default;
    Slot& operator=(Slot&& other) noexcept;
    ~Slot();
    Slot(const Slot&) = delete;
    Slot& operator=(const Slot&) = delete;

   private:
    void release();
    std::shared_ptr<State> state_;
    std::string host_;
  };

  // At most `per_host` slots per host (at least 1).
  explicit HostSlots(std::size_t per_host);
  ~HostSlots();
  HostSlots(const HostSlots&) = delete;
  HostSlots& operator=(const HostSlots&) = delete;

  // A slot for `host`: at once when one is free and nobody waits, else when released to this waiter.
  // Unavailable "timed out waiting for a connection slot to HOST" at `deadline`; a cancelled wait
  // returns an Unavailable error too. Runs on the caller's executor.
  boost::asio::awaitable<Result<Slot>> acquire(const std::string& host, Deadline deadline);

  // Slots held and waiters queued for `host`, for tests and diagnostics.
  std::size_t in_use(const std::string& host) const;
  std::size_t waiting(const std::string& host) const;

 private:
  std::shared_ptr<State> state_;
};

}  // namespace signet::oci
