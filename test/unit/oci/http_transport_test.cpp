#include <catch2/catch.hpp>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "oci/http_connection_pool.hpp"
#include "oci/http_host_slots.hpp"
#include "oci/http_retry_after.hpp"
#include "oci/http_transport.hpp"
#include "test_registry.hpp"

using signet::oci::Clock;
using signet::oci::HttpRequest;
using signet::oci::HttpTransport;
using signet::oci::parse_url;

namespace {

signet::oci::HttpTransportOptions transport_options(std::vector<std::string> insecure_hosts, std::string ca_file = "") {
  signet::oci::HttpTransportOptions options;
  options.insecure_hosts = std::move(insecure_hosts);
  options.ca_file = std::move(ca_file);
  return options;
}

HttpRequest get(const std::string& url) {
  HttpRequest request;
  request.url = *parse_url(url);
  return request;
}

}  // namespace

TEST_CASE("plain HTTP is allowed only for listed hosts", "[oci][transport]") {
  boost::asio::io_context ioc;
  const HttpTransport transport(ioc.get_executor(),
                                transport_options({"127.0.0.1:5000", "Registry.Local", "[::1]:5001", "[fd00::2]"}));
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
  HttpTransport transport(ioc.get_executor(), transport_options({"127.0.0.1:5000"}));
  auto response = signet::test::run_until_done(
      ioc, transport.send(get("http://registry.example:5000/v2/"), Clock::now() + std::chrono::seconds(5)));
  REQUIRE_FALSE(response.ok());
  CHECK(response.error().kind == signet::Error::Kind::Unavailable);
  CHECK_THAT(response.error().message, Catch::Contains("refusing plain HTTP to registry.example:5000"));
}

TEST_CASE("a request whose deadline has passed times out without connecting", "[oci][transport]") {
  boost::asio::io_context ioc;
  HttpTransport transport(ioc.get_executor(), transport_options({}));
  auto response = signet::test::run_until_done(
      ioc, transport.send(get("https://registry.example/v2/"), Clock::now() - std::chrono::seconds(1)));
  REQUIRE_FALSE(response.ok());
  CHECK(response.error().kind == signet::Error::Kind::Unavailable);
  CHECK_THAT(response.error().message, Catch::Contains("registry.example") && Catch::Contains("timed out"));
}

TEST_CASE("an unreadable CA bundle is reported and fails every request", "[oci][transport]") {
  boost::asio::io_context ioc;
  HttpTransport transport(ioc.get_executor(), transport_options({}, "/nonexistent/ca.pem"));
  REQUIRE_FALSE(transport.ready().ok());
  CHECK_THAT(transport.ready().error().message, Catch::Contains("/nonexistent/ca.pem"));
  auto response = signet::test::run_until_done(
      ioc, transport.send(get("https://registry.example/v2/"), Clock::now() + std::chrono::seconds(5)));
  REQUIRE_FALSE(response.ok());
  CHECK_THAT(response.error().message, Catch::Contains("/nonexistent/ca.pem"));
}

