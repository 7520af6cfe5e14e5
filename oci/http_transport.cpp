#include "oci/http_transport.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <atomic>

#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "oci/http_connection_pool.hpp"
#include "oci/http_host_slots.hpp"
#include "oci/http_retry_after.hpp"
#include "oci/url.hpp"

namespace signet::oci {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using boost::system::error_code;

constexpr auto use_tuple = net::as_tuple(net::use_awaitable);
// Error bodies are only read for their message; a larger one is dropped, not an error.
constexpr std::size_t kErrorBodyLimit = 64 * 1024;
// GET and HEAD answered 429 or 503 are sent at most this many times.
constexpr int kMaxAttempts = 3;
// The wait before the second attempt when the server gives no Retry-After; doubled for the next.
constexpr auto kFirstBackoff = std::chrono::milliseconds(200);
// A longer Retry-After is shortened to this: a webhook cannot wait for minutes anyway.
constexpr auto kMaxRetryWait = std::chrono::seconds(10);

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && ascii_lower(a) == ascii_lower(b);
}

bool is_ip_address(const std::string& host) {
  error_code ec;
  (void)net::ip::make_address(host, ec);
  return !ec;
}

Error timed_out(const Url& url) { return Error::unavailable("request to " + url.authority() + " timed out"); }

// Why a connection-level operation failed, for a person: the TLS verification result when there is one.
Error transport_error(const Url& url, std::string_view stage, const error_code& ec, SSL* tls = nullptr) {
  if (ec == beast::error::timeout || ec == net::error::operation_aborted) return timed_out(url);
  std::string what = std::string(stage) + " " + url.authority() + " failed: ";
  if (ec == net::error::connection_refused) {
    what += "connection refused (is the registry running?)";
  } else if (ec == http::error::partial_message) {
    what += "the connection closed before the whole response arrived";
  } else if (tls != nullptr && SSL_get_verify_result(tls) != X509_V_OK) {
    what +=
        std::string("certificate verification failed: ") + X509_verify_cert_error_string(SSL_get_verify_result(tls));
  } else {
    what += ec.message();
    if (ec.category() == net::error::get_ssl_category() &&
        ec.message().find("wrong version number") != std::string::npos) {
      what += " (the server may speak plain HTTP: list it as an insecure registry if that is intended)";
    }
  }
  return Error::unavailable(std::move(what));
}

// Resolves `url`'s host by `deadline`. The system resolver cannot be interrupted, so it runs on its own
// and the coroutine stops waiting for it when the deadline passes.
net::awaitable<Result<tcp::resolver::results_type>> resolve(net::any_io_executor executor, const Url& url,
                                                            Deadline deadline) {
  using Channel = net::experimental::concurrent_channel<void(error_code, tcp::resolver::results_type)>;
  auto channel = std::make_shared<Channel>(executor, 1);
  auto resolver = std::make_shared<tcp::resolver>(executor);
  resolver->async_resolve(url.bare_host(), url.effective_port(),
                          [resolver, channel](error_code ec, tcp::resolver::results_type results) {
                            channel->try_send(ec, std::move(results));
                          });
  net::steady_timer timer(executor, deadline);
  timer.async_wait([channel](error_code ec) {
    if (!ec) channel->cancel();
  });
  auto [ec, results] = co_await channel->async_receive(use_tuple);
  timer.cancel();
  if (ec == net::experimental::error::channel_cancelled || Clock::now() >= deadline) co_return timed_out(url);
  if (ec) co_return Error::unavailable("cannot resolve " + url.bare_host() + ": " + ec.message());
  co_return results;
}

http::request<http::string_body> make_request(const HttpRequest& request) {
  http::request<http::string_body> out;
  out.method_string(request.method);
  out.target(request.url.target);
  out.version(11);
  out.set(http::field::host, request.url.authority());
  out.set(http::field::user_agent, "signet");
  for (const auto& h : request.headers) out.insert(h.name, h.value);
  if (!request.body.empty()) {
    out.body() = request.body;
    out.prepare_payload();
  }
  return out;
}

bool is_idempotent(const std::string& method) { return method == "GET" || method == "HEAD"; }

// One connection to a host, plain or TLS, owned by one request at a time or idle in the pool.
struct Connection {
  std::optional<tcp::socket> plain;
  std::optional<beast::ssl_stream<tcp::socket>> tls;

  tcp::socket& socket() {
    if (tls) return beast::get_lowest_layer(*tls);
    return *plain;
  }
  SSL* tls_handle() { return tls ? tls->native_handle() : nullptr; }

