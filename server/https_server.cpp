#include "server/https_server.hpp"

#include <array>
#include <atomic>
#include <filesystem>
#include <map>
#include <mutex>

#include <openssl/ssl.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "server/log.hpp"

namespace signet::server {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

namespace {

constexpr auto as_values = asio::as_tuple(asio::use_awaitable);
constexpr auto kHandshakeTimeout = std::chrono::seconds(10);
constexpr auto kWriteTimeout = std::chrono::seconds(30);
constexpr auto kLingerTimeout = std::chrono::seconds(2);
constexpr std::size_t kLingerBytes = 64 * 1024 * 1024;

Result<std::shared_ptr<ssl::context>> load_tls_context(const std::string& cert_file, const std::string& key_file) {
  auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
  context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                       ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::single_dh_use);
  SSL_CTX_set_min_proto_version(context->native_handle(), TLS1_2_VERSION);
  boost::system::error_code ec;
  context->use_certificate_chain_file(cert_file, ec);
  if (ec) return Error::invalid("cannot load the serving certificate " + cert_file + ": " + ec.message());
  context->use_private_key_file(key_file, ssl::context::pem, ec);
  if (ec) return Error::invalid("cannot load the serving key " + key_file + ": " + ec.message());
  if (SSL_CTX_check_private_key(context->native_handle()) != 1)
    return Error::invalid("the serving key " + key_file + " does not match the certificate " + cert_file);
  return context;
}

// Changes of either file (rotation by cert-manager rewrites both) are noticed by size and mtime.
std::string file_stamp(const std::string& path) {
  std::error_code ec;
  auto time = std::filesystem::last_write_time(path, ec);
  if (ec) return "missing";
  auto size = std::filesystem::file_size(path, ec);
  return std::to_string(time.time_since_epoch().count()) + "/" + std::to_string(ec ? 0 : size);
}

struct Connection {
  Connection(tcp::socket socket, std::shared_ptr<ssl::context> tls)
      : tls(std::move(tls)), stream(std::move(socket), *this->tls) {}
  std::shared_ptr<ssl::context> tls;  // the context this connection was accepted with, kept alive
  ssl::stream<beast::tcp_stream> stream;
  bool busy = false;  // a request is being answered (touched only on the connection's strand)
};

}  // namespace

struct HttpsServer::Impl : std::enable_shared_from_this<Impl> {
  Impl(asio::io_context& io, Webhook& webhook, HttpsServerOptions options)
      : io(io),
        webhook(webhook),
        options(std::move(options)),
        acceptor(asio::make_strand(io)),
        reload_timer(acceptor.get_executor()) {}

  asio::io_context& io;
  Webhook& webhook;
  HttpsServerOptions options;
  tcp::acceptor acceptor;
  asio::steady_timer reload_timer;
  std::atomic<bool> stopping{false};

  std::mutex tls_mutex;
  std::shared_ptr<ssl::context> tls;
  std::string tls_stamp;

  std::mutex connections_mutex;
  std::map<Connection*, std::weak_ptr<Connection>> connections;

  std::shared_ptr<ssl::context> current_tls() {
    std::lock_guard lock(tls_mutex);
    return tls;
  }

  void reload_tls_if_changed() {
    std::string stamp = file_stamp(options.cert_file) + "|" + file_stamp(options.key_file);
    {
      std::lock_guard lock(tls_mutex);
      if (stamp == tls_stamp) return;
    }
    auto loaded = load_tls_context(options.cert_file, options.key_file);
    std::lock_guard lock(tls_mutex);
    tls_stamp = stamp;  // a broken pair is reported once, not every interval
    if (!loaded) {
      log(Level::Error, loaded.error().message + "; keeping the previous certificate");
      return;
    }
    tls = std::move(*loaded);
    log(Level::Info, "serving certificate reloaded from " + options.cert_file);
  }

