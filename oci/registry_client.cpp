#include "oci/registry_client.hpp"

#include <rapidjson/document.h>

#include "crypto/digest.hpp"
#include "oci/credential_store.hpp"
#include "oci/http_transport.hpp"
#include "oci/manifest.hpp"
#include "oci/registry_auth.hpp"
#include "oci/single_flight.hpp"
#include "oci/ttl_cache.hpp"

namespace signet::oci {
namespace {

constexpr int kMaxRedirects = 5;

const std::string kManifestAccept =
    std::string(media_type::kOciManifest) + ", " + std::string(media_type::kDockerManifest);
const std::string kIndexAccept =
    std::string(media_type::kOciIndex) + ", " + std::string(media_type::kDockerManifestList);
const std::string kAnyManifestAccept = kManifestAccept + ", " + kIndexAccept;
// Content is immutable; it leaves the cache only when evicted.
constexpr auto kContentTtl = std::chrono::hours(24);

// One call of the registry API: what to ask for, the body cap that applies and whether redirects are
// followed (blobs may be served from another host).
struct ApiCall {
  std::string method;
  std::string path;
  std::vector<HttpHeader> headers;
  std::size_t limit = 0;
  std::string limit_name;
  bool follow_redirects = false;
};

bool is_redirect(unsigned status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

// The first message of a Distribution API error body ({"errors":[{"code":…,"message":…}]}), made safe to
// show: printable ASCII, at most 200 characters.
std::string registry_error_detail(const std::string& body) {
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseIterativeFlag>(body.data(), body.size());
  if (doc.HasParseError() || !doc.IsObject()) return {};
  const auto errors = doc.FindMember("errors");
  if (errors == doc.MemberEnd() || !errors->value.IsArray() || errors->value.Empty() || !errors->value[0].IsObject())
    return {};
  const auto& first = errors->value[0];
  std::string detail;
  for (const char* field : {"code", "message"}) {
    const auto it = first.FindMember(field);
    if (it == first.MemberEnd() || !it->value.IsString()) continue;
    if (!detail.empty()) detail += ": ";
    detail.append(it->value.GetString(), it->value.GetStringLength());
  }
  for (char& c : detail) {
    if (c < 0x20 || c > 0x7e) c = '?';
  }
  if (detail.size() > 200) detail = detail.substr(0, 200) + "…";
  return detail;
}

// A status the caller did not expect, as an error a person can act on.
Error status_error(const HttpResponse& response, std::string_view what) {
  const unsigned status = response.status;
  std::string message = std::string(what) + ": ";
  if (status == 401 || status == 403) {
    message += "access denied (" + std::to_string(status) + "): check credentials";
  } else if (status == 429) {
    message += "rate limited by the registry (429)";
  } else if (status >= 500) {
    message += "registry error (HTTP " + std::to_string(status) + ")";
  } else {
    message += "unexpected HTTP status " + std::to_string(status);
  }
  if (const std::string detail = registry_error_detail(response.body); !detail.empty()) message += " [" + detail + "]";
  return Error::unavailable(std::move(message));
}

// "sha256:abc…" → "sha256-abc…", the tag schema of cosign (+ ".sig", ".att") and of OCI 1.1 referrers.
std::string digest_tag(const std::string& digest) {
  std::string tag = digest;
  tag[tag.find(':')] = '-';
  return tag;
}

// Manifest bytes with the digest they were checked against, shared by the cache and its readers.
struct ManifestBytes {
  std::string digest;
  std::shared_ptr<const std::string> bytes;
};
using Bytes = std::shared_ptr<const std::string>;

// What distinguishes one read from another for the tag cache: the credentials it may use.
std::string credentials_key(const RepositoryScope& scope) {
  std::string key;
  for (const auto& secret : scope.secrets) key += "|" + secret;
  if (!scope.pod_key.empty()) key += "|pod|" + scope.pod_key;
  return key;
}

HttpTransportOptions transport_options(const RegistryOptions& options) {
  HttpTransportOptions out;
  out.insecure_hosts = options.insecure_registries;
  out.ca_file = options.ca_file;
  out.max_in_flight_per_host = options.max_requests_per_registry;
  out.observer = options.observer;
  return out;
}

}  // namespace

struct RegistryClient::Impl {
  RegistryOptions options;
  HttpTransport transport;
  std::optional<Error> setup_error;
  std::optional<RegistryAuth> auth;
  CredentialStore credentials;  // shared with `auth`
  TtlCache<std::string> tags;  // "registry/repo:tag|secrets" → digest
  TtlCache<Bytes> contents;    // digest → manifest or blob bytes, checked against the digest
  SingleFlight<std::string> digest_flights;
  SingleFlight<std::optional<ManifestBytes>> manifest_flights;
  SingleFlight<Bytes> blob_flights;

