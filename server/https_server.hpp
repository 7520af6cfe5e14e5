// The HTTPS front of the webhook: TLS 1.2+, HTTP/1.1 keep-alive, one coroutine per connection, the
// serving certificate reloaded when its files change, and a draining shutdown. Beast stays inside the .cpp.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>

#include "crypto/result.hpp"
#include "server/webhook.hpp"

namespace signet::server {

struct HttpsServerOptions {
  std::string address = "0.0.0.0";
  unsigned short port = 8443;  // 0 picks a free port (tests)
  std::string cert_file;
  std::string key_file;
  std::size_t body_limit = 3 * 1024 * 1024;         // larger requests are answered 413
  std::chrono::seconds idle_timeout{90};            // a keep-alive connection with no request is closed after this
  std::chrono::milliseconds reload_interval{1000};  // how often the certificate files are checked
};

class HttpsServer {
 public:
  HttpsServer(boost::asio::io_context& io, Webhook& webhook, HttpsServerOptions options);
  ~HttpsServer();

  // Loads the certificate and key, binds and starts accepting. Errors name the file or address.
  Result<void> start();
  unsigned short port() const;  // the bound port

  // Stops accepting, closes idle connections, lets requests in flight finish (at most `drain`), then
  // calls `done`.
  void shutdown(std::chrono::milliseconds drain, std::function<void()> done);

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace signet::server