  // Whether an idle connection still looks usable: nothing to read and not closed by the server. Anything
  // readable on an idle connection is either its end (EOF, a TLS close_notify) or garbage.
  bool idle_and_open() {
    char byte;
    const ssize_t n = ::recv(socket().native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
  }
};

// Closes a connection's socket when its time is up, so that a pending connect, handshake, write or read
// ends at once. The timer runs on the caller's executor, as the coroutine does, so the two never run at
// once; `until` is checked again because a re-armed timer's old expiry may already be queued.
class Watchdog {
 public:
  Watchdog(const net::any_io_executor& executor, tcp::socket& socket)
      : timer_(executor), state_(std::make_shared<State>(State{&socket, {}, false})) {}
  ~Watchdog() {
    state_->socket = nullptr;
    timer_.cancel();
  }
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;

  void arm(Clock::time_point until) {
    state_->until = until;
    timer_.expires_at(until);
    timer_.async_wait([state = state_](error_code ec) {
      if (ec || state->socket == nullptr || Clock::now() < state->until) return;
      state->fired = true;
      error_code ignored;
      state->socket->close(ignored);
    });
  }
  bool fired() const { return state_->fired; }

 private:
  struct State {
    tcp::socket* socket;
    Clock::time_point until;
    bool fired;
  };
  net::steady_timer timer_;
  std::shared_ptr<State> state_;
};

// What one exchange on a connection gave, and what may be done with the connection afterwards.
struct Exchanged {
  Result<HttpResponse> response;
  bool reusable = false;  // the response was read to its end and the server keeps the connection open
  bool stale = false;     // failed before any byte of a response: the server may have closed it while idle
};

// Writes the request and reads the response by `deadline` on an open connection.
template <class Stream>
net::awaitable<Exchanged> exchange(const net::any_io_executor& executor, Connection& connection, Stream& stream,
                                   const HttpRequest& request, Deadline deadline) {
  const Url& url = request.url;
  SSL* tls = connection.tls_handle();
  Watchdog watchdog(executor, connection.socket());
  watchdog.arm(deadline);
  const auto failed = [&](std::string_view stage, const error_code& ec, bool stale) -> Exchanged {
    if (watchdog.fired()) return {timed_out(url), false, false};
    return {transport_error(url, stage, ec, tls), false, stale};
  };

  auto message = make_request(request);
  if (auto [ec, n] = co_await http::async_write(stream, message, use_tuple); ec) {
    co_return failed("sending to", ec, true);
  }
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(boost::none);  // checked below, once the status says which limit applies
  if (request.method == "HEAD") parser.skip(true);
  if (auto [ec, n] = co_await http::async_read_header(stream, buffer, parser, use_tuple); ec) {
    co_return failed("reading the response from", ec, !parser.got_some() && buffer.size() == 0);
  }
  HttpResponse response;
  response.status = parser.get().result_int();
  for (const auto& field : parser.get()) {
    response.headers.push_back({std::string(field.name_string()), std::string(field.value())});
  }
  if (!parser.is_done()) {
    const bool success = response.status >= 200 && response.status < 300;
    const std::size_t limit = success ? request.body_limit : kErrorBodyLimit;
    const auto too_large = [&]() -> Exchanged {
      return {Error::invalid("response from " + url.authority() + " is larger than " + request.body_limit_name + " (" +
                             std::to_string(request.body_limit) + " bytes)"),
              false, false};
    };
    // From here on, a body left unread makes the connection unusable for another request.
    if (const auto length = parser.content_length(); length && *length > limit) {
      if (success) co_return too_large();
      co_return Exchanged{std::move(response), false, false};
    }
    parser.body_limit(limit);
    auto [ec, n] = co_await http::async_read(stream, buffer, parser, use_tuple);
    if (ec == http::error::body_limit) {
      if (success) co_return too_large();
      co_return Exchanged{std::move(response), false, false};
    }
    if (ec) {
      if (!success && !watchdog.fired()) co_return Exchanged{std::move(response), false, false};
      co_return failed("reading the response from", ec, false);
    }
    response.body = std::move(parser.get().body());
  }
  // HTTP/1.0 servers rarely keep connections well; leftover bytes would be read as the next response.
  const bool reusable = parser.keep_alive() && parser.get().version() == 11 && buffer.size() == 0 && !watchdog.fired();
  co_return Exchanged{std::move(response), reusable, false};
}

// How long to wait before sending a request again after `response` (429 or 503) ended attempt `attempt`.
Clock::duration retry_delay(const HttpResponse& response, int attempt) {
  if (const auto value = response.header("Retry-After")) {
    if (const auto asked = parse_retry_after(*value, std::chrono::system_clock::now())) {
      return std::min<Clock::duration>(*asked, kMaxRetryWait);
    }
  }
  return kFirstBackoff * (1 << (attempt - 1));
}

}  // namespace

