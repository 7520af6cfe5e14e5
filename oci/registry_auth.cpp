#include "oci/registry_auth.hpp"

#include <algorithm>

#include "crypto/digest.hpp"
#include "crypto/encoding.hpp"
#include "oci/auth_challenge.hpp"
#include "oci/token_response.hpp"

namespace signet::oci {
namespace {

using SteadyClock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr std::size_t kMaxCacheEntries = 1024;
constexpr std::size_t kMaxTokenResponse = 1024 * 1024;
// Basic credentials and registry tokens do not expire by themselves; re-reading them now and then picks
// up rotated credentials.
constexpr milliseconds kStaticLifetime = std::chrono::hours(1);
constexpr milliseconds kRenewMargin = std::chrono::seconds(10);

std::string basic_header(const Credentials& c) {
  return "Basic " + crypto::base64_encode(c.username + ":" + c.password);
}

// What the cache is keyed by: registry, repository, and which credentials (their source and a hash of
// them, so rotated credentials never reuse a token issued for the old ones).
std::string cache_key(const RepositoryScope& scope, const std::optional<FoundCredentials>& found) {
  std::string key = scope.registry + '\n' + scope.repository + '\n';
  if (!found) return key + "anonymous";
  const Credentials& c = found->credentials;
  const std::string secret = c.username + '\0' + c.password + '\0' + c.identity_token + '\0' + c.registry_token;
  return key + found->source + '\n' + crypto::sha256_hex(secret);
}

// Renews short tokens after three quarters of their life, longer ones 10 s before they expire.
milliseconds usable_lifetime(milliseconds lifetime) { return lifetime - std::min(kRenewMargin, lifetime / 4); }

std::string form_encode(const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string out;
  for (const auto& [name, value] : fields) {
    if (!out.empty()) out += '&';
    out += name + "=" + url_encode(value);
  }
  return out;
}

// "repository:team/app:pull,push" → {"repository", "team/app", "pull,push"}; the name may hold colons
// (a port in a proxied name), the type and actions do not.
struct ScopeParts {
  std::string_view type, name, actions;
};
std::optional<ScopeParts> split_scope(std::string_view scope) {
  const std::size_t first = scope.find(':');
  const std::size_t last = scope.rfind(':');
  if (first == std::string_view::npos || first == last) return std::nullopt;
  return ScopeParts{scope.substr(0, first), scope.substr(first + 1, last - first - 1), scope.substr(last + 1)};
}

bool grants_pull(std::string_view actions) {
  while (!actions.empty()) {
    const std::size_t comma = actions.find(',');
    const std::string_view action = actions.substr(0, comma);
    if (action == "pull" || action == "*") return true;
    if (comma == std::string_view::npos) break;
    actions.remove_prefix(comma + 1);
  }
  return false;
}

}  // namespace

std::vector<std::string> token_scopes(const std::string& repository, const std::string& challenge_scope) {
  std::vector<std::string> scopes;
  bool pull = false;
  std::string_view rest = challenge_scope;
  while (!rest.empty()) {
    const std::size_t space = rest.find(' ');
    const std::string_view scope = rest.substr(0, space);
    rest = space == std::string_view::npos ? std::string_view() : rest.substr(space + 1);
    const auto parts = split_scope(scope);
    // "repository" or "repository(plugin)", for this repository only: a registry cannot widen the token to
    // other repositories through its challenge.
    if (!parts || !parts->type.starts_with("repository") || parts->name != repository) continue;
    if (std::find(scopes.begin(), scopes.end(), scope) != scopes.end()) continue;
    scopes.emplace_back(scope);
    pull = pull || grants_pull(parts->actions);
  }
  if (!pull) scopes.push_back("repository:" + repository + ":pull");
  return scopes;
}

RegistryAuth::RegistryAuth(HttpTransport& transport, CredentialStore credentials)
    : transport_(transport), credentials_(std::move(credentials)) {}

std::optional<std::string> RegistryAuth::cached(const RepositoryScope& scope) const {
  auto found = credentials_.find(scope);
  if (!found) return std::nullopt;  // authorize() reports it when the registry asks for credentials
  const std::string key = cache_key(scope, *found);
  const std::lock_guard lock(mutex_);
  const auto it = cache_.find(key);
  if (it == cache_.end() || SteadyClock::now() >= it->second.renew) return std::nullopt;
  return it->second.authorization;
}

void RegistryAuth::forget(const RepositoryScope& scope) {
  auto found = credentials_.find(scope);
  if (!found) return;
  const std::string key = cache_key(scope, *found);
  const std::lock_guard lock(mutex_);
  cache_.erase(key);
}

void RegistryAuth::remember(const std::string& key, std::string authorization, milliseconds lifetime) {
  const auto now = SteadyClock::now();
  const std::lock_guard lock(mutex_);
  if (cache_.size() >= kMaxCacheEntries && !cache_.contains(key)) {
    std::erase_if(cache_, [&](const auto& entry) { return entry.second.renew <= now; });
    if (cache_.size() >= kMaxCacheEntries) {
      const auto soonest = std::min_element(
          cache_.begin(), cache_.end(), [](const auto& a, const auto& b) { return a.second.renew < b.second.renew; });
      cache_.erase(soonest);
    }
  }
  cache_[key] = {std::move(authorization), now + usable_lifetime(lifetime)};
}

Error RegistryAuth::refused(const RepositoryScope& scope, const std::string& what,
                            const std::optional<FoundCredentials>& found) const {
  if (found) return Error::unavailable(what + ": check credentials for " + scope.registry + " in " + found->source);
  if (const auto helper = credentials_.helper_for(scope)) {
    return Error::unavailable(what + ": credentials for " + scope.registry + " come from credential helper " +
                              helper->name + " (named in " + helper->source +
                              "), which signet does not run; put them in a dockerconfigjson secret");
  }
  return Error::unavailable(what + ": check credentials for " + scope.registry + " (none are configured)");
}

boost::asio::awaitable<Result<std::string>> RegistryAuth::authorize(const RepositoryScope& scope,
                                                                    const HttpResponse& unauthorized,
                                                                    Deadline deadline) {
  auto lookup = credentials_.find(scope);
  if (!lookup) co_return lookup.error();
  const std::optional<FoundCredentials> found = std::move(*lookup);
  std::vector<AuthChallenge> challenges;
  for (const auto& header : unauthorized.headers_named("WWW-Authenticate")) {
    auto parsed = parse_auth_challenges(header);
    if (!parsed) co_return Error::unavailable(parsed.error().message);
    challenges.insert(challenges.end(), parsed->begin(), parsed->end());
  }
  if (challenges.empty()) co_return refused(scope, "authentication required (401) without a challenge", found);
  // A host whose credentials a credHelpers entry holds is never tried anonymously: that would hide the cause.
  if (!found) {
    if (const auto helper = credentials_.helper_for(scope); helper && helper->for_host)
      co_return refused(scope, "authentication required (401)", found);
  }

  // Bearer first: a registry offering both prefers tokens, and a token never exposes the password to it.
  const auto bearer =
      std::find_if(challenges.begin(), challenges.end(), [](const auto& c) { return c.scheme == "bearer"; });
  if (bearer != challenges.end()) {
    if (found && !found->credentials.registry_token.empty()) {
      if (!is_usable_token(found->credentials.registry_token))
        co_return Error::invalid("the registrytoken for " + scope.registry + " in " + found->source +
                                 " is not printable ASCII");
      std::string header = "Bearer " + found->credentials.registry_token;
      remember(cache_key(scope, found), header, kStaticLifetime);
      co_return header;
    }
    const std::string realm = bearer->param("realm");
    if (realm.empty()) co_return Error::unavailable("the registry's Bearer challenge has no realm");
    co_return co_await fetch_token(scope, found, realm, bearer->param("service"),
                                   token_scopes(scope.repository, bearer->param("scope")), deadline);
  }
  const bool basic =
      std::any_of(challenges.begin(), challenges.end(), [](const auto& c) { return c.scheme == "basic"; });
  if (!basic)
    co_return Error::unavailable("the registry asks for an unsupported authentication scheme \"" +
                                 challenges.front().scheme + "\"");
  if (!found) co_return refused(scope, "authentication required (401)", found);
  if (found->credentials.username.empty()) {
    co_return Error::unavailable("the registry " + scope.registry +
                                 " asks for a username and password, but its credentials in " + found->source +
                                 " are a token, which only a token server takes");
  }
  std::string header = basic_header(found->credentials);
  remember(cache_key(scope, found), header, kStaticLifetime);
  co_return header;
}

boost::asio::awaitable<Result<std::string>> RegistryAuth::fetch_token(
    const RepositoryScope& scope, const std::optional<FoundCredentials>& found, const std::string& realm,
    const std::string& service, const std::vector<std::string>& scopes, Deadline deadline) {
  auto url = parse_url(realm);
  if (!url) co_return Error::unavailable(url.error().context("token realm").message);
  HttpRequest request;
  request.headers.push_back({"Accept", "application/json"});
  request.body_limit = kMaxTokenResponse;
  request.body_limit_name = "the token response limit";
  const Credentials* credentials = found ? &found->credentials : nullptr;
  if (credentials && !credentials->identity_token.empty()) {
    // docker's OAuth2 token flow: the identity token is a refresh token, exchanged for an access token.
    std::string joined;
    for (const auto& s : scopes) joined += (joined.empty() ? "" : " ") + s;
    request.method = "POST";
    request.headers.push_back({"Content-Type", "application/x-www-form-urlencoded"});
    request.body = form_encode({{"grant_type", "refresh_token"},
                                {"service", service},
                                {"scope", joined},
                                {"client_id", "signet"},
                                {"refresh_token", credentials->identity_token}});
  } else {
    url->target += url->target.find('?') == std::string::npos ? "?" : "&";
    if (!service.empty()) url->target += "service=" + url_encode(service) + "&";
    for (std::size_t i = 0; i < scopes.size(); ++i) url->target += (i ? "&scope=" : "scope=") + url_encode(scopes[i]);
    if (credentials && !credentials->username.empty())
      request.headers.push_back({"Authorization", basic_header(*credentials)});
  }
  request.url = *url;
  const std::string server = "the token server " + url->authority();
  auto response = co_await transport_.send(request, deadline);
  if (!response) co_return response.error().context("fetching a token from " + url->authority());
  if (response->status == 400 || response->status == 401 || response->status == 403) {
    // OAuth2 servers answer a refused refresh token with 400 invalid_grant.
    co_return refused(scope, server + " refused access (" + std::to_string(response->status) + ")", found);
  }
  if (response->status != 200)
    co_return Error::unavailable(server + " answered HTTP " + std::to_string(response->status));
  auto grant = parse_token_response(response->body);
  if (!grant) co_return Error::unavailable(grant.error().context(server).message);
  std::string header = "Bearer " + grant->token;
  remember(cache_key(scope, found), header, remaining_lifetime(*grant, std::chrono::system_clock::now()));
  co_return header;
}

}  // namespace signet::oci
