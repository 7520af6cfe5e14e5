#include "server/cli/offline_verification.hpp"

#include <fstream>
#include <iterator>
#include <memory>

#include <re2/re2.h>

#include "crypto/trusted_root.hpp"
#include "policy/trust_material.hpp"
#include "policy/jmespath/wildcard.hpp"

namespace signet::server {

Result<std::string> read_whole_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error::invalid("cannot read " + path);
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return Error::invalid("cannot read " + path);
  return content;
}

Result<void> use_trusted_root_flag(const CommandLine& line) {
  if (!line.has("trusted-root")) return success();
  const std::string path = line.get("trusted-root");
  auto json = read_whole_file(path);
  if (!json) return json.error();
  auto root = crypto::parse_trusted_root(*json);
  if (!root) return root.error().context(path);
  policy::set_trusted_root(std::make_shared<const crypto::TrustedRoot>(std::move(*root)));
  return success();
}

namespace {

// `value` as a Kyverno subject/issuer: itself when it holds no wildcard, else an anchored literal regexp.
void exactly(const std::string& value, std::string& literal, std::string& regexp,
             std::shared_ptr<const re2::RE2>& pattern) {
  if (!policy::has_wildcard(value)) {
    literal = value;
    return;
  }
  regexp = "^" + re2::RE2::QuoteMeta(value) + "$";
  pattern = std::make_shared<const re2::RE2>(regexp);
}

}  // namespace

policy::KeylessAttestor exact_identity(const std::string& identity, const std::string& issuer) {
  policy::KeylessAttestor keyless;
  exactly(identity, keyless.subject, keyless.subject_regexp, keyless.subject_pattern);
  exactly(issuer, keyless.issuer, keyless.issuer_regexp, keyless.issuer_pattern);
  return keyless;
}

std::string describe_signer(const crypto::Certificate& certificate) {
  const auto names = certificate.subject_alternative_names();
  const std::string issuer = certificate.oidc_issuer();
  return (names.empty() ? std::string("a certificate without SAN") : names.front()) +
         (issuer.empty() ? "" : " (issuer " + issuer + ")");
}

}  // namespace signet::server
