#include "policy/signer_identity.hpp"

#include <array>
#include <utility>

#include <re2/re2.h>

#include "policy/jmespath/wildcard.hpp"

namespace signet::policy {
namespace {

constexpr std::string_view kFulcioArc = "1.3.6.1.4.1.57264.1.";

// Fulcio's extensions (docs/oid-info.md): the arc's last number and the names policies use for them.
struct ExtensionName {
  int number;
  std::string_view name;
};
constexpr std::array<ExtensionName, 22> kExtensions{{
    {1, "oidcIssuer"},  // cosign's name for the deprecated v1 issuer
    {2, "githubWorkflowTrigger"},
    {3, "githubWorkflowSha"},
    {4, "githubWorkflowName"},
    {5, "githubWorkflowRepository"},
    {6, "githubWorkflowRef"},
    {8, "issuer"},
    {9, "buildSignerURI"},
    {10, "buildSignerDigest"},
    {11, "runnerEnvironment"},
    {12, "sourceRepositoryURI"},
    {13, "sourceRepositoryDigest"},
    {14, "sourceRepositoryRef"},
    {15, "sourceRepositoryIdentifier"},
    {16, "sourceRepositoryOwnerURI"},
    {17, "sourceRepositoryOwnerIdentifier"},
    {18, "buildConfigURI"},
    {19, "buildConfigDigest"},
    {20, "buildTrigger"},
    {21, "runInvocationURI"},
    {22, "sourceRepositoryVisibilityAtSigning"},
    {23, "deploymentEnvironment"},
}};

// The dotted OID `name` stands for, or "" when it is none of Fulcio's.
std::string extension_oid(std::string_view name) {
  if (name.starts_with(kFulcioArc)) {
    std::string_view number = name.substr(kFulcioArc.size());
    if (number.empty() || number.find_first_not_of("0123456789") != std::string_view::npos) return "";
    return std::string(name);
  }
  for (const auto& extension : kExtensions) {
    if (extension.name == name) {
      return std::string(kFulcioArc) + std::to_string(extension.number);
    }
  }
  return "";
}

std::string join(const std::vector<std::string>& values) {
  std::string out;
  for (const auto& value : values) out += (out.empty() ? "" : ", ") + value;
  return out.empty() ? "none" : out;
}

// Go's regexp.MatchString: a match anywhere in the value.
bool matches(const re2::RE2& pattern, std::string_view value) { return re2::RE2::PartialMatch(value, pattern); }

}  // namespace

bool is_fulcio_extension(std::string_view name) { return !extension_oid(name).empty(); }

Result<void> check_signer_identity(const crypto::Certificate& certificate, const KeylessAttestor& keyless) {
  if (!keyless.subject.empty() || keyless.subject_pattern) {
    const std::vector<std::string> names = certificate.subject_alternative_names();
    bool matched = false;
    for (const auto& name : names) {
      if ((!keyless.subject.empty() && wildcard_match(keyless.subject, name)) ||
          (keyless.subject_pattern && matches(*keyless.subject_pattern, name))) {
        matched = true;
      }
    }
    if (!matched) {
      const std::string& wanted = keyless.subject.empty() ? keyless.subject_regexp : keyless.subject;
      return Error::invalid("subject mismatch: expected " + wanted + ", the certificate names " + join(names));
    }
  }
  if (!keyless.issuer.empty() || keyless.issuer_pattern) {
    const std::string issuer = certificate.oidc_issuer();
    if (!keyless.issuer.empty() && !wildcard_match(keyless.issuer, issuer)) {
      return Error::invalid("issuer mismatch: expected " + keyless.issuer + ", the certificate's is " +
                            (issuer.empty() ? "absent" : issuer));
    }
    if (keyless.issuer_pattern && !matches(*keyless.issuer_pattern, issuer)) {
      return Error::invalid("issuer mismatch: expected " + keyless.issuer_regexp + ", the certificate's is " +
                            (issuer.empty() ? "absent" : issuer));
    }
  }
  if (!keyless.additional_extensions.empty()) {
    const auto extensions = certificate.fulcio_extensions();
    for (const auto& [name, wanted] : keyless.additional_extensions) {
      const std::string oid = extension_oid(name);
      const auto found = extensions.find(oid);
      // The issuer has two OIDs; either form satisfies either name, as the certificate's issuer.
      std::string value = found == extensions.end() ? "" : found->second;
      if (oid == std::string(kFulcioArc) + "1" || oid == std::string(kFulcioArc) + "8") {
        value = certificate.oidc_issuer();
      }
      if (!wildcard_match(wanted, value)) {
        return Error::invalid("extension mismatch: expected " + wanted + " for " + name + ", the certificate has " +
                              (value.empty() ? "none" : value));
      }
    }
  }
  return success();
}

}  // namespace signet::policy
