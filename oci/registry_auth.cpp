#include "oci/registry_auth.hpp"

#include <algorithm>

#include <openssl/evp.h>
#include <rapidjson/document.h>

#include "oci/auth_challenge.hpp"

namespace signet::oci {
namespace {

constexpr std::size_t kMaxCacheEntries = 1024;
constexpr std::size_t kMaxTokenResponse = 1024 * 1024;
constexpr std::chrono::seconds kDefaultTokenLifetime{60};  // the token spec's default for expires_in
constexpr std::chrono::seconds kBasicLifetime{3600};

std::string base64_encode(std::string_view in) {
  std::string out(((in.size() + 2) / 3) * 4, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(in.data()), static_cast<int>(in.size()));
  out.resize(static_cast<std::size_t>(std::max(n, 0)));
  return out;
}

std::string basic_header(const Credentials& c) { return "Basic " + base64_encode(c.username + ":" + c.password); }

std::string key_of(const RepositoryScope& scope) { return scope.registry + "/" + scope.repository; }

// A token goes into a header: printable ASCII only, so a hostile token server cannot inject headers.
bool valid_token(std::string_view token) {
  return !token.empty() && token.size() <= 64 * 1024 &&
         std::all_of(token.begin(), token.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

Error check_credentials(const RepositoryScope& scope, std::string_view what, bool have_credentials) {
  return Error::unavailable(std::string(what) + ": check credentials for " + scope.registry +
                            (have_credentials ? " in the docker config" : " (none are configured)"));
}

}  // namespace

RegistryAuth::RegistryAuth(HttpTransport& transport, DockerConfig config)
    : transport_(transport), config_(std::move(config)) {}

std::optional<std::string> RegistryAuth::cached(const RepositoryScope& scope) const {
  const std::lock_guard lock(mutex_);
  const auto it = cache_.find(key_of(scope));
  if (it == cache_.end() || std::chrono::steady_clock::now() >= it->second.expires) return std::nullopt;
  return it->second.authorization;
}

void RegistryAuth::forget(const RepositoryScope& scope) {
  const std::lock_guard lock(mutex_);
  cache_.erase(key_of(scope));
}

void RegistryAuth::remember(const RepositoryScope& scope, std::string authorization, std::chrono::seconds lifetime) {
  const std::lock_guard lock(mutex_);
  if (cache_.size() >= kMaxCacheEntries) cache_.clear();
  cache_[key_of(scope)] = {std::move(authorization), std::chrono::steady_clock::now() + lifetime};
}

boost::asio::awaitable<Result<std::string>> RegistryAuth::authorize(const RepositoryScope& scope,
                                                                    const HttpResponse& unauthorized,
                                                                    Deadline deadline) {
  const auto credentials = config_.find(scope.registry);
  std::vector<AuthChallenge> challenges;
  for (const auto& header : unauthorized.headers_named("WWW-Authenticate")) {
    auto parsed = parse_auth_challenges(header);
    if (!parsed) co_return Error::unavailable(parsed.error().message);
    challenges.insert(challenges.end(), parsed->begin(), parsed->end());
  }
  if (challenges.empty())
    co_return check_credentials(scope, "authentication required (401) without a challenge", credentials.has_value());

  // Bearer first: a registry offering both prefers tokens, and a token never exposes the password to it.
  const auto bearer =
      std::find_if(challenges.begin(), challenges.end(), [](const auto& c) { return c.scheme == "bearer"; });
  if (bearer != challenges.end()) {
    const std::string realm = bearer->param("realm");
    if (realm.empty()) co_return Error::unavailable("the registry's Bearer challenge has no realm");
    auto token = co_await fetch_token(scope, realm, bearer->param("service"), deadline);
    if (!token) co_return token.error();
    co_return *token;
  }
  const bool basic =
      std::any_of(challenges.begin(), challenges.end(), [](const auto& c) { return c.scheme == "basic"; });
  if (!basic)
    co_return Error::unavailable("the registry asks for an unsupported authentication scheme \"" +
                                 challenges.front().scheme + "\"");
  if (!credentials) co_return check_credentials(scope, "authentication required (401)", false);
  std::string header = basic_header(*credentials);
  remember(scope, header, kBasicLifetime);
  co_return header;
}

boost::asio::awaitable<Result<std::string>> RegistryAuth::fetch_token(const RepositoryScope& scope,
                                                                      const std::string& realm,
                                                                      const std::string& service, Deadline deadline) {
  const auto credentials = config_.find(scope.registry);
  auto url = parse_url(realm);
  if (!url) co_return Error::unavailable(url.error().context("token realm").message);
  url->target += url->target.find('?') == std::string::npos ? "?" : "&";
  if (!service.empty()) url->target += "service=" + url_encode(service) + "&";
  url->target += "scope=" + url_encode("repository:" + scope.repository + ":pull");

  HttpRequest request;
  request.url = *url;
  request.headers.push_back({"Accept", "application/json"});
  if (credentials) request.headers.push_back({"Authorization", basic_header(*credentials)});
  request.body_limit = kMaxTokenResponse;
  request.body_limit_name = "the token response limit";
  auto response = co_await transport_.send(request, deadline);
  if (!response) co_return response.error().context("fetching a token from " + url->authority());
  if (response->status == 401 || response->status == 403) {
    co_return check_credentials(
        scope, "the token server " + url->authority() + " refused access (" + std::to_string(response->status) + ")",
        credentials.has_value());
  }
  if (response->status != 200) {
    co_return Error::unavailable("the token server " + url->authority() + " answered HTTP " +
                                 std::to_string(response->status));
  }
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseIterativeFlag>(response->body.data(), response->body.size());
  if (doc.HasParseError() || !doc.IsObject())
    co_return Error::unavailable("the token server " + url->authority() + " sent malformed JSON");
  std::string token;
  for (const char* name : {"token", "access_token"}) {
    const auto it = doc.FindMember(name);
    if (it != doc.MemberEnd() && it->value.IsString() && it->value.GetStringLength() > 0) {
      token.assign(it->value.GetString(), it->value.GetStringLength());
      break;
    }
  }
  if (!valid_token(token))
    co_return Error::unavailable("the token server " + url->authority() + " sent no usable token");
  std::chrono::seconds lifetime = kDefaultTokenLifetime;
  if (const auto it = doc.FindMember("expires_in");
      it != doc.MemberEnd() && it->value.IsInt() && it->value.GetInt() > 0) {
    lifetime = std::chrono::seconds(it->value.GetInt());
  }
  std::string header = "Bearer " + token;
  remember(scope, header, lifetime);
  co_return header;
}

}  // namespace signet::oci
