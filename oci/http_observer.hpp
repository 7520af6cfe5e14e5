// What the transport reports of each HTTP request it makes, so the server can count them without oci/
// knowing about metrics.
#pragma once

#include <functional>
#include <string>

namespace signet::oci {

// One attempt of a request, for metrics: retries and redirects are attempts of their own.
struct HttpExchange {
  std::string host;    // the URL's authority, host[:port]
  std::string method;  // GET, HEAD, POST
  unsigned status;     // 0 = no response (connect, TLS or timeout error)
  double seconds;      // from sending (connecting, when a new connection was needed) to the end of the response
};

// Called once per attempt, from any thread; it must be cheap and must not throw.
using HttpObserver = std::function<void(const HttpExchange&)>;

}  // namespace signet::oci
