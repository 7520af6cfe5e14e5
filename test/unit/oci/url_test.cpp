#include <catch2/catch.hpp>

#include "oci/url.hpp"

using signet::oci::parse_url;
using signet::oci::resolve_url;
using signet::oci::Url;

namespace {

Url parsed_url(const std::string& text) {
  auto url = parse_url(text);
  INFO(text << " → " << (url ? std::string() : url.error().message));
  REQUIRE(url.ok());
  return *url;
}

}  // namespace

TEST_CASE("token realms and registry URLs are split into their parts", "[oci][url]") {
  const Url realm = parsed_url("https://auth.docker.io/token?x=1");
  CHECK(realm.scheme == "https");
  CHECK(realm.host == "auth.docker.io");
  CHECK(realm.port.empty());
  CHECK(realm.effective_port() == "443");
  CHECK(realm.target == "/token?x=1");
  CHECK(realm.authority() == "auth.docker.io");

  const Url local = parsed_url("HTTP://127.0.0.1:5000");
  CHECK(local.scheme == "http");
  CHECK(local.authority() == "127.0.0.1:5000");
  CHECK(local.target == "/");
  CHECK(local.effective_port() == "5000");

  const Url v6 = parsed_url("https://[::1]:8443/v2/?q#frag");
  CHECK(v6.host == "[::1]");
  CHECK(v6.bare_host() == "::1");
  CHECK(v6.port == "8443");
  CHECK(v6.target == "/v2/?q");
  CHECK(v6.str() == "https://[::1]:8443/v2/?q");
}

TEST_CASE("URLs signet will not follow are refused", "[oci][url]") {
  for (const char* text :
       {"ftp://host/x", "/relative", "https://", "https://user:pw@host/x", "https://ho st/x", "https://host:99999/x",
        "https://host:abc/x", "https://[::1/x", "https://host/a b", "https://host/a\r\nX: y"}) {
    INFO(text);
    CHECK_FALSE(parse_url(text).ok());
  }
}

TEST_CASE("redirect locations resolve against the request URL", "[oci][url]") {
  const Url base = parsed_url("https://registry.example/v2/team/app/blobs/sha256:abc");
  auto absolute = resolve_url(base, "https://storage.example:9000/bucket/data?sig=1");
  REQUIRE(absolute.ok());
  CHECK(absolute->authority() == "storage.example:9000");
  CHECK(absolute->target == "/bucket/data?sig=1");

  auto rooted = resolve_url(base, "/other/place");
  REQUIRE(rooted.ok());
  CHECK(rooted->str() == "https://registry.example/other/place");

  auto scheme_relative = resolve_url(base, "//cdn.example/x");
  REQUIRE(scheme_relative.ok());
  CHECK(scheme_relative->str() == "https://cdn.example/x");

  auto relative = resolve_url(base, "sha256:def?x=1");
  REQUIRE(relative.ok());
  CHECK(relative->str() == "https://registry.example/v2/team/app/blobs/sha256:def?x=1");

  CHECK_FALSE(resolve_url(base, "").ok());
  CHECK_FALSE(resolve_url(base, "/a\r\nInjected: 1").ok());
}

TEST_CASE("query components are percent-encoded", "[oci][url]") {
  CHECK(signet::oci::url_encode("repository:team/app:pull") == "repository%3Ateam%2Fapp%3Apull");
  CHECK(signet::oci::url_encode("a b&c=d~e.f_g-h") == "a%20b%26c%3Dd~e.f_g-h");
}