  asio::awaitable<void> watch_certificate() {
    auto self = shared_from_this();
    while (!stopping) {
      reload_timer.expires_after(options.reload_interval);
      auto [ec] = co_await reload_timer.async_wait(as_values);
      if (ec || stopping) co_return;
      reload_tls_if_changed();
    }
  }

  asio::awaitable<void> accept_loop() {
    auto self = shared_from_this();
    while (!stopping) {
      auto [ec, socket] = co_await acceptor.async_accept(asio::make_strand(io), as_values);
      if (ec) {
        if (stopping || ec == asio::error::operation_aborted) co_return;
        log(Level::Warning, "accept failed: " + ec.message());
        continue;
      }
      auto connection = std::make_shared<Connection>(std::move(socket), current_tls());
      {
        std::lock_guard lock(connections_mutex);
        connections.emplace(connection.get(), connection);
      }
      asio::co_spawn(connection->stream.get_executor(), serve(connection), [self, connection](std::exception_ptr e) {
        if (e) {
          try {
            std::rethrow_exception(e);
          } catch (const std::exception& error) {
            log(Level::Error, std::string("connection failed: ") + error.what());
          }
        }
        std::lock_guard lock(self->connections_mutex);
        self->connections.erase(connection.get());
      });
    }
  }

  template <class Body>
  asio::awaitable<bool> send(Connection& c, http::response<Body>& response) {
    beast::get_lowest_layer(c.stream).expires_after(kWriteTimeout);
    auto [ec, bytes] = co_await http::async_write(c.stream, response, as_values);
    co_return !ec;
  }

  asio::awaitable<void> send_error(Connection& c, http::status status, std::string message) {
    http::response<http::string_body> response{status, 11};
    response.set(http::field::server, "signet");
    response.set(http::field::content_type, "text/plain; charset=utf-8");
    response.keep_alive(false);
    response.body() = std::move(message) + "\n";
    response.prepare_payload();
    co_await send(c, response);
  }

  // A lingering close: the client may still be sending the body we refused. Reading it away for a moment
  // lets the client finish and read our answer instead of hitting a reset connection.
  asio::awaitable<void> drain(Connection& c) {
    beast::get_lowest_layer(c.stream).expires_after(kLingerTimeout);
    std::array<char, 16 * 1024> discard;
    for (std::size_t total = 0; total < kLingerBytes;) {
      auto [ec, n] = co_await c.stream.async_read_some(asio::buffer(discard), as_values);
      if (ec) break;
      total += n;
    }
  }

  asio::awaitable<void> serve(std::shared_ptr<Connection> connection) {
    Connection& c = *connection;
    auto& tcp_stream = beast::get_lowest_layer(c.stream);
    tcp_stream.expires_after(kHandshakeTimeout);
    auto [handshake_error] = co_await c.stream.async_handshake(ssl::stream_base::server, as_values);
    if (handshake_error) co_return;  // scanners, plain-HTTP clients, timeouts: nothing to answer

    beast::flat_buffer buffer;
    for (;;) {
      c.busy = false;
      if (stopping) break;
      http::request_parser<http::string_body> parser;
      parser.body_limit(options.body_limit);
      tcp_stream.expires_after(options.idle_timeout);
      auto [read_error, bytes] = co_await http::async_read(c.stream, buffer, parser, as_values);
      if (read_error == http::error::body_limit) {
        co_await send_error(c, http::status::payload_too_large,
                            "request body over the limit of " + std::to_string(options.body_limit) + " bytes");
        co_await drain(c);
        break;
      }
      if (read_error == http::error::end_of_stream || read_error == asio::error::operation_aborted ||
          read_error == beast::error::timeout || read_error == ssl::error::stream_truncated)
        break;
      if (read_error) {
        if (read_error.category() == http::make_error_code(http::error::bad_method).category())
          co_await send_error(c, http::status::bad_request, "malformed HTTP request: " + read_error.message());
        break;
      }

      c.busy = true;
      tcp_stream.expires_never();  // the webhook answers within its own review deadline
      auto& request = parser.get();
      HttpAnswer answer = co_await webhook.handle(request.method_string(), request.target(), request.body());

      http::response<http::string_body> response{static_cast<http::status>(answer.status), request.version()};
      response.set(http::field::server, "signet");
      response.set(http::field::content_type, answer.content_type);
      response.keep_alive(request.keep_alive() && !stopping);
      response.body() = std::move(answer.body);
      response.prepare_payload();
      if (!co_await send(c, response) || !response.keep_alive()) break;
    }
    tcp_stream.expires_after(std::chrono::seconds(2));
    co_await c.stream.async_shutdown(as_values);
  }
};

