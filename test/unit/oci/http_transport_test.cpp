#include <catch2/catch.hpp>

#include <boost/asio/io_context.hpp>

#include "oci/http_transport.hpp"
#include "test_registry.hpp"

using signet::oci::Clock;
using signet::oci::HttpRequest;
using signet::oci::HttpTransport;
using signet::oci::parse_url;

namespace {

HttpRequest get(const std::string& url) {
  HttpRequest request;
  request.url = *parse_url(url);
  return request;
}

}  // namespace

TEST_CASE("plain HTTP is allowed only for listed hosts", "[oci][transport]") {
  boost::asio::io_context ioc;
  const HttpTransport transport(ioc.get_executor(), {"127.0.0.1:5000", "Registry.Local", "[::1]:5001", "[fd00::2]"},
                                "");
  CHECK(transport.plain_http_allowed(*parse_url("http://127.0.0.1:5000/v2/")));
  CHECK_FALSE(transport.plain_http_allowed(*parse_url("http://127.0.0.1:5001/v2/")));
  CHECK_FALSE(transport.plain_http_allowed(*parse_url("http://127.0.0.1/v2/")));
  // An entry without a port covers every port of the host; hosts compare case-insensitively.
  CHECK(transport.plain_http_allowed(*parse_url("http://registry.local/v2/")));
  CHECK(transport.plain_http_allowed(*parse_url("http://registry.local:8080/v2/")));
  CHECK_FALSE(transport.plain_http_allowed(*parse_url("http://other.registry.local/v2/")));
  CHECK(transport.plain_http_allowed(*parse_url("http://[::1]:5001/")));
  CHECK_FALSE(transport.plain_http_allowed(*parse_url("http://[::1]:5000/")));
  CHECK(transport.plain_http_allowed(*parse_url("http://[fd00::2]:9999/")));
}

TEST_CASE("an unlisted host is refused over plain HTTP before anything is sent", "[oci][transport]") {
  boost::asio::io_context ioc;
  HttpTransport transport(ioc.get_executor(), {"127.0.0.1:5000"}, "");
  auto response = signet::test::run_until_done(
      ioc, transport.send(get("http://registry.example:5000/v2/"), Clock::now() + std::chrono::seconds(5)));
  REQUIRE_FALSE(response.ok());
  CHECK(response.error().kind == signet::Error::Kind::Unavailable);
  CHECK_THAT(response.error().message, Catch::Contains("refusing plain HTTP to registry.example:5000"));
}

TEST_CASE("a request whose deadline has passed times out without connecting", "[oci][transport]") {
  boost::asio::io_context ioc;
  HttpTransport transport(ioc.get_executor(), {}, "");
  auto response = signet::test::run_until_done(
      ioc, transport.send(get("https://registry.example/v2/"), Clock::now() - std::chrono::seconds(1)));
  REQUIRE_FALSE(response.ok());
  CHECK(response.error().kind == signet::Error::Kind::Unavailable);
  CHECK_THAT(response.error().message, Catch::Contains("registry.example") && Catch::Contains("timed out"));
}

TEST_CASE("an unreadable CA bundle is reported and fails every request", "[oci][transport]") {
  boost::asio::io_context ioc;
  HttpTransport transport(ioc.get_executor(), {}, "/nonexistent/ca.pem");
  REQUIRE_FALSE(transport.ready().ok());
  CHECK_THAT(transport.ready().error().message, Catch::Contains("/nonexistent/ca.pem"));
  auto response = signet::test::run_until_done(
      ioc, transport.send(get("https://registry.example/v2/"), Clock::now() + std::chrono::seconds(5)));
  REQUIRE_FALSE(response.ok());
  CHECK_THAT(response.error().message, Catch::Contains("/nonexistent/ca.pem"));
}
