#include "server/kube/api_transport.hpp"

#include <optional>

#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "server/kube/token_source.hpp"

namespace signet::server::kube {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using boost::system::error_code;
using Stream = beast::ssl_stream<beast::tcp_stream>;

constexpr auto use_tuple = net::as_tuple(net::use_awaitable);
// The body of an error answer is read for its Status message only.
constexpr std::size_t kErrorBodyLimit = 64 * 1024;
// A watch event longer than this is not a policy: the stream is dropped rather than buffered without end.
constexpr std::size_t kMaxLine = 8 * 1024 * 1024;

bool is_ip_address(const std::string& host) {
  error_code ec;
  (void)net::ip::make_address(host, ec);
  return !ec;
}

Error failure(const oci::Url& server, std::string_view stage, const error_code& ec, SSL* tls = nullptr) {
  const std::string where = "the Kubernetes API server " + server.authority();
  if (ec == beast::error::timeout) return Error::unavailable(std::string(stage) + " " + where + " timed out");
  std::string what = std::string(stage) + " " + where + " failed: ";
  if (ec == net::error::connection_refused) {
    what += "connection refused";
  } else if (ec == http::error::partial_message || ec == http::error::end_of_stream ||
             ec == ssl::error::stream_truncated || ec == net::error::eof || ec == net::error::connection_reset) {
    what += "the connection closed in the middle of the response";
  } else if (tls != nullptr && SSL_get_verify_result(tls) != X509_V_OK) {
    what += std::string("certificate verification failed: ") +
            X509_verify_cert_error_string(SSL_get_verify_result(tls)) + " (check the cluster's certificate authority)";
  } else {
    what += ec.message();
  }
  return Error::unavailable(std::move(what));
}

}  // namespace

struct ApiTransport::Impl {
  ClusterConfig config;
  ApiTransportOptions options;
  ssl::context tls{ssl::context::tls_client};
  TokenSource token;
  std::optional<Error> setup_error;

  Impl(ClusterConfig c, ApiTransportOptions o)
      : config(std::move(c)), options(o), token(config.token, config.token_file) {
    SSL_CTX_set_min_proto_version(tls.native_handle(), TLS1_2_VERSION);
    tls.set_verify_mode(ssl::verify_peer);
    error_code ec;
    if (!config.ca_pem.empty()) {
      tls.add_certificate_authority(net::buffer(config.ca_pem), ec);
      if (ec)
        setup_error = Error::invalid(config.source + ": the certificate authority data is not PEM: " + ec.message());
    } else if (!config.ca_file.empty()) {
      tls.load_verify_file(config.ca_file, ec);
      if (ec) setup_error = Error::invalid(config.source + ": cannot load the certificate authority " + config.ca_file);
    } else {
      tls.set_default_verify_paths(ec);
      if (ec) setup_error = Error::unavailable("cannot load the system CA certificates: " + ec.message());
    }
    if (!config.client_cert_pem.empty()) {
      tls.use_certificate_chain(net::buffer(config.client_cert_pem), ec);
      if (!ec) tls.use_private_key(net::buffer(config.client_key_pem), ssl::context::pem, ec);
      if (ec)
        setup_error = Error::invalid(config.source + ": the client certificate or key does not load: " + ec.message());
    }
  }

  // Connects, handshakes, writes `request` and reads the response header, all by `deadline`. Returns the
  // open stream with the parser holding the header.
  net::awaitable<Result<ApiResponse>> exchange(const ApiRequest& request, Deadline deadline,
                                               std::optional<std::chrono::milliseconds> idle_timeout,
                                               const LineHandler* on_line) {
    if (setup_error) co_return *setup_error;
    const oci::Url& server = config.server;
    auto bearer = token.current();
    if (!bearer) co_return bearer.error();

    const auto executor = co_await net::this_coro::executor;
    tcp::resolver resolver(executor);
    auto [resolve_ec, endpoints] =
        co_await resolver.async_resolve(server.bare_host(), server.effective_port(), use_tuple);
    if (resolve_ec)
      co_return Error::unavailable("cannot resolve the Kubernetes API server " + server.bare_host() + ": " +
                                   resolve_ec.message());
    Stream stream(executor, tls);
    auto& lowest = beast::get_lowest_layer(stream);
    lowest.expires_at(std::min<Deadline>(deadline, Clock::now() + options.connect_timeout));
    if (auto [ec, endpoint] = co_await lowest.async_connect(endpoints, use_tuple); ec)
      co_return failure(server, "connecting to", ec);
    const std::string host = server.bare_host();
    SSL* handle = stream.native_handle();
    if (is_ip_address(host)) {
      X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(handle), host.c_str());
    } else {
      SSL_set1_host(handle, host.c_str());
      SSL_set_tlsext_host_name(handle, host.c_str());
    }
    if (auto [ec] = co_await stream.async_handshake(ssl::stream_base::client, use_tuple); ec)
      co_return failure(server, "TLS handshake with", ec, handle);