  Impl(boost::asio::any_io_executor executor, RegistryOptions opts)
      : options(std::move(opts)),
        transport(std::move(executor), transport_options(options)),
        tags(options.tag_cache_entries),
        contents(options.content_cache_entries, options.content_cache_bytes) {
    auto store = CredentialStore::open(options.docker_config, options.secrets_dir);
    if (!store) setup_error = store.error();
    if (auto ok = transport.ready(); !ok) setup_error = ok.error();
    if (store) credentials = *store;
    auth.emplace(transport, credentials);
  }

  // What one read is authorised with. With secrets from the cluster, the ones `pull` names are read
  // first (through the source's short cache), once for the whole read.
  boost::asio::awaitable<Result<RepositoryScope>> scope_for(const Reference& image, const Pull& pull) {
    RepositoryScope scope{image.registry, image.repository, pull.secrets, nullptr, ""};
    const bool pod = options.pod_pull_secrets && !pull.pod.empty();
    if (!options.secret_source || (pull.secrets.empty() && !pod)) co_return scope;
    const MountedSecret mounted = [this](const std::string& name) { return credentials.mounted_secret(name); };
    auto resolved = co_await resolve_secrets(*options.secret_source, pull, pod, mounted);
    if (!resolved) co_return resolved.error().context("registry " + image.registry);
    scope.resolved = std::move(*resolved);
    if (pod) scope.pod_key = pod_credentials_key(pull.pod);
    co_return scope;
  }

  // The API base of a registry: HTTPS, or HTTP when it is listed as insecure.
  Result<Url> base_url(const std::string& registry_host) const {
    auto url = parse_url("http://" + registry_host);
    if (!url) return url.error();
    if (!transport.plain_http_allowed(*url)) url->scheme = "https";
    return url;
  }

  // A request to the registry's API for one repository: authenticates on a 401 (once), follows redirects
  // when asked (at most 5; credentials are only sent to the registry itself), and returns any final
  // status as a response.
  boost::asio::awaitable<Result<HttpResponse>> api_request(const RepositoryScope& scope, const std::string& api_host,
                                                           const ApiCall& call, Deadline deadline) {
    if (setup_error) co_return *setup_error;
    auto base = base_url(api_host);
    if (!base) co_return base.error();
    Url url = *base;
    url.target = call.path;
    std::optional<std::string> authorization = auth->cached(scope);
    bool authenticated = false;
    int redirects = 0;
    while (true) {
      const bool on_registry = url.authority() == base->authority();
      HttpRequest request{call.method, url, call.headers, call.limit, call.limit_name, {}};
      if (authorization && on_registry) request.headers.push_back({"Authorization", *authorization});
      auto response = co_await transport.send(request, deadline);
      if (!response) co_return response.error();
      if (response->status == 401 && on_registry) {
        if (authenticated) {
          auth->forget(scope);
          co_return Error::unavailable("authentication failed (401): check credentials for " + scope.registry);
        }
        auto header = co_await auth->authorize(scope, *response, deadline);
        if (!header) co_return header.error();
        authorization = std::move(*header);
        authenticated = true;
        continue;
      }
      if (call.follow_redirects && is_redirect(response->status)) {
        if (++redirects > kMaxRedirects) co_return Error::unavailable("more than 5 redirects");
        const auto location = response->header("Location");
        if (!location) co_return Error::unavailable("redirect without a Location");
        auto next = resolve_url(url, *location);
        if (!next) co_return Error::unavailable(next.error().context("redirect").message);
        url = std::move(*next);
        continue;
      }
      co_return response;
    }
  }

  // The digest a tag points at: the tag cache, else HEAD (GET and hashing when the registry sends no
  // usable Docker-Content-Digest), one request chain for concurrent callers.
  boost::asio::awaitable<Result<std::string>> tag_digest(const Reference& image, const RepositoryScope& scope,
                                                         Deadline deadline) {
    const std::string key = image.name() + ":" + image.tag + credentials_key(scope);
    if (auto hit = tags.get(key)) co_return *hit;
    co_return co_await digest_flights.run(key, deadline, [&]() -> boost::asio::awaitable<Result<std::string>> {
      auto digest = co_await head_digest(image, scope, deadline);
      if (digest) tags.put(key, *digest, options.tag_ttl);
      co_return digest;
    });
  }

