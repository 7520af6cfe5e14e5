#include <string>

#include <catch2/catch.hpp>

#include "oci/registry_auth.hpp"
#include "oci/token_response.hpp"

using signet::oci::parse_rfc3339;
using signet::oci::parse_token_response;
using signet::oci::remaining_lifetime;
using signet::oci::token_scopes;
using signet::oci::TokenGrant;
using std::chrono::seconds;
using std::chrono::system_clock;

namespace {

TokenGrant granted(const std::string& body) {
  auto grant = parse_token_response(body);
  INFO(body << " → " << (grant ? std::string() : grant.error().message));
  REQUIRE(grant.ok());
  return *grant;
}

std::string token_error(const std::string& body) {
  auto grant = parse_token_response(body);
  INFO(body);
  REQUIRE_FALSE(grant.ok());
  CHECK(grant.error().kind == signet::Error::Kind::Invalid);
  return grant.error().message;
}

system_clock::time_point at(const char* text) {
  auto t = parse_rfc3339(text);
  REQUIRE(t.has_value());
  return *t;
}

}  // namespace

TEST_CASE("token is read, and access_token when token is absent", "[oci][token]") {
  CHECK(granted(R"({"token":"abc.def","access_token":"other"})").token == "abc.def");
  CHECK(granted(R"({"access_token":"oauth.tok"})").token == "oauth.tok");
  CHECK(granted(R"({"token":"","access_token":"oauth.tok"})").token == "oauth.tok");
}

TEST_CASE("expires_in sets the lifetime, 60 s when absent, capped at a day", "[oci][token]") {
  CHECK(granted(R"({"token":"t"})").lifetime == seconds(60));
  CHECK(granted(R"({"token":"t","expires_in":300})").lifetime == seconds(300));
  CHECK(granted(R"({"token":"t","expires_in":1})").lifetime == seconds(1));
  CHECK(granted(R"({"token":"t","expires_in":2.9})").lifetime == seconds(2));
  CHECK(granted(R"({"token":"t","expires_in":null})").lifetime == seconds(60));
  CHECK(granted(R"({"token":"t","expires_in":1e300})").lifetime == seconds(24 * 3600));
  CHECK_THAT(token_error(R"({"token":"t","expires_in":0})"), Catch::Contains("expires_in is not a positive number"));
  CHECK_THAT(token_error(R"({"token":"t","expires_in":-5})"), Catch::Contains("expires_in is not a positive number"));
  CHECK_THAT(token_error(R"({"token":"t","expires_in":"300"})"), Catch::Contains("expires_in is not a number"));
}

TEST_CASE("issued_at counts the lifetime from the token server's time", "[oci][token]") {
  const auto grant = granted(R"({"token":"t","expires_in":300,"issued_at":"2024-05-01T12:00:00Z"})");
  REQUIRE(grant.issued_at.has_value());
  CHECK(*grant.issued_at == at("2024-05-01T12:00:00Z"));
  CHECK(remaining_lifetime(grant, at("2024-05-01T12:01:40Z")) == seconds(200));
  CHECK(remaining_lifetime(grant, at("2024-05-01T12:10:00Z")) == seconds(0));
  // A token server clock ahead of ours never makes a token live longer than expires_in.
  CHECK(remaining_lifetime(grant, at("2024-05-01T11:00:00Z")) == seconds(300));
  // Without issued_at, the lifetime starts at receipt.
  CHECK(remaining_lifetime(granted(R"({"token":"t","expires_in":30})"), at("2030-01-01T00:00:00Z")) == seconds(30));
  // An unreadable issued_at is ignored, not fatal.
  CHECK_FALSE(granted(R"({"token":"t","issued_at":"yesterday"})").issued_at.has_value());
}

TEST_CASE("RFC 3339 times with fractions and offsets are read; others are not", "[oci][token]") {
  CHECK(at("2024-05-01T14:00:00.123456+02:00") == at("2024-05-01T12:00:00Z"));
  CHECK(at("2024-05-01T07:30:00-04:30") == at("2024-05-01T12:00:00Z"));
  CHECK(at("2024-02-29T00:00:00z") - at("2024-02-28T00:00:00Z") == std::chrono::hours(24));
  CHECK(at("1970-01-01T00:00:00Z") == system_clock::time_point());
  for (const char* bad : {"", "2024-05-01", "2024-05-01T12:00:00", "2024-13-01T00:00:00Z", "2023-02-29T00:00:00Z",
                          "2024-05-01T12:00:00+0200", "2024-05-01T12:00:00.Z", "2024-05-01T12:00:00Zjunk",
                          "２024-05-01T12:00:00Z", "9999-12-31T23:59:59Z", "0001-01-01T00:00:00Z"}) {
    INFO(bad);
    CHECK_FALSE(parse_rfc3339(bad).has_value());
  }
}

TEST_CASE("token responses that cannot be trusted are refused", "[oci][token]") {
  CHECK_THAT(token_error("{"), Catch::Contains("not a JSON object"));
  CHECK_THAT(token_error("[]"), Catch::Contains("not a JSON object"));
  CHECK_THAT(token_error(""), Catch::Contains("not a JSON object"));
  CHECK_THAT(token_error("<html>"), Catch::Contains("not a JSON object"));
  CHECK_THAT(token_error(R"({"expires_in":60})"), Catch::Contains("holds no token"));
  CHECK_THAT(token_error(R"({"token":5})"), Catch::Contains("holds no token"));
  // A token goes into a header: CR/LF, spaces, controls and non-ASCII would inject or corrupt headers.
  for (const char* hostile : {R"({"token":"abc\r\nX-Injected: 1"})", R"({"token":"abc\n"})", R"({"token":"a b"})",
                              R"({"token":"a\u0000b"})", R"({"token":"caf\u00e9"})", R"({"token":"\t"})"}) {
    CHECK_THAT(token_error(hostile), Catch::Contains("not printable ASCII"));
  }
  CHECK_THAT(token_error(R"({"token":")" + std::string(64 * 1024 + 1, 'a') + "\"}"), Catch::Contains("64 KiB"));
  // Deep nesting is parsed without recursion.
  CHECK_THAT(token_error(std::string(100000, '[')), Catch::Contains("not a JSON object"));
}

TEST_CASE("token scopes follow the challenge when it names the repository", "[oci][token]") {
  using Scopes = std::vector<std::string>;
  CHECK(token_scopes("team/app", "") == Scopes{"repository:team/app:pull"});
  CHECK(token_scopes("team/app", "repository:team/app:pull") == Scopes{"repository:team/app:pull"});
  CHECK(token_scopes("team/app", "repository:team/app:pull,push") == Scopes{"repository:team/app:pull,push"});
  CHECK(token_scopes("team/app", "repository(plugin):team/app:pull") == Scopes{"repository(plugin):team/app:pull"});
  // Several scopes, space-separated: only this repository's are asked for.
  CHECK(token_scopes("team/app", "repository:team/app:pull repository:other/x:pull registry:catalog:*") ==
        Scopes{"repository:team/app:pull"});
  // A challenge that names another repository cannot widen the token.
  CHECK(token_scopes("team/app", "repository:other/x:pull") == Scopes{"repository:team/app:pull"});
  // A scope without pull gets the pull scope beside it.
  CHECK(token_scopes("team/app", "repository:team/app:push") ==
        Scopes{"repository:team/app:push", "repository:team/app:pull"});
  CHECK(token_scopes("team/app", "repository:team/app:* repository:team/app:*") == Scopes{"repository:team/app:*"});
  CHECK(token_scopes("team/app", "garbage  ::") == Scopes{"repository:team/app:pull"});
}
