// The ceiling signet's HTTPS front is judged against: the same stack as server/https_server.cpp (Beast
// over Asio coroutines, OpenSSL, a strand per connection, a fresh parser with a body limit per request,
// keep-alive) that answers every request with one fixed body and does nothing else.
//
// usage: bare_responder --listen PORT --tls-cert FILE --tls-key FILE --body FILE [--threads N]
// Prints "listening PORT" once it accepts; SIGTERM or SIGINT stops it.
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <openssl/ssl.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

namespace {

constexpr auto as_values = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t kBodyLimit = 3 * 1024 * 1024;  // signet serve's default --max-body-bytes

struct Options {
  unsigned short port = 0;
  std::string cert_file;
  std::string key_file;
  std::string body_file;
  int threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
};

bool parse(int argc, char** argv, Options& options) {
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--listen")
      options.port = static_cast<unsigned short>(std::stoi(value));
    else if (flag == "--tls-cert")
      options.cert_file = value;
    else if (flag == "--tls-key")
      options.key_file = value;
    else if (flag == "--body")
      options.body_file = value;
    else if (flag == "--threads")
      options.threads = std::stoi(value);
    else
      return false;
  }
  return argc % 2 == 1 && !options.cert_file.empty() && !options.key_file.empty() && !options.body_file.empty();
}

// The same TLS settings as signet's serving context, so the handshake and record costs match.
std::shared_ptr<ssl::context> tls_context(const Options& options) {
  auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
  context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                       ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::single_dh_use);
  SSL_CTX_set_min_proto_version(context->native_handle(), TLS1_2_VERSION);
  context->use_certificate_chain_file(options.cert_file);
  context->use_private_key_file(options.key_file, ssl::context::pem);
  return context;
}

asio::awaitable<void> serve(ssl::stream<beast::tcp_stream> stream, const std::string& body) {
  auto& tcp_stream = beast::get_lowest_layer(stream);
  tcp_stream.expires_after(std::chrono::seconds(10));
  auto [handshake_error] = co_await stream.async_handshake(ssl::stream_base::server, as_values);
  if (handshake_error) co_return;
  beast::flat_buffer buffer;
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(kBodyLimit);
    tcp_stream.expires_after(std::chrono::seconds(90));
    auto [read_error, bytes] = co_await http::async_read(stream, buffer, parser, as_values);
    if (read_error) break;
    tcp_stream.expires_never();
    auto& request = parser.get();
    http::response<http::string_body> response{http::status::ok, request.version()};
    response.set(http::field::server, "signet");
    response.set(http::field::content_type, "application/json");
    response.keep_alive(request.keep_alive());
    response.body() = body;
    response.prepare_payload();
    tcp_stream.expires_after(std::chrono::seconds(30));
    auto [write_error, written] = co_await http::async_write(stream, response, as_values);
    if (write_error || !response.keep_alive()) break;
  }
  tcp_stream.expires_after(std::chrono::seconds(2));
  co_await stream.async_shutdown(as_values);
}

asio::awaitable<void> accept_loop(asio::io_context& io, tcp::acceptor& acceptor, std::shared_ptr<ssl::context> tls,
                                  const std::string& body) {
  for (;;) {
    auto [ec, socket] = co_await acceptor.async_accept(asio::make_strand(io), as_values);
    if (ec) {
      if (ec == asio::error::operation_aborted) co_return;
      continue;
    }
    auto executor = socket.get_executor();
    asio::co_spawn(executor, serve(ssl::stream<beast::tcp_stream>(std::move(socket), *tls), body), asio::detached);
  }
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  if (!parse(argc, argv, options)) {
    std::cerr << "usage: bare_responder --listen PORT --tls-cert FILE --tls-key FILE --body FILE [--threads N]\n";
    return 2;
  }
  std::ifstream in(options.body_file, std::ios::binary);
  if (!in) {
    std::cerr << "bare_responder: cannot read " << options.body_file << "\n";
    return 2;
  }
  const std::string body((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());

  try {
    asio::io_context io(options.threads);
    auto tls = tls_context(options);
    tcp::acceptor acceptor(asio::make_strand(io), tcp::endpoint(asio::ip::make_address("127.0.0.1"), options.port));
    std::cout << "listening " << acceptor.local_endpoint().port() << std::endl;
    asio::co_spawn(acceptor.get_executor(), accept_loop(io, acceptor, tls, body), asio::detached);

    asio::signal_set signals(io, SIGTERM, SIGINT);
    signals.async_wait([&](boost::system::error_code, int) { io.stop(); });
    std::vector<std::thread> workers;
    for (int i = 1; i < options.threads; ++i) workers.emplace_back([&io] { io.run(); });
    io.run();
    for (auto& worker : workers) worker.join();
  } catch (const std::exception& error) {
    std::cerr << "bare_responder: " << error.what() << "\n";
    return 1;
  }
  return 0;
}