    http::request<http::string_body> out{http::string_to_verb(request.method), request.target, 11};
    out.set(http::field::host, server.authority());
    out.set(http::field::user_agent, "signet/" SIGNET_VERSION);
    out.set(http::field::accept, "application/json");
    if (!bearer->empty()) out.set(http::field::authorization, "Bearer " + *bearer);
    if (!request.body.empty()) {
      // A PATCH is a JSON merge patch: the API server refuses application/json for PATCH (415).
      out.set(http::field::content_type,
              request.method == "PATCH" ? "application/merge-patch+json" : "application/json");
      out.body() = request.body;
    }
    out.prepare_payload();
    lowest.expires_at(deadline);
    if (auto [ec, n] = co_await http::async_write(stream, out, use_tuple); ec)
      co_return failure(server, "sending to", ec, handle);

    beast::flat_buffer buffer;
    http::response_parser<http::buffer_body> parser;
    parser.body_limit(boost::none);
    if (auto [ec, n] = co_await http::async_read_header(stream, buffer, parser, use_tuple); ec)
      co_return failure(server, "reading the response from", ec, handle);
    ApiResponse response;
    response.status = parser.get().result_int();
    const bool success = response.status >= 200 && response.status < 300;
    const bool streaming = on_line != nullptr && success;
    const std::size_t limit = success ? options.body_limit : kErrorBodyLimit;

    std::string pending;  // streamed bytes not yet ended by a newline
    char chunk[16 * 1024];
    while (!parser.is_done()) {
      parser.get().body().data = chunk;
      parser.get().body().size = sizeof(chunk);
      if (streaming) {
        lowest.expires_after(*idle_timeout);
      } else {
        lowest.expires_at(deadline);
      }
      auto [ec, n] = co_await http::async_read_some(stream, buffer, parser, use_tuple);
      if (ec == http::error::need_buffer) ec = {};
      if (ec) {
        if (!success) break;  // the status says enough
        if (streaming && ec == beast::error::timeout)
          co_return Error::unavailable("nothing came from the Kubernetes API server " + server.authority() + " for " +
                                       std::to_string(idle_timeout->count() / 1000) + " s of a watch");
        co_return failure(server, "reading the response from", ec, handle);
      }
      const std::size_t got = sizeof(chunk) - parser.get().body().size;
      if (!streaming) {
        if (response.body.size() + got > limit) {
          if (!success) break;
          co_return Error::invalid("the response from the Kubernetes API server " + server.authority() + " to " +
                                   request.target + " is larger than " + std::to_string(limit) + " bytes");
        }
        response.body.append(chunk, got);
        continue;
      }
      pending.append(chunk, got);
      std::size_t start = 0;
      for (std::size_t newline; (newline = pending.find('\n', start)) != std::string::npos; start = newline + 1) {
        std::string_view line(pending.data() + start, newline - start);
        if (!line.empty() && !(*on_line)(line)) co_return response;
      }
      pending.erase(0, start);
      if (pending.size() > kMaxLine)
        co_return Error::invalid("a line of the watch stream from " + server.authority() + " is longer than " +
                                 std::to_string(kMaxLine) + " bytes");
    }
    if (streaming && !pending.empty()) (*on_line)(pending);
    error_code ignored;
    lowest.socket().shutdown(tcp::socket::shutdown_both, ignored);
    co_return response;
  }
};

ApiTransport::ApiTransport(ClusterConfig config, ApiTransportOptions options)
    : impl_(std::make_unique<Impl>(std::move(config), options)) {}

ApiTransport::~ApiTransport() = default;

Result<void> ApiTransport::ready() const {
  if (impl_->setup_error) return *impl_->setup_error;
  return success();
}

const ClusterConfig& ApiTransport::config() const { return impl_->config; }

net::awaitable<Result<ApiResponse>> ApiTransport::send(const ApiRequest& request, Deadline deadline) {
  return impl_->exchange(request, deadline, std::nullopt, nullptr);
}

net::awaitable<Result<ApiResponse>> ApiTransport::stream(const ApiRequest& request, Deadline deadline,
                                                         std::chrono::milliseconds idle_timeout,
                                                         const LineHandler& on_line) {
  return impl_->exchange(request, deadline, idle_timeout, &on_line);
}

}  // namespace signet::server::kube
