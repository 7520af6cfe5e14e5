// HTTPS exchanges with the Kubernetes API server: whole responses for GET and LIST, and a streamed body cut
// into lines for WATCH. Beast and OpenSSL stay in the .cpp; one connection per exchange (a watch holds
// its connection for minutes, and lists are rare).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>

#include "crypto/result.hpp"
#include "oci/registry.hpp"
#include "server/kube/cluster_config.hpp"

namespace signet::server::kube {

using Clock = oci::Clock;
using Deadline = oci::Deadline;

struct ApiRequest {
  std::string method = "GET";
  std::string target;  // path and query: "/apis/signet.dev/v1alpha1/clusterimagepolicies?limit=100"
  std::string body;    // sent as application/json when not empty (application/merge-patch+json for PATCH)
};

struct ApiResponse {
  unsigned status = 0;
  std::string body;  // for stream(): the body of a non-2xx answer only
};

struct ApiTransportOptions {
  std::chrono::milliseconds connect_timeout{5000};
  std::size_t body_limit = 32 * 1024 * 1024;  // the largest whole response read (a LIST page)
};

// Called with each line of a streamed body as it arrives (without its newline); false stops reading.
using LineHandler = std::function<bool(std::string_view line)>;

class ApiTransport {
 public:
  ApiTransport(ClusterConfig config, ApiTransportOptions options = {});
  ~ApiTransport();
  ApiTransport(const ApiTransport&) = delete;
  ApiTransport& operator=(const ApiTransport&) = delete;

  // Whether the TLS setup (CA, client certificate) loaded; exchanges fail with this error until it does.
  Result<void> ready() const;
  const ClusterConfig& config() const;

  // Sends `request` and reads the whole response by `deadline`. Connection, TLS and timeout failures are
  // Unavailable errors naming the API server; any status is a response.
  boost::asio::awaitable<Result<ApiResponse>> send(const ApiRequest& request, Deadline deadline);

  // Sends `request` and, on a 2xx answer, hands each line of the body to `on_line` as it arrives, until
  // the server ends the body (the response, empty body) or `on_line` returns false. A non-2xx answer is
  // returned with its body and no line is handed over. The answer must start by `deadline`; afterwards
  // `idle_timeout` without a byte, or the connection closing mid-body, is an Unavailable error.
  boost::asio::awaitable<Result<ApiResponse>> stream(const ApiRequest& request, Deadline deadline,
                                                     std::chrono::milliseconds idle_timeout,
                                                     const LineHandler& on_line);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace signet::server::kube