TEST_CASE("Retry-After is read as delta-seconds or an HTTP-date", "[oci][transport][retry-after]") {
  using signet::oci::parse_retry_after;
  using std::chrono::seconds;
  // Sun, 06 Nov 1994 08:49:37 GMT, RFC 9110's example date.
  const auto now = std::chrono::system_clock::from_time_t(784111777);
  CHECK(parse_retry_after("1", now) == seconds(1));
  CHECK(parse_retry_after(" 120 ", now) == seconds(120));
  CHECK(parse_retry_after("0", now) == seconds(0));
  CHECK(parse_retry_after("99999999999999999999", now) == seconds(999'999'999));
  CHECK(parse_retry_after("Sun, 06 Nov 1994 08:50:07 GMT", now) == seconds(30));
  CHECK(parse_retry_after("Sunday, 06-Nov-94 08:50:37 GMT", now) == seconds(60));
  CHECK(parse_retry_after("Sun Nov  6 08:49:47 1994", now) == seconds(10));
  // A date already past means "now".
  CHECK(parse_retry_after("Sat, 05 Nov 1994 08:49:37 GMT", now) == seconds(0));
  CHECK_FALSE(parse_retry_after("", now));
  CHECK_FALSE(parse_retry_after("-1", now));
  CHECK_FALSE(parse_retry_after("1.5", now));
  CHECK_FALSE(parse_retry_after("soon", now));
  CHECK_FALSE(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT trailing", now));
}

TEST_CASE("the connection pool hands out the newest idle connection and bounds what it keeps",
          "[oci][transport][pool]") {
  using Pool = signet::oci::ConnectionPool<int>;
  const auto t0 = Pool::Clock::now();
  Pool pool(2, std::chrono::seconds(30));
  pool.put("http://a", std::make_unique<int>(1), t0);
  pool.put("http://a", std::make_unique<int>(2), t0 + std::chrono::seconds(1));
  pool.put("http://a", std::make_unique<int>(3), t0 + std::chrono::seconds(2));  // 1 is closed
  pool.put("https://a", std::make_unique<int>(9), t0);
  CHECK(pool.idle("http://a") == 2);
  CHECK(*pool.take("http://a", t0 + std::chrono::seconds(3)) == 3);
  CHECK(*pool.take("http://a", t0 + std::chrono::seconds(3)) == 2);
  CHECK(pool.take("http://a", t0 + std::chrono::seconds(3)) == nullptr);
  // Another scheme is another pool entry.
  CHECK(*pool.take("https://a", t0) == 9);
  CHECK(pool.take("http://b", t0) == nullptr);

  SECTION("a connection idle past the timeout is closed, not reused") {
    pool.put("http://a", std::make_unique<int>(4), t0);
    pool.put("http://a", std::make_unique<int>(5), t0 + std::chrono::seconds(1));
    CHECK(pool.take("http://a", t0 + std::chrono::seconds(31)) == nullptr);
    CHECK(pool.idle("http://a") == 0);
  }
  SECTION("a bound of zero keeps nothing") {
    Pool none(0, std::chrono::seconds(30));
    none.put("http://a", std::make_unique<int>(1), t0);
    CHECK(none.take("http://a", t0) == nullptr);
  }
}

namespace {

using signet::oci::HostSlots;

// Holds a slot of `host` for `hold`, then appends `name` to `order` when it got the slot.
boost::asio::awaitable<void> hold_slot(HostSlots& slots, std::string name, std::chrono::milliseconds hold,
                                       signet::oci::Deadline deadline, std::vector<std::string>& order,
                                       std::vector<std::string>& errors) {
  auto slot = co_await slots.acquire("registry.example", deadline);
  if (!slot) {
    errors.push_back(name + ": " + slot.error().message);
    co_return;
  }
  order.push_back(name);
  boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor, hold);
  co_await timer.async_wait(boost::asio::use_awaitable);
}

void spawn(boost::asio::io_context& ioc, boost::asio::awaitable<void> work) {
  boost::asio::co_spawn(ioc, std::move(work), [](std::exception_ptr e) {
    if (e) std::rethrow_exception(e);
  });
}

}  // namespace

TEST_CASE("requests beyond the per-host limit wait their turn, first come first served", "[oci][transport][slots]") {
  boost::asio::io_context ioc;
  HostSlots slots(2);
  std::vector<std::string> order, errors;
  const auto deadline = Clock::now() + std::chrono::seconds(5);
  for (const char* name : {"a", "b", "c", "d", "e"}) {
    spawn(ioc, hold_slot(slots, name, std::chrono::milliseconds(30), deadline, order, errors));
  }
  // Before anything runs nobody holds a slot; once started, two hold and three wait.
  ioc.poll();
  CHECK(slots.in_use("registry.example") == 2);
  CHECK(slots.waiting("registry.example") == 3);
  ioc.run();
  CHECK(errors.empty());
  CHECK(order == std::vector<std::string>{"a", "b", "c", "d", "e"});
  CHECK(slots.in_use("registry.example") == 0);
  // Another host has slots of its own.
  CHECK(slots.in_use("other.example") == 0);
}

