#include <catch2/catch.hpp>

#include "server/log_redaction.hpp"

using signet::server::redact_secrets;

TEST_CASE("the password of user:password@ in an image reference is redacted", "[server][log][redaction]") {
  CHECK(redact_secrets("user:hunter2@registry.example/app:1.0") == "user:REDACTED@registry.example/app:1.0");
  CHECK(redact_secrets("pulling https://robot:s3cr3t@registry.example:5000/v2/app/manifests/1") ==
        "pulling https://robot:REDACTED@registry.example:5000/v2/app/manifests/1");
  CHECK(redact_secrets("image \"ci:p@ss:w0rd@ghcr.io/org/app\" failed") ==
        "image \"ci:REDACTED@ghcr.io/org/app\" failed");
}

TEST_CASE("a tag followed by a digest is not mistaken for a credential", "[server][log][redaction]") {
  const std::string pinned =
      "registry.example/app:v1@sha256:4e2c1d8f8a8b0f1c1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7081";
  CHECK(redact_secrets(pinned) == pinned);
  CHECK(redact_secrets("nginx:1.25@sha512:ab") == "nginx:1.25@sha512:ab");
  CHECK(redact_secrets("mail ops@example.com at 10:00") == "mail ops@example.com at 10:00");
}

TEST_CASE("an Authorization header keeps its scheme and loses its credentials", "[server][log][redaction]") {
  CHECK(redact_secrets("sent Authorization: Bearer eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln, got 401") ==
        "sent Authorization: Bearer REDACTED, got 401");
  CHECK(redact_secrets("authorization=Basic dXNlcjpwYXNz") == "authorization=Basic REDACTED");
  CHECK(redact_secrets(R"({"Authorization": "Bearer abc.def.ghi"})") == R"({"Authorization": "Bearer REDACTED"})");
  CHECK(redact_secrets("Authorization: opaque-value-without-scheme") == "Authorization: REDACTED");
}

TEST_CASE("token, password and secret values are redacted wherever they are written", "[server][log][redaction]") {
  CHECK(redact_secrets("GET https://auth.example/token?scope=repository:app:pull&token=abcdef123&x=1") ==
        "GET https://auth.example/token?scope=repository:app:pull&token=REDACTED&x=1");
  CHECK(redact_secrets("access_token=AT-1 refresh_token=RT-2 id_token=IT-3") ==
        "access_token=REDACTED refresh_token=REDACTED id_token=REDACTED");
  CHECK(redact_secrets(R"(response {"token":"tok-1","access_token": "tok-2","expires_in":300})") ==
        R"(response {"token":"REDACTED","access_token": "REDACTED","expires_in":300})");
  CHECK(redact_secrets(R"({"auths":{"r.example":{"auth":"dXNlcjpwYXNz","password":"pw"}}})") ==
        R"({"auths":{"r.example":{"auth":"REDACTED","password":"REDACTED"}}})");
  CHECK(redact_secrets("password=hunter2; secret='x y'") == "password=REDACTED; secret='REDACTED'");
}

TEST_CASE("a bare bearer token is redacted but a challenge is kept", "[server][log][redaction]") {
  CHECK(redact_secrets("retrying with Bearer eyJhbGciOiJSUzI1NiJ9.payload.sig") == "retrying with Bearer REDACTED");
  const std::string challenge =
      R"(WWW-Authenticate: Bearer realm="https://auth.example/token",service="registry.example",scope="repository:app:pull")";
  CHECK(redact_secrets(challenge) == challenge);
}

TEST_CASE("ordinary messages pass unchanged", "[server][log][redaction]") {
  for (const std::string text :
       {"fetching a token from https://auth.example/token: connection refused", "the token response holds no token",
        "signatures: no signature matched key 1 of 2", "registry 127.0.0.1:5000 is unreachable: connection refused",
        "basic auth: the registry said 401",
        "check-signatures/verify-cosign: image registry.example/app:1 is not signed"}) {
    CHECK(redact_secrets(text) == text);
  }
}

TEST_CASE("redacting twice changes nothing more", "[server][log][redaction]") {
  const std::string once = redact_secrets("u:p@r.example/a token=t Authorization: Bearer abcdefghij");
  CHECK(redact_secrets(once) == once);
}
