// OpenSSL objects typed at birth: each handle lives in a unique_ptr with its own free function, and
// OpenSSL's error queue is turned into text once, where a failure becomes a signet::Error.
#pragma once

#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

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

// A stack of certificates that owns them (freed with the stack).
inline void free_x509_stack(STACK_OF(X509) * stack) { sk_X509_pop_free(stack, X509_free); }
using X509StackPtr = std::unique_ptr<STACK_OF(X509), Free<free_x509_stack>>;

// Drains OpenSSL's thread-local error queue and returns its reasons joined by "; " (or "no details"),
// so a later call never reports a stale error.
std::string take_openssl_errors();

}  // namespace signet::crypto