  boost::asio::awaitable<Result<std::string>> head_digest(const Reference& image, const RepositoryScope& scope,
                                                          Deadline deadline) {
    const std::string where = "registry " + image.registry + ", repository " + image.repository;
    const std::string what = "manifest " + image.tag;
    ApiCall call{"HEAD",
                 "/v2/" + image.repository + "/manifests/" + image.tag,
                 {{"Accept", kAnyManifestAccept}},
                 options.max_manifest_bytes,
                 "max_manifest_bytes",
                 false};
    auto head = co_await api_request(scope, image.api_host(), call, deadline);
    if (!head) co_return head.error().context(where);
    if (head->status == 404) co_return Error::invalid(where + ": tag \"" + image.tag + "\" not found");
    if (head->status != 200) co_return status_error(*head, what).context(where);
    if (const auto digest = head->header("Docker-Content-Digest"); digest && check_digest_syntax(*digest))
      co_return *digest;

    // No usable Docker-Content-Digest: the digest is the hash of the manifest's bytes.
    call.method = "GET";
    auto get = co_await api_request(scope, image.api_host(), call, deadline);
    if (!get) co_return get.error().context(where);
    if (get->status == 404) co_return Error::invalid(where + ": tag \"" + image.tag + "\" not found");
    if (get->status != 200) co_return status_error(*get, what).context(where);
    const std::string digest = crypto::sha256_digest(get->body);
    const std::size_t size = get->body.size();
    contents.put(digest, std::make_shared<const std::string>(std::move(get->body)), kContentTtl, size);
    co_return digest;
  }

  // A manifest by tag or digest (`reference` is either), or nothing when the registry has none (404).
  // By tag: the tag cache, then the content cache; a GET stores both. By digest: the content cache.
  boost::asio::awaitable<Result<std::optional<ManifestBytes>>> manifest(const Reference& image,
                                                                        const RepositoryScope& scope,
                                                                        const std::string& reference,
                                                                        const std::string& accept, Deadline deadline) {
    const bool by_digest = check_digest_syntax(reference).ok();
    const std::string tag_key = image.name() + ":" + reference + credentials_key(scope);
    std::string digest = by_digest ? reference : tags.get(tag_key).value_or("");
    if (!digest.empty()) {
      if (auto hit = contents.get(digest)) co_return ManifestBytes{digest, *hit};
    }
    const std::string key = image.name() + (by_digest ? "@" : ":") + reference + credentials_key(scope);
    co_return co_await manifest_flights.run(
        key, deadline, [&]() -> boost::asio::awaitable<Result<std::optional<ManifestBytes>>> {
          auto fetched = co_await get_manifest(image, scope, reference, accept, deadline);
          if (fetched && *fetched) {
            contents.put((*fetched)->digest, (*fetched)->bytes, kContentTtl, (*fetched)->bytes->size());
            if (!by_digest) tags.put(tag_key, (*fetched)->digest, options.tag_ttl);
          }
          co_return fetched;
        });
  }

  boost::asio::awaitable<Result<std::optional<ManifestBytes>>> get_manifest(const Reference& image,
                                                                            const RepositoryScope& scope,
                                                                            const std::string& reference,
                                                                            const std::string& accept,
                                                                            Deadline deadline) {
    const std::string where =
        "registry " + image.registry + ", repository " + image.repository + ": manifest " + reference;
    const ApiCall call{"GET",
                       "/v2/" + image.repository + "/manifests/" + reference,
                       {{"Accept", accept}},
                       options.max_manifest_bytes,
                       "max_manifest_bytes",
                       false};
    auto response = co_await api_request(scope, image.api_host(), call, deadline);
    if (!response) co_return response.error().context(where);
    if (response->status == 404) co_return std::optional<ManifestBytes>{};
    if (response->status != 200) co_return status_error(*response, "manifest " + reference).context(where);
    // By digest, the bytes must hash to it; by tag, to the registry's digest header when it sends one.
    std::string digest = check_digest_syntax(reference).ok() ? reference : "";
    if (digest.empty()) {
      const auto header = response->header("Docker-Content-Digest");
      digest = header && check_digest_syntax(*header) ? *header : crypto::sha256_digest(response->body);
    }
    if (auto ok = crypto::check_digest(response->body, digest); !ok) co_return ok.error().context(where);
    co_return ManifestBytes{digest, std::make_shared<const std::string>(std::move(response->body))};
  }

