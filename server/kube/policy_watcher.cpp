#include "server/kube/policy_watcher.hpp"

#include <atomic>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "server/kube/backoff.hpp"

namespace signet::server::kube {
namespace net = boost::asio;

struct PolicyWatcher::Impl {
  PolicyWatcherOptions options;
  MirrorChanged on_change;
  WatchNote on_note;
  KubeClient client;
  PolicyMirror mirror;
  std::thread thread;
  mutable std::mutex mutex;
  std::map<std::string, std::string> versions;  // resource name → resourceVersion last seen
  // Last: destroyed first, with the coroutine frames still pending in it, while the client they use lives.
  net::io_context io{1};

  Impl(ClusterConfig config, std::filesystem::path dir, PolicyWatcherOptions o, MirrorChanged changed, WatchNote note)
      : options(std::move(o)),
        on_change(std::move(changed)),
        on_note(std::move(note)),
        client(std::move(config), options.client),
        mirror(std::move(dir)) {}

  std::string version(const ResourceType& type) const {
    std::lock_guard lock(mutex);
    auto it = versions.find(type.name());
    return it == versions.end() ? "" : it->second;
  }
  void set_version(const ResourceType& type, std::string rv) {
    std::lock_guard lock(mutex);
    versions[type.name()] = std::move(rv);
  }

  void changed(const Result<bool>& result, const std::string& what) {
    if (!result) {
      on_note(true, what + ": " + result.error().message);
    } else if (*result && on_change) {
      on_change();
    }
  }

  // Lists `type` and makes its folder match; the list's resourceVersion is where the watch starts.
  net::awaitable<Result<void>> relist(const ResourceType& type) {
    auto list = co_await client.list(type);
    if (!list) co_return list.error();
    auto reconciled = mirror.reconcile(type, list->items);
    if (!reconciled) co_return reconciled.error();
    set_version(type, list->resource_version);
    if (*reconciled && on_change) on_change();
    co_return success();
  }

  net::awaitable<void> pause(std::chrono::milliseconds delay) {
    net::steady_timer timer(co_await net::this_coro::executor, delay);
    co_await timer.async_wait(net::as_tuple(net::use_awaitable));
  }

  // Where `optional` is served now, or nullopt while it is not; an absent kind's folder is emptied, so a
  // policy of a CRD since removed is not refused forever.
  net::awaitable<Result<std::optional<ResourceType>>> resolve(const OptionalResource& optional) {
    auto served =
        co_await client.served_version(optional.type, optional.versions, Clock::now() + options.client.request_timeout);
    if (!served) co_return served.error();
    if (!*served) {
      auto reconciled = mirror.reconcile(optional.type, {});
      if (!reconciled) co_return reconciled.error();
      if (*reconciled && on_change) on_change();
    }
    co_return served;
  }

  // Lists `type` (or, for an optional kind, finds where it is served and lists it there) until it works
  // or `until` comes.
  template <typename Attempt>
  net::awaitable<Result<void>> retry_until(Clock::time_point until, Backoff& backoff, Attempt attempt) {
    while (true) {
      Result<void> done = co_await attempt();
      if (done) co_return done;
      const auto delay = backoff.next();
      if (Clock::now() + delay >= until) co_return done;
      on_note(true, done.error().message + " (retrying)");
      co_await pause(delay);
    }
  }

  net::awaitable<Result<void>> sync_all(std::chrono::milliseconds timeout) {
    const auto until = Clock::now() + timeout;
    Backoff backoff(options.initial_backoff, options.max_backoff);
    for (const auto& type : options.resources) {
      auto listed = co_await retry_until(until, backoff, [&]() { return relist(type); });
      if (!listed) co_return listed;
    }
    for (const auto& optional : options.optional_resources) {
      auto listed = co_await retry_until(until, backoff, [&]() -> net::awaitable<Result<void>> {
        auto served = co_await resolve(optional);
        if (!served) co_return served.error();
        if (!*served) co_return success();
        co_return co_await relist(**served);
      });
      if (!listed) co_return listed;
    }
    co_return success();
  }

