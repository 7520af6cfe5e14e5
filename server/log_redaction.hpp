// Credentials never reach a log line. Image references and error messages come from users and registries:
// a reference may carry `user:password@`, and a registry error may quote an Authorization header or a
// token. Every string the log writes goes through `redact_secrets` first.
#pragma once

#include <string>
#include <string_view>

namespace signet::server {

inline constexpr std::string_view kRedacted = "REDACTED";

// Replaces with REDACTED: the password of `user:password@host` (not a `name:tag@sha256:…` digest
// reference), the credentials after `Authorization:` / `authorization=` (keeping the scheme word), the
// token after a bare `Bearer ` or `Basic ` (not a challenge's `realm="…"`), and the values of `token`,
// `access_token`, `refresh_token`, `id_token`, `identitytoken`, `registrytoken`, `password`, `passwd`,
// `secret`, `client_secret` and a quoted `"auth"` written as `key=value`, `key: value` or `"key":"value"`.
std::string redact_secrets(std::string_view text);

}  // namespace signet::server