  // A blob by digest, size- and digest-checked, from the content cache when it is there.
  boost::asio::awaitable<Result<Bytes>> blob(const Reference& image, const RepositoryScope& scope,
                                             const Descriptor& blob, Deadline deadline) {
    if (blob.size > options.max_blob_bytes) {
      co_return Error::invalid("blob " + blob.digest + " is " + std::to_string(blob.size) +
                               " bytes, more than max_blob_bytes (" + std::to_string(options.max_blob_bytes) + ")");
    }
    if (auto hit = contents.get(blob.digest)) co_return *hit;
    co_return co_await blob_flights.run(blob.digest, deadline, [&]() -> boost::asio::awaitable<Result<Bytes>> {
      auto fetched = co_await get_blob(image, scope, blob, deadline);
      if (fetched) contents.put(blob.digest, *fetched, kContentTtl, (*fetched)->size());
      co_return fetched;
    });
  }

  boost::asio::awaitable<Result<Bytes>> get_blob(const Reference& image, const RepositoryScope& scope,
                                                 const Descriptor& blob, Deadline deadline) {
    const ApiCall call{
        "GET", "/v2/" + image.repository + "/blobs/" + blob.digest, {}, options.max_blob_bytes, "max_blob_bytes", true};
    auto response = co_await api_request(scope, image.api_host(), call, deadline);
    if (!response) co_return response.error().context("blob " + blob.digest);
    if (response->status != 200) co_return status_error(*response, "blob " + blob.digest);
    if (response->body.size() != blob.size) {
      co_return Error::invalid("blob " + blob.digest + " is " + std::to_string(response->body.size()) +
                               " bytes, its descriptor says " + std::to_string(blob.size));
    }
    if (auto ok = crypto::check_digest(response->body, blob.digest); !ok)
      co_return ok.error().context("blob " + blob.digest);
    co_return std::make_shared<const std::string>(std::move(response->body));
  }

  // The layers of an image manifest, each fetched and checked; more than max_signatures is an error.
  boost::asio::awaitable<Result<std::vector<CosignLayer>>> layers(const Reference& image, const RepositoryScope& scope,
                                                                  const ManifestBytes& manifest_bytes,
                                                                  const std::string& where, Deadline deadline) {
    auto manifest = parse_image_manifest(*manifest_bytes.bytes);
    if (!manifest) co_return manifest.error().context(where);
    if (manifest->layers.size() > options.max_signatures) {
      co_return Error::invalid(where + " has " + std::to_string(manifest->layers.size()) +
                               " layers, more than max_signatures (" + std::to_string(options.max_signatures) + ")");
    }
    std::vector<CosignLayer> out;
    out.reserve(manifest->layers.size());
    for (const auto& layer : manifest->layers) {
      auto payload = co_await blob(image, scope, layer, deadline);
      if (!payload) co_return payload.error().context(where);
      out.push_back({std::move(*payload), layer.media_type, layer.annotations});
    }
    co_return out;
  }

