// OpenSSL objects typed at birth: each handle lives in a unique_ptr with its own free function, and
// OpenSSL's error queue is turned into text once, where a failure becomes a signet::Error.
#pragma once

#include <openssl/ec.h>
#include <openssl/evp.h>

#include <memory>
#include <string>

namespace signet::crypto {

template <auto F>
struct Free {
  void operator()(auto* p) const { F(p); }
};

using PKey = std::unique_ptr<EVP_PKEY, Free<EVP_PKEY_free>>;
using MdCtx = std::unique_ptr<EVP_MD_CTX, Free<EVP_MD_CTX_free>>;
using EcdsaSig = std::unique_ptr<ECDSA_SIG, Free<ECDSA_SIG_free>>;

// Drains OpenSSL's thread-local error queue and returns its reasons joined by "; " (or "no details"),
// so a later call never reports a stale error.
std::string take_openssl_errors();

}  // namespace signet::crypto