HttpsServer::HttpsServer(asio::io_context& io, Webhook& webhook, HttpsServerOptions options)
    : impl_(std::make_shared<Impl>(io, webhook, std::move(options))) {}

HttpsServer::~HttpsServer() = default;

Result<void> HttpsServer::start() {
  Impl& s = *impl_;
  auto tls = load_tls_context(s.options.cert_file, s.options.key_file);
  if (!tls) return tls.error();
  s.tls = std::move(*tls);
  s.tls_stamp = file_stamp(s.options.cert_file) + "|" + file_stamp(s.options.key_file);
  s.webhook.set_certificate_loaded(true);

  boost::system::error_code ec;
  auto address = asio::ip::make_address(s.options.address, ec);
  if (ec) return Error::invalid("invalid listen address \"" + s.options.address + "\": " + ec.message());
  tcp::endpoint endpoint(address, s.options.port);
  const std::string where = s.options.address + ":" + std::to_string(s.options.port);
  if (s.acceptor.open(endpoint.protocol(), ec); ec)
    return Error::unavailable("cannot open " + where + ": " + ec.message());
  if (s.acceptor.set_option(asio::socket_base::reuse_address(true), ec); ec)
    return Error::unavailable("cannot set SO_REUSEADDR on " + where + ": " + ec.message());
  if (s.acceptor.bind(endpoint, ec); ec) return Error::unavailable("cannot listen on " + where + ": " + ec.message());
  if (s.acceptor.listen(asio::socket_base::max_listen_connections, ec); ec)
    return Error::unavailable("cannot listen on " + where + ": " + ec.message());

  asio::co_spawn(s.acceptor.get_executor(), s.accept_loop(), asio::detached);
  asio::co_spawn(s.acceptor.get_executor(), s.watch_certificate(), asio::detached);
  return success();
}

unsigned short HttpsServer::port() const { return impl_->acceptor.local_endpoint().port(); }

void HttpsServer::shutdown(std::chrono::milliseconds drain, std::function<void()> done) {
  auto self = impl_;
  asio::post(self->acceptor.get_executor(), [self, drain, done = std::move(done)]() mutable {
    self->stopping = true;
    boost::system::error_code ignored;
    self->acceptor.close(ignored);
    self->reload_timer.cancel();
    {
      std::lock_guard lock(self->connections_mutex);
      for (auto& [raw, weak] : self->connections)
        if (auto connection = weak.lock())
          asio::post(connection->stream.get_executor(), [connection] {
            // Idle keep-alive connections are closed now; busy ones close after their response.
            if (!connection->busy) beast::get_lowest_layer(connection->stream).cancel();
          });
    }
    auto give_up = std::chrono::steady_clock::now() + drain;
    asio::co_spawn(
        self->acceptor.get_executor(),
        [self, give_up]() -> asio::awaitable<void> {
          asio::steady_timer timer(co_await asio::this_coro::executor);
          for (;;) {
            {
              std::lock_guard lock(self->connections_mutex);
              if (self->connections.empty()) co_return;
            }
            if (std::chrono::steady_clock::now() >= give_up) {
              log(Level::Warning, "shutdown: requests still in flight after the drain period; stopping anyway");
              co_return;
            }
            timer.expires_after(std::chrono::milliseconds(20));
            co_await timer.async_wait(asio::use_awaitable);
          }
        },
        [done = std::move(done)](std::exception_ptr) { done(); });
  });
}

}  // namespace signet::server
