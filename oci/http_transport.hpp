// One HTTP exchange with a registry, a token server or a blob store, over TLS or (for hosts listed as
// insecure) plain TCP. The seam where keep-alive pooling goes later: callers see requests and responses,
// never connections, and Beast stays inside the .cpp.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "crypto/result.hpp"
#include "oci/registry.hpp"
#include "oci/url.hpp"

namespace signet::oci {

struct HttpHeader {
  std::string name;
  std::string value;
};

struct HttpRequest {
  std::string method = "GET";  // GET, HEAD, or POST (token requests)
  Url url;
  std::vector<HttpHeader> headers;
  // The largest 2xx body accepted, and its name for the error ("max_manifest_bytes"): a bigger one is an
  // Invalid error naming the cap, never a truncated body.
  std::size_t body_limit = 64 * 1024;
  std::string body_limit_name = "response size limit";
  std::string body;  // sent when not empty (its Content-Type is among `headers`)
};

struct HttpResponse {
  unsigned status = 0;
  std::vector<HttpHeader> headers;
  std::string body;  // only for 2xx (and small error bodies); empty for HEAD

  // The first header called `name` (case-insensitive).
  std::optional<std::string> header(std::string_view name) const;
  // Every header called `name` (WWW-Authenticate may come several times).
  std::vector<std::string> headers_named(std::string_view name) const;
};

class HttpTransport {
 public:
  // `insecure_hosts` as RegistryOptions::insecure_registries; `ca_file` an extra PEM bundle or "".
  HttpTransport(boost::asio::any_io_executor executor, std::vector<std::string> insecure_hosts,
                const std::string& ca_file);
  ~HttpTransport();
  HttpTransport(const HttpTransport&) = delete;
  HttpTransport& operator=(const HttpTransport&) = delete;

  // Whether the TLS setup (the CA bundle) loaded; requests fail with this error until it does.
  Result<void> ready() const;

  // Whether `url`'s host may be reached over plain HTTP.
  bool plain_http_allowed(const Url& url) const;

  // Sends `request` and reads the response by `deadline`. Connection, TLS and timeout failures are
  // Unavailable errors naming the host ("… timed out" past the deadline); a plain-HTTP URL for a host not
  // listed as insecure is refused. Any status is a response, not an error.
  boost::asio::awaitable<Result<HttpResponse>> send(const HttpRequest& request, Deadline deadline);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace signet::oci