struct HttpTransport::Impl {
  net::any_io_executor executor;
  HttpTransportOptions options;
  std::vector<std::string> insecure_hosts;  // lowercased
  ssl::context tls{ssl::context::tls_client};
  std::optional<Error> setup_error;
  ConnectionPool<Connection> pool;
  HostSlots slots;
  std::atomic<std::size_t> opened{0};

  Impl(net::any_io_executor ex, HttpTransportOptions opts)
      : executor(std::move(ex)),
        options(std::move(opts)),
        pool(options.max_idle_per_host, options.idle_timeout),
        slots(options.max_in_flight_per_host) {}

  void observe(const HttpRequest& request, unsigned status, Clock::time_point started) const {
    if (!options.observer) return;
    const std::chrono::duration<double> seconds = Clock::now() - started;
    options.observer(HttpExchange{request.url.authority(), request.method, status, seconds.count()});
  }

  // An idle pooled connection to `key` that still looks open, or nullptr.
  std::unique_ptr<Connection> take_idle(const std::string& key) {
    while (auto connection = pool.take(key, Clock::now())) {
      if (connection->idle_and_open()) return connection;
    }
    return nullptr;
  }

  // A new connection to `url`'s host, connected (and TLS-verified) by the connect timeout and `deadline`.
  net::awaitable<Result<std::unique_ptr<Connection>>> open(const net::any_io_executor& caller, const Url& url,
                                                           Deadline deadline) {
    const Deadline connect_by = std::min<Deadline>(deadline, Clock::now() + options.connect_timeout);
    auto endpoints = co_await resolve(caller, url, connect_by);
    if (!endpoints) co_return endpoints.error();

    // The socket belongs to the transport's executor; completions go to whichever coroutine uses it.
    auto connection = std::make_unique<Connection>();
    if (url.scheme == "http") {
      connection->plain.emplace(executor);
    } else {
      connection->tls.emplace(executor, tls);
    }
    Watchdog watchdog(caller, connection->socket());
    watchdog.arm(connect_by);
    if (auto [ec, endpoint] = co_await net::async_connect(connection->socket(), *endpoints, use_tuple); ec) {
      if (watchdog.fired()) co_return timed_out(url);
      co_return transport_error(url, "connecting to", ec);
    }
    ++opened;
    error_code ignored;
    connection->socket().set_option(tcp::no_delay(true), ignored);
    if (!connection->tls) co_return connection;

    SSL* ssl_handle = connection->tls_handle();
    const std::string host = url.bare_host();
    // OpenSSL checks the name (or IP address) against the certificate; SNI is for names only (RFC 6066).
    if (is_ip_address(host)) {
      X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl_handle), host.c_str());
    } else {
      SSL_set1_host(ssl_handle, host.c_str());
      SSL_set_tlsext_host_name(ssl_handle, host.c_str());
    }
    if (auto [ec] = co_await connection->tls->async_handshake(ssl::stream_base::client, use_tuple); ec) {
      if (watchdog.fired()) co_return timed_out(url);
      co_return transport_error(url, "TLS handshake with", ec, ssl_handle);
    }
    co_return connection;
  }

  // One attempt: a slot for the host, a pooled or new connection, the exchange. A pooled connection that
  // the server had closed is replaced by a new one once (GET and HEAD only; others never take one).
  net::awaitable<Result<HttpResponse>> attempt(const HttpRequest& request, Deadline deadline) {
    const Url& url = request.url;
    const net::any_io_executor caller = co_await net::this_coro::executor;
    auto slot = co_await slots.acquire(ascii_lower(url.authority()), deadline);
    if (!slot) co_return slot.error();

    const std::string key = url.scheme + "://" + ascii_lower(url.authority());
    std::unique_ptr<Connection> connection;
    if (is_idempotent(request.method)) connection = take_idle(key);
    while (true) {
      const auto started = Clock::now();
      const bool pooled = connection != nullptr;
      if (!pooled) {
        auto opened_connection = co_await open(caller, url, deadline);
        if (!opened_connection) {
          observe(request, 0, started);
          co_return opened_connection.error();
        }
        connection = std::move(*opened_connection);
      }
      Exchanged result{HttpResponse{}, false, false};
      if (connection->tls) {
        result = co_await exchange(caller, *connection, *connection->tls, request, deadline);
      } else {
        result = co_await exchange(caller, *connection, *connection->plain, request, deadline);
      }
      if (pooled && result.stale) {
        connection.reset();
        continue;
      }
      observe(request, result.response ? result.response->status : 0, started);
      if (result.reusable) pool.put(key, std::move(connection), Clock::now());
      co_return std::move(result.response);
    }
  }
};

