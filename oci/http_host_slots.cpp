#include "oci/http_host_slots.hpp"

#include <algorithm>
#include <deque>
#include <map>
#include <mutex>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace signet::oci {
namespace {

namespace net = boost::asio;
using boost::system::error_code;
using Channel = net::experimental::concurrent_channel<void(error_code)>;

}  // namespace

struct HostSlots::State {
  struct Waiter {
    explicit Waiter(const net::any_io_executor& executor) : wake(executor, 1) {}
    Channel wake;
    bool granted = false;  // under State::mutex: the slot is this waiter's, whatever woke it
  };
  struct Host {
    std::size_t in_use = 0;
    std::deque<std::shared_ptr<Waiter>> waiters;
  };

  std::size_t per_host;
  mutable std::mutex mutex;
  std::map<std::string, Host> hosts;  // only hosts with slots in use or waiters

  // Frees a slot of `host`, or passes it on to the first waiter.
  void release(const std::string& host) {
    std::shared_ptr<Waiter> next;
    {
      std::lock_guard lock(mutex);
      const auto it = hosts.find(host);
      if (it == hosts.end()) return;
      Host& h = it->second;
      if (!h.waiters.empty()) {
        next = std::move(h.waiters.front());
        h.waiters.pop_front();
        next->granted = true;
      } else if (--h.in_use == 0) {
        hosts.erase(it);
      }
    }
    // Outside the lock: waking may resume the waiter at once on another thread.
    if (next) next->wake.try_send(error_code{});
  }
};

HostSlots::Slot::Slot(std::shared_ptr<State> state, std::string host)
    : state_(std::move(state)), host_(std::move(host)) {}

HostSlots::Slot& HostSlots::Slot::operator=(Slot&& other) noexcept {
  if (this != &other) {
    release();
    state_ = std::move(other.state_);
    host_ = std::move(other.host_);
  }
  return *this;
}

HostSlots::Slot::~Slot() { release(); }

void HostSlots::Slot::release() {
  if (state_) std::exchange(state_, nullptr)->release(host_);
}

HostSlots::HostSlots(std::size_t per_host) : state_(std::make_shared<State>()) {
  state_->per_host = std::max<std::size_t>(per_host, 1);
}

HostSlots::~HostSlots() = default;

net::awaitable<Result<HostSlots::Slot>> HostSlots::acquire(const std::string& host, Deadline deadline) {
  const auto timed_out = [&] { return Error::unavailable("timed out waiting for a connection slot to " + host); };
  const net::any_io_executor executor = co_await net::this_coro::executor;
  std::shared_ptr<State::Waiter> waiter;
  {
    std::lock_guard lock(state_->mutex);
    State::Host& h = state_->hosts[host];
    if (h.in_use < state_->per_host && h.waiters.empty()) {
      ++h.in_use;
      co_return Slot(state_, host);
    }
    if (Clock::now() >= deadline) co_return timed_out();
    waiter = std::make_shared<State::Waiter>(executor);
    h.waiters.push_back(waiter);
  }

  // The timer only wakes the waiter; who owns the slot is decided under the mutex (`granted`).
  net::steady_timer timer(executor, deadline);
  timer.async_wait([waiter](error_code ec) {
    if (!ec) waiter->wake.cancel();
  });
  auto [ec] = co_await waiter->wake.async_receive(net::as_tuple(net::use_awaitable));
  timer.cancel();

  bool granted = false;
  {
    std::lock_guard lock(state_->mutex);
    granted = waiter->granted;
    if (!granted) {
      const auto it = state_->hosts.find(host);
      auto& waiters = it->second.waiters;
      waiters.erase(std::find(waiters.begin(), waiters.end(), waiter));
      if (it->second.in_use == 0 && waiters.empty()) state_->hosts.erase(it);
    }
  }
  if (granted) {
    Slot slot(state_, host);
    if (!ec) co_return slot;
    // Woken by the deadline or a cancellation just as the slot arrived: it goes to the next waiter.
  }
  if (Clock::now() >= deadline) co_return timed_out();
  co_return Error::unavailable("waiting for a connection slot to " + host + " was cancelled");
}

std::size_t HostSlots::in_use(const std::string& host) const {
  std::lock_guard lock(state_->mutex);
  const auto it = state_->hosts.find(host);
  return it == state_->hosts.end() ? 0 : it->second.in_use;
}

std::size_t HostSlots::waiting(const std::string& host) const {
  std::lock_guard lock(state_->mutex);
  const auto it = state_->hosts.find(host);
  return it == state_->hosts.end() ? 0 : it->second.waiters.size();
}

}  // namespace signet::oci