  // An optional kind: followed where it is served, looked for again while it is not; failures back off.
  net::awaitable<void> follow_optional(OptionalResource optional) {
    Backoff backoff(options.initial_backoff, options.max_backoff);
    while (true) {
      auto served = co_await resolve(optional);
      if (!served) {
        on_note(true, served.error().message);
        co_await pause(backoff.next());
      } else if (!*served) {
        co_await pause(options.absent_recheck);
      } else {
        co_await follow(**served, true);  // returns when listing or watching fails
        co_await pause(backoff.next());
      }
    }
  }

  // One kind, for as long as the io_context runs; an optional one only until its watch fails, when its
  // CRD may have been removed.
  net::awaitable<void> follow(ResourceType type, bool optional = false) {
    Backoff backoff(options.initial_backoff, options.max_backoff);
    while (true) {
      if (version(type).empty()) {
        if (auto listed = co_await relist(type); !listed) {
          on_note(true, listed.error().message);
          if (optional) co_return;
          co_await pause(backoff.next());
          continue;
        }
      }
      const auto on_event = [&](const WatchEvent& event) {
        if (!event.object.resource_version.empty()) set_version(type, event.object.resource_version);
        backoff.reset();
        const std::string what = type.name() + " " + event.object.name;
        switch (event.type) {
          case WatchEvent::Type::Added:
          case WatchEvent::Type::Modified:
            changed(mirror.write(type, event.object), "mirroring " + what);
            break;
          case WatchEvent::Type::Deleted:
            changed(mirror.remove(type, event.object), "removing " + what);
            break;
          case WatchEvent::Type::Bookmark:
            break;
        }
      };
      auto ended = co_await client.watch(type, version(type), on_event);
      if (!ended && optional) {
        on_note(true, ended.error().message + "; looking for " + type.name() + " again");
        set_version(type, "");
        co_return;
      }
      if (!ended) {
        on_note(true, ended.error().message + "; resuming from resourceVersion " + version(type));
        co_await pause(backoff.next());
      } else if (*ended == WatchEnd::Gone) {
        on_note(false, "watch " + type.name() + ": resourceVersion " + version(type) +
                           " is too old (410 Gone); listing again");
        set_version(type, "");
      }
    }
  }
};

PolicyWatcher::PolicyWatcher(ClusterConfig config, std::filesystem::path dir, PolicyWatcherOptions options,
                             MirrorChanged on_change, WatchNote on_note)
    : impl_(std::make_unique<Impl>(std::move(config), std::move(dir), std::move(options), std::move(on_change),
                                   std::move(on_note))) {}

PolicyWatcher::~PolicyWatcher() { stop(); }

Result<void> PolicyWatcher::sync(std::chrono::milliseconds timeout) {
  if (auto ready = impl_->client.ready(); !ready) return ready;
  std::optional<Result<void>> result;
  net::co_spawn(impl_->io, impl_->sync_all(timeout), [&](std::exception_ptr e, Result<void> value) {
    if (e) std::rethrow_exception(e);
    result = std::move(value);
  });
  impl_->io.run();
  impl_->io.restart();
  return std::move(*result);
}

void PolicyWatcher::start() {
  if (impl_->thread.joinable()) return;
  for (const auto& type : impl_->options.resources) net::co_spawn(impl_->io, impl_->follow(type), net::detached);
  for (const auto& optional : impl_->options.optional_resources)
    net::co_spawn(impl_->io, impl_->follow_optional(optional), net::detached);
  impl_->thread = std::thread([this] { impl_->io.run(); });
}

void PolicyWatcher::stop() {
  impl_->io.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

std::string PolicyWatcher::resource_version(const ResourceType& type) const { return impl_->version(type); }

}  // namespace signet::server::kube
