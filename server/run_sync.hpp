// Runs one coroutine to completion on a fresh io_context: how the one-shot CLI commands use the same
// asynchronous engine as the server.
#pragma once

#include <exception>
#include <optional>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

namespace signet::server {

template <class T, class MakeTask>
T run_sync(boost::asio::io_context& io, MakeTask make_task) {
  std::optional<T> result;
  std::exception_ptr failure;
  boost::asio::co_spawn(io, make_task(), [&](std::exception_ptr e, T value) {
    if (e)
      failure = e;
    else
      result = std::move(value);
  });
  io.run();
  io.restart();
  if (failure) std::rethrow_exception(failure);
  return std::move(*result);
}

}  // namespace signet::server