  // The layers of cosign's `sha256-<hex><suffix>` manifest beside `image` or in `repository`.
  boost::asio::awaitable<Result<std::vector<CosignLayer>>> cosign_layers(const Reference& image,
                                                                         const std::optional<std::string>& repository,
                                                                         const std::string& suffix, const Pull& pull) {
    if (image.digest.empty())
      co_return Error::invalid("cosign " + suffix + " of " + image.str() + ": the reference needs a digest");
    if (auto ok = check_digest_syntax(image.digest); !ok) co_return ok.error();
    Reference target = image;
    if (repository) {
      auto parsed = parse_reference(*repository);
      if (!parsed) co_return parsed.error().context("signature repository");
      target = *parsed;
    }
    auto scoped = co_await scope_for(target, pull);
    if (!scoped) co_return scoped.error();
    const RepositoryScope& scope = *scoped;
    const std::string tag = digest_tag(image.digest) + suffix;
    const std::string where = "registry " + target.registry + ", repository " + target.repository + ": " +
                              (suffix == ".att" ? "attestation" : "signature") + " manifest " + tag;
    auto found = co_await manifest(target, scope, tag, kManifestAccept, pull.deadline);
    if (!found) co_return found.error().context(where);
    if (!*found) co_return std::vector<CosignLayer>{};
    co_return co_await layers(target, scope, **found, where, pull.deadline);
  }
};

RegistryClient::RegistryClient(boost::asio::any_io_executor executor, RegistryOptions options)
    : impl_(std::make_unique<Impl>(std::move(executor), std::move(options))) {}

RegistryClient::~RegistryClient() = default;

Result<std::unique_ptr<RegistryClient>> RegistryClient::create(boost::asio::any_io_executor executor,
                                                               RegistryOptions options) {
  auto client = std::make_unique<RegistryClient>(std::move(executor), std::move(options));
  if (auto ok = client->ready(); !ok) return ok.error();
  return client;
}

Result<void> RegistryClient::ready() const {
  if (impl_->setup_error) return *impl_->setup_error;
  return success();
}

std::map<std::string, CacheStats> RegistryClient::cache_stats() const {
  return {{"tag", impl_->tags.stats()}, {"content", impl_->contents.stats()}};
}

boost::asio::awaitable<Result<std::string>> RegistryClient::resolve_digest(const Reference& image, Pull pull) {
  if (!image.digest.empty()) co_return image.digest;
  auto scope = co_await impl_->scope_for(image, pull);
  if (!scope) co_return scope.error();
  co_return co_await impl_->tag_digest(image, *scope, pull.deadline);
}

boost::asio::awaitable<Result<std::vector<CosignSignature>>> RegistryClient::cosign_signatures(
    const Reference& image, const std::optional<std::string>& signature_repository, Pull pull) {
  co_return co_await impl_->cosign_layers(image, signature_repository, ".sig", pull);
}

boost::asio::awaitable<Result<std::vector<CosignLayer>>> RegistryClient::cosign_attestations(
    const Reference& image, const std::optional<std::string>& signature_repository, Pull pull) {
  co_return co_await impl_->cosign_layers(image, signature_repository, ".att", pull);
}

boost::asio::awaitable<Result<std::vector<CosignLayer>>> RegistryClient::artifact_layers(const Reference& artifact,
                                                                                         Pull pull) {
  if (auto ok = check_digest_syntax(artifact.digest); !ok) co_return ok.error().context("artifact " + artifact.str());
  auto scoped = co_await impl_->scope_for(artifact, pull);
  if (!scoped) co_return scoped.error();
  const RepositoryScope& scope = *scoped;
  const std::string where =
      "registry " + artifact.registry + ", repository " + artifact.repository + ": manifest " + artifact.digest;
  auto found = co_await impl_->manifest(artifact, scope, artifact.digest, kManifestAccept, pull.deadline);
  if (!found) co_return found.error().context(where);
  if (!*found) co_return Error::invalid(where + " not found");
  co_return co_await impl_->layers(artifact, scope, **found, where, pull.deadline);
}

boost::asio::awaitable<Result<std::vector<Referrer>>> RegistryClient::referrers(const Reference& image,
                                                                                const std::string& artifact_type,
                                                                                Pull pull) {
  if (auto ok = check_digest_syntax(image.digest); !ok) co_return ok.error().context("referrers of " + image.str());
  auto scoped = co_await impl_->scope_for(image, pull);
  if (!scoped) co_return scoped.error();
  const RepositoryScope& scope = *scoped;
  const std::string where =
      "registry " + image.registry + ", repository " + image.repository + ": referrers of " + image.digest;
  std::string path = "/v2/" + image.repository + "/referrers/" + image.digest;
  if (!artifact_type.empty()) path += "?artifactType=" + url_encode(artifact_type);
  const ApiCall call{"GET",
                     path,
                     {{"Accept", std::string(media_type::kOciIndex)}},
                     impl_->options.max_manifest_bytes,
                     "max_manifest_bytes",
                     false};
  auto response = co_await impl_->api_request(scope, image.api_host(), call, pull.deadline);
  if (!response) co_return response.error().context(where);

  std::optional<ImageIndex> index;
  if (response->status == 200) {
    auto parsed = parse_image_index(response->body);
    if (!parsed) co_return parsed.error().context(where);
    index = std::move(*parsed);
  } else if (response->status == 404) {
    // No referrers API: the tag schema, an index tagged sha256-<hex> that pushers keep up to date.
    auto found = co_await impl_->manifest(image, scope, digest_tag(image.digest), kIndexAccept, pull.deadline);
    if (!found) co_return found.error().context(where + " (tag schema)");
    if (!*found) co_return std::vector<Referrer>{};
    auto parsed = parse_image_index(*(*found)->bytes);
    if (!parsed) co_return parsed.error().context(where + " (tag schema)");
    index = std::move(*parsed);
  } else {
    co_return status_error(*response, "referrers of " + image.digest).context(where);
  }
  // The filter is applied here too: a registry may ignore it (it says so in OCI-Filters-Applied), and the
  // tag schema has none.
  std::vector<Referrer> out;
  for (auto& m : index->manifests) {
    if (!artifact_type.empty() && m.artifact_type != artifact_type) continue;
    out.push_back({m.digest, m.media_type, m.artifact_type, m.size, std::move(m.annotations)});
  }
  if (out.size() > impl_->options.max_signatures) {
    co_return Error::invalid(where + ": " + std::to_string(out.size()) + " referrers, more than max_signatures (" +
                             std::to_string(impl_->options.max_signatures) + ")");
  }
  co_return out;
}

}  // namespace signet::oci
