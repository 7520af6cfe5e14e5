#include "oci/http_transport.hpp"

#include <algorithm>

#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>
#include <boost/asio/as_tuple.hpp>
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

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && lower(a) == lower(b);
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
  out.set(http::field::connection, "close");
  for (const auto& h : request.headers) out.insert(h.name, h.value);
  if (!request.body.empty()) {
    out.body() = request.body;
    out.prepare_payload();
  }
  return out;
}

// Writes the request and reads the response on an open stream (TCP or TLS) whose expiry is set.
template <class Stream>
net::awaitable<Result<HttpResponse>> exchange(Stream& stream, const HttpRequest& request, SSL* tls) {
  const Url& url = request.url;
  auto message = make_request(request);
  if (auto [ec, n] = co_await http::async_write(stream, message, use_tuple); ec) {
    co_return transport_error(url, "sending to", ec, tls);
  }
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(boost::none);  // checked below, once the status says which limit applies
  if (request.method == "HEAD") parser.skip(true);
  if (auto [ec, n] = co_await http::async_read_header(stream, buffer, parser, use_tuple); ec) {
    co_return transport_error(url, "reading the response from", ec, tls);
  }
  HttpResponse response;
  response.status = parser.get().result_int();
  for (const auto& field : parser.get()) {
    response.headers.push_back({std::string(field.name_string()), std::string(field.value())});
  }
  if (!parser.is_done()) {
    const bool success = response.status >= 200 && response.status < 300;
    const std::size_t limit = success ? request.body_limit : kErrorBodyLimit;
    const auto too_large = [&] {
      return Error::invalid("response from " + url.authority() + " is larger than " + request.body_limit_name + " (" +
                            std::to_string(request.body_limit) + " bytes)");
    };
    if (const auto length = parser.content_length(); length && *length > limit) {
      if (success) co_return too_large();
      co_return response;
    }
    parser.body_limit(limit);
    auto [ec, n] = co_await http::async_read(stream, buffer, parser, use_tuple);
    if (ec == http::error::body_limit) {
      if (success) co_return too_large();
      co_return response;
    }
    if (ec) {
      if (!success) co_return response;
      co_return transport_error(url, "reading the response from", ec, tls);
    }
    response.body = parser.release().body();
  }
  co_return response;
}

}  // namespace

struct HttpTransport::Impl {
  net::any_io_executor executor;
  std::vector<std::string> insecure_hosts;  // lowercased
  ssl::context tls{ssl::context::tls_client};
  std::optional<Error> setup_error;
};

HttpTransport::HttpTransport(net::any_io_executor executor, std::vector<std::string> insecure_hosts,
                             const std::string& ca_file)
    : impl_(std::make_unique<Impl>()) {
  impl_->executor = std::move(executor);
  for (auto& host : insecure_hosts) impl_->insecure_hosts.push_back(lower(host));
  SSL_CTX_set_min_proto_version(impl_->tls.native_handle(), TLS1_2_VERSION);
  impl_->tls.set_verify_mode(ssl::verify_peer);
  error_code ec;
  impl_->tls.set_default_verify_paths(ec);
  if (ec) impl_->setup_error = Error::unavailable("cannot load the system CA certificates: " + ec.message());
  if (!ca_file.empty()) {
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
  const std::string host = lower(url.host);
  const std::string authority = lower(url.authority());
  const std::string with_port = host + ":" + url.effective_port();
  return std::any_of(impl_->insecure_hosts.begin(), impl_->insecure_hosts.end(), [&](const std::string& entry) {
    if (entry == authority || entry == with_port) return true;
    // An entry without a port ("[::1]" or "registry.local") covers every port of the host.
    const std::size_t colon = entry.rfind(':');
    const bool has_port = colon != std::string::npos && (entry.front() != '[' || colon > entry.find(']'));
    return !has_port && entry == host;
  });
}

net::awaitable<Result<HttpResponse>> HttpTransport::send(const HttpRequest& request, Deadline deadline) {
  const Url& url = request.url;
  if (impl_->setup_error) co_return *impl_->setup_error;
  if (url.scheme == "http" && !plain_http_allowed(url)) {
    co_return Error::unavailable("refusing plain HTTP to " + url.authority() +
                                 ": it is not listed as an insecure registry (HTTPS is required)");
  }
  if (Clock::now() >= deadline) co_return timed_out(url);

  // The caller's executor (a connection's strand in the server): the stream's timer and I/O handlers
  // then never run at once on two threads.
  const net::any_io_executor executor = co_await net::this_coro::executor;
  auto endpoints = co_await resolve(executor, url, deadline);
  if (!endpoints) co_return endpoints.error();

  beast::tcp_stream tcp_stream(executor);
  tcp_stream.expires_at(deadline);
  if (auto [ec, endpoint] = co_await tcp_stream.async_connect(*endpoints, use_tuple); ec) {
    co_return transport_error(url, "connecting to", ec);
  }
  if (url.scheme == "http") co_return co_await exchange(tcp_stream, request, nullptr);

  beast::ssl_stream<beast::tcp_stream> tls_stream(std::move(tcp_stream), impl_->tls);
  SSL* ssl_handle = tls_stream.native_handle();
  const std::string host = url.bare_host();
  // OpenSSL checks the name (or IP address) against the certificate; SNI is for names only (RFC 6066).
  if (is_ip_address(host)) {
    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl_handle), host.c_str());
  } else {
    SSL_set1_host(ssl_handle, host.c_str());
    SSL_set_tlsext_host_name(ssl_handle, host.c_str());
  }
  if (auto [ec] = co_await tls_stream.async_handshake(ssl::stream_base::client, use_tuple); ec) {
    co_return transport_error(url, "TLS handshake with", ec, ssl_handle);
  }
  // The response is complete (by length or chunking) when read; no TLS shutdown is awaited.
  co_return co_await exchange(tls_stream, request, ssl_handle);
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
