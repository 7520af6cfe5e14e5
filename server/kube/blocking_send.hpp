// One API exchange from a thread of signet's own (the report writer, the leader elector): runs the
// transport's coroutine on that thread's io_context until it answers or its deadline passes.
#pragma once

#include <exception>
#include <optional>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include "server/kube/api_transport.hpp"

namespace signet::server::kube {

inline Result<ApiResponse> blocking_send(boost::asio::io_context& io, ApiTransport& transport,
                                         const ApiRequest& request, Deadline deadline) {
  std::optional<Result<ApiResponse>> answer;
  // Named, so that the coroutine's captures outlive io.run() (a temporary lambda would be gone by then).
  auto exchange = [&]() -> boost::asio::awaitable<void> { answer.emplace(co_await transport.send(request, deadline)); };
  boost::asio::co_spawn(io, exchange, [](std::exception_ptr e) {
    if (e) std::rethrow_exception(e);
  });
  io.run();
  io.restart();
  return std::move(*answer);
}

}  // namespace signet::server::kube