HttpTransport::HttpTransport(net::any_io_executor executor, HttpTransportOptions options)
    : impl_(std::make_unique<Impl>(std::move(executor), std::move(options))) {
  for (const auto& host : impl_->options.insecure_hosts) impl_->insecure_hosts.push_back(ascii_lower(host));
  SSL_CTX_set_min_proto_version(impl_->tls.native_handle(), TLS1_2_VERSION);
  impl_->tls.set_verify_mode(ssl::verify_peer);
  error_code ec;
  impl_->tls.set_default_verify_paths(ec);
  if (ec) impl_->setup_error = Error::unavailable("cannot load the system CA certificates: " + ec.message());
  if (const std::string& ca_file = impl_->options.ca_file; !ca_file.empty()) {
    impl_->tls.load_verify_file(ca_file, ec);
    if (ec) impl_->setup_error = Error::invalid("cannot load the CA bundle " + ca_file + ": " + ec.message());
  }
}

HttpTransport::~HttpTransport() = default;

Result<void> HttpTransport::ready() const {
  if (impl_->setup_error) return *impl_->setup_error;
  return success();
}

bool HttpTransport::plain_http_allowed(const Url& url) const {
  const std::string host = ascii_lower(url.host);
  const std::string authority = ascii_lower(url.authority());
  const std::string with_port = host + ":" + url.effective_port();
  return std::any_of(impl_->insecure_hosts.begin(), impl_->insecure_hosts.end(), [&](const std::string& entry) {
    if (entry == authority || entry == with_port) return true;
    // An entry without a port ("[::1]" or "registry.local") covers every port of the host.
    const std::size_t colon = entry.rfind(':');
    const bool has_port = colon != std::string::npos && (entry.front() != '[' || colon > entry.find(']'));
    return !has_port && entry == host;
  });
}

void HttpTransport::set_observer(HttpObserver observer) { impl_->options.observer = std::move(observer); }

std::size_t HttpTransport::connections_opened() const { return impl_->opened.load(); }

net::awaitable<Result<HttpResponse>> HttpTransport::send(const HttpRequest& request, Deadline deadline) {
  const Url& url = request.url;
  if (impl_->setup_error) co_return *impl_->setup_error;
  if (url.scheme == "http" && !plain_http_allowed(url)) {
    co_return Error::unavailable("refusing plain HTTP to " + url.authority() +
                                 ": it is not listed as an insecure registry (HTTPS is required)");
  }
  if (Clock::now() >= deadline) co_return timed_out(url);

  // The caller's executor (a connection's strand in the server): timers and I/O completions of this
  // request then never run at once on two threads.
  const net::any_io_executor executor = co_await net::this_coro::executor;
  for (int attempt = 1;; ++attempt) {
    auto response = co_await impl_->attempt(request, deadline);
    if (!response) co_return response;
    const unsigned status = response->status;
    if ((status != 429 && status != 503) || !is_idempotent(request.method) || attempt >= kMaxAttempts) {
      co_return response;
    }
    // A wait that would end past the deadline is pointless: the caller reports the 429/503 now.
    const Clock::duration delay = retry_delay(*response, attempt);
    if (Clock::now() + delay >= deadline) co_return response;
    net::steady_timer pause(executor, delay);
    if (auto [ec] = co_await pause.async_wait(use_tuple); ec) co_return response;
  }
}

std::optional<std::string> HttpResponse::header(std::string_view name) const {
  for (const auto& h : headers) {
    if (equals_ignoring_case(h.name, name)) return h.value;
  }
  return std::nullopt;
}

std::vector<std::string> HttpResponse::headers_named(std::string_view name) const {
  std::vector<std::string> out;
  for (const auto& h : headers) {
    if (equals_ignoring_case(h.name, name)) out.push_back(h.value);
  }
  return out;
}

}  // namespace signet::oci
