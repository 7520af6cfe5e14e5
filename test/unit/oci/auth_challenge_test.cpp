#include <string>

#include <catch2/catch.hpp>

#include "oci/auth_challenge.hpp"

using signet::oci::AuthChallenge;
using signet::oci::parse_auth_challenges;

namespace {

std::vector<AuthChallenge> parsed(const std::string& header) {
  auto result = parse_auth_challenges(header);
  INFO(header << " → " << (result ? std::string() : result.error().message));
  REQUIRE(result.ok());
  return *result;
}

std::string challenge_error(const std::string& header) {
  auto result = parse_auth_challenges(header);
  INFO(header);
  REQUIRE_FALSE(result.ok());
  return result.error().message;
}

}  // namespace

TEST_CASE("a Docker Hub bearer challenge gives realm, service and scope", "[oci][auth]") {
  const auto challenges = parsed(
      R"(Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull")");
  REQUIRE(challenges.size() == 1);
  CHECK(challenges[0].scheme == "bearer");
  CHECK(challenges[0].param("realm") == "https://auth.docker.io/token");
  CHECK(challenges[0].param("service") == "registry.docker.io");
  CHECK(challenges[0].param("scope") == "repository:library/nginx:pull");
  CHECK(challenges[0].param("error").empty());
}

TEST_CASE("the distribution registry's basic challenge gives its realm", "[oci][auth]") {
  const auto challenges = parsed(R"(Basic realm="test-realm")");
  REQUIRE(challenges.size() == 1);
  CHECK(challenges[0].scheme == "basic");
  CHECK(challenges[0].param("realm") == "test-realm");
}

TEST_CASE("schemes and parameter names are case-insensitive, values are not", "[oci][auth]") {
  const auto challenges = parsed(R"(BEARER Realm="https://Auth.Example/Token", SERVICE=Registry)");
  REQUIRE(challenges.size() == 1);
  CHECK(challenges[0].scheme == "bearer");
  CHECK(challenges[0].param("realm") == "https://Auth.Example/Token");
  CHECK(challenges[0].param("service") == "Registry");
}

TEST_CASE("several challenges in one header are told apart", "[oci][auth]") {
  const auto challenges = parsed(R"(Basic realm="a", Bearer realm="https://t/token",service="s", Negotiate)");
  REQUIRE(challenges.size() == 3);
  CHECK(challenges[0].scheme == "basic");
  CHECK(challenges[0].param("realm") == "a");
  CHECK(challenges[0].params.size() == 1);
  CHECK(challenges[1].scheme == "bearer");
  CHECK(challenges[1].param("service") == "s");
  CHECK(challenges[2].scheme == "negotiate");
  CHECK(challenges[2].params.empty());
}

TEST_CASE("quoted values keep commas, equals signs and escaped quotes", "[oci][auth]") {
  const auto challenges = parsed(R"(Bearer realm="https://t/token?a=1,b=2",scope="x\"y\\z", service = "s p")");
  REQUIRE(challenges.size() == 1);
  CHECK(challenges[0].param("realm") == "https://t/token?a=1,b=2");
  CHECK(challenges[0].param("scope") == R"(x"y\z)");
  CHECK(challenges[0].param("service") == "s p");
}

TEST_CASE("a token68 challenge is kept apart from parameters", "[oci][auth]") {
  const auto challenges = parsed("Negotiate YWJjZA==, Basic realm=r");
  REQUIRE(challenges.size() == 2);
  CHECK(challenges[0].token68 == "YWJjZA==");
  CHECK(challenges[0].params.empty());
  CHECK(challenges[1].param("realm") == "r");
}

TEST_CASE("empty list elements and surrounding whitespace are tolerated", "[oci][auth]") {
  const auto challenges = parsed(" ,, Basic realm=\"r\" ,,  ");
  REQUIRE(challenges.size() == 1);
  CHECK(challenges[0].param("realm") == "r");
}

TEST_CASE("malformed challenges are refused", "[oci][auth]") {
  CHECK_THAT(challenge_error(R"(Bearer realm="https://t/token)"), Catch::Contains("unterminated quoted string"));
  CHECK_THAT(challenge_error(R"(Bearer realm="a",realm="b")"), Catch::Contains("\"realm\" repeated"));
  CHECK_THAT(challenge_error(""), Catch::Contains("empty"));
  CHECK_THAT(challenge_error("   "), Catch::Contains("empty"));
  CHECK_FALSE(challenge_error("\"Bearer\"").empty());
  CHECK_FALSE(challenge_error("Bearer realm=\"a\" \"junk\"").empty());
  CHECK_FALSE(challenge_error("Basic realm=\"a\"\r\nX-Injected: 1").empty());
  CHECK_FALSE(challenge_error("=realm").empty());
  // Control characters inside quotes would travel into the token request and into messages.
  CHECK_THAT(challenge_error("Bearer realm=\"https://t/\r\nX-Injected: 1\""), Catch::Contains("control character"));
  CHECK_THAT(challenge_error(std::string("Bearer realm=\"a\0b\"", 18)), Catch::Contains("control character"));
  CHECK_THAT(challenge_error("Bearer realm=\"a\\\nb\""), Catch::Contains("control character"));
  CHECK(parsed("Bearer realm=\"tab\there\"")[0].param("realm") == "tab\there");
}

TEST_CASE("hostile challenge headers are bounded", "[oci][auth]") {
  CHECK_THAT(challenge_error("Basic realm=\"" + std::string(9000, 'a') + "\""), Catch::Contains("longer than 8 KiB"));
  std::string many_schemes;
  for (int i = 0; i < 17; ++i) many_schemes += "S" + std::to_string(i) + ", ";
  CHECK_THAT(challenge_error(many_schemes), Catch::Contains("more than 16 challenges"));
  std::string many_params = "Bearer ";
  for (int i = 0; i < 33; ++i) many_params += "p" + std::to_string(i) + "=v,";
  CHECK_THAT(challenge_error(many_params), Catch::Contains("more than 32 parameters"));
  // Every prefix of a valid header either parses or is refused; none crashes or loops.
  const std::string header = R"(Bearer realm="https://a/b",service="c\"d", Basic realm=x, Negotiate abc==)";
  for (std::size_t n = 0; n <= header.size(); ++n) (void)parse_auth_challenges(header.substr(0, n));
  SUCCEED("all prefixes handled");
}
