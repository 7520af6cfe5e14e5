// HTTP exchanges with registries, token servers and blob stores, over TLS or (for hosts listed as
// insecure) plain TCP. Callers see requests and responses, never connections: keep-alive pooling, the
// per-host limit on requests in flight and the retries on 429/503 happen inside, and Beast stays in the .cpp.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "crypto/result.hpp"
#include "oci/http_observer.hpp"
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

struct HttpTransportOptions {
  // host[:port] that may be reached over plain HTTP, as RegistryOptions::insecure_registries.
  std::vector<std::string> insecure_hosts;
  // An extra CA bundle (PEM) trusted besides the system CAs; "" = system CAs only.
  std::string ca_file;
  // Requests in flight to one host (scheme + authority); more wait, first come first served.
  std::size_t max_in_flight_per_host = 16;
  // Idle keep-alive connections kept per host; the least recently used beyond it are closed.
  std::size_t max_idle_per_host = 8;
  // An idle connection older than this is closed rather than reused (servers drop idle ones too).
  std::chrono::seconds idle_timeout{30};
  // Connecting and the TLS handshake must finish by this, and by the request's deadline.
  std::chrono::milliseconds connect_timeout{5000};
  HttpObserver observer;
};

class HttpTransport {
 public:
  HttpTransport(boost::asio::any_io_executor executor, HttpTransportOptions options);
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
  //
  // GET and HEAD are retried on 429 and 503 (honouring Retry-After, at most 3 attempts) while the wait
  // fits before the deadline; otherwise the 429/503 response is returned at once. They are also retried
  // once on a fresh connection when a pooled one turns out to be closed by the server. Waiting for a slot
  // to a busy host ends at the deadline ("timed out waiting for a connection slot to HOST") or when the
  // calling coroutine is cancelled. Runs on the caller's executor, which must be a strand (or one thread).
  boost::asio::awaitable<Result<HttpResponse>> send(const HttpRequest& request, Deadline deadline);

  // Receives every later attempt (replaces the options' observer). Not to be called while requests run.
  void set_observer(HttpObserver observer);

  // Connections opened since construction (a measure of keep-alive reuse).
  std::size_t connections_opened() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace signet::oci