TEST_CASE("a waiter whose deadline passes gives up without taking a slot", "[oci][transport][slots]") {
  boost::asio::io_context ioc;
  HostSlots slots(1);
  std::vector<std::string> order, errors;
  const auto started = Clock::now();
  spawn(ioc,
        hold_slot(slots, "holder", std::chrono::milliseconds(300), started + std::chrono::seconds(5), order, errors));
  spawn(ioc,
        hold_slot(slots, "late", std::chrono::milliseconds(0), started + std::chrono::milliseconds(50), order, errors));
  spawn(ioc,
        hold_slot(slots, "patient", std::chrono::milliseconds(0), started + std::chrono::seconds(5), order, errors));
  ioc.run();
  REQUIRE(errors.size() == 1);
  CHECK_THAT(errors[0], Catch::StartsWith("late: timed out waiting for a connection slot to registry.example"));
  // The one behind the timed-out waiter still got the slot, and nothing is left held.
  CHECK(order == std::vector<std::string>{"holder", "patient"});
  CHECK(slots.in_use("registry.example") == 0);
  CHECK(slots.waiting("registry.example") == 0);
}

TEST_CASE("a cancelled waiter leaves the queue and never keeps a slot", "[oci][transport][slots]") {
  boost::asio::io_context ioc;
  HostSlots slots(1);
  std::vector<std::string> order, errors;
  const auto deadline = Clock::now() + std::chrono::seconds(5);
  spawn(ioc, hold_slot(slots, "holder", std::chrono::milliseconds(100), deadline, order, errors));
  boost::asio::cancellation_signal cancel;
  boost::asio::co_spawn(ioc, hold_slot(slots, "cancelled", std::chrono::milliseconds(0), deadline, order, errors),
                        boost::asio::bind_cancellation_slot(cancel.slot(), [](std::exception_ptr) {}));
  ioc.poll();
  REQUIRE(slots.waiting("registry.example") == 1);
  cancel.emit(boost::asio::cancellation_type::terminal);
  ioc.poll();
  CHECK(slots.waiting("registry.example") == 0);
  ioc.run();
  REQUIRE(errors.size() == 1);
  CHECK_THAT(errors[0], Catch::Contains("cancelled"));
  CHECK(order == std::vector<std::string>{"holder"});
  CHECK(slots.in_use("registry.example") == 0);
}

TEST_CASE("a TLS handshake that never completes ends at the connect timeout, not the deadline", "[oci][transport]") {
  boost::asio::io_context ioc;
  // The kernel accepts the connection into the backlog; nobody ever answers the ClientHello.
  boost::asio::ip::tcp::acceptor silent(ioc, {boost::asio::ip::make_address("127.0.0.1"), 0});
  const std::string url = "https://127.0.0.1:" + std::to_string(silent.local_endpoint().port()) + "/v2/";
  signet::oci::HttpTransportOptions options;
  options.connect_timeout = std::chrono::milliseconds(200);
  HttpTransport transport(ioc.get_executor(), options);
  const auto started = Clock::now();
  auto response = signet::test::run_until_done(ioc, transport.send(get(url), started + std::chrono::seconds(5)));
  const auto waited = Clock::now() - started;
  REQUIRE_FALSE(response.ok());
  CHECK(response.error().kind == signet::Error::Kind::Unavailable);
  CHECK_THAT(response.error().message, Catch::Contains("timed out"));
  CHECK(waited >= std::chrono::milliseconds(190));
  CHECK(waited < std::chrono::seconds(1));
  CHECK(transport.connections_opened() == 1);
}
