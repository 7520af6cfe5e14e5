#include "oci/registry_client.hpp"

#include <rapidjson/document.h>

#include "crypto/digest.hpp"
#include "oci/http_transport.hpp"
#include "oci/manifest.hpp"
#include "oci/registry_auth.hpp"

namespace signet::oci {
namespace {

constexpr int kMaxRedirects = 5;

const std::string kManifestAccept =
    std::string(media_type::kOciManifest) + ", " + std::string(media_type::kDockerManifest);
const std::string kAnyManifestAccept =
    kManifestAccept + ", " + std::string(media_type::kOciIndex) + ", " + std::string(media_type::kDockerManifestList);

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

// "sha256:abc…" → "sha256-abc….sig", the tag cosign stores signatures under.
std::string signature_tag(const std::string& digest) {
  std::string tag = digest;
  tag[tag.find(':')] = '-';
  return tag + ".sig";
}

}  // namespace

struct RegistryClient::Impl {
  RegistryOptions options;
  HttpTransport transport;
  std::optional<Error> setup_error;
  std::optional<RegistryAuth> auth;

  Impl(boost::asio::any_io_executor executor, RegistryOptions opts)
      : options(std::move(opts)), transport(std::move(executor), options.insecure_registries, options.ca_file) {
    DockerConfig config;
    if (!options.docker_config.empty()) {
      auto loaded = DockerConfig::load(options.docker_config);
      if (loaded) {
        config = std::move(*loaded);
      } else {
        setup_error = loaded.error();
      }
    }
    if (auto ok = transport.ready(); !ok) setup_error = ok.error();
    auth.emplace(transport, std::move(config));
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

  // A blob by digest, size- and digest-checked.
  boost::asio::awaitable<Result<std::string>> fetch_blob(const RepositoryScope& scope, const std::string& api_host,
                                                         const Descriptor& blob, Deadline deadline) {
    if (blob.size > options.max_blob_bytes) {
      co_return Error::invalid("blob " + blob.digest + " is " + std::to_string(blob.size) +
                               " bytes, more than max_blob_bytes (" + std::to_string(options.max_blob_bytes) + ")");
    }
    const ApiCall call{
        "GET", "/v2/" + scope.repository + "/blobs/" + blob.digest, {}, options.max_blob_bytes, "max_blob_bytes", true};
    auto response = co_await api_request(scope, api_host, call, deadline);
    if (!response) co_return response.error().context("blob " + blob.digest);
    if (response->status != 200) co_return status_error(*response, "blob " + blob.digest);
    if (response->body.size() != blob.size) {
      co_return Error::invalid("blob " + blob.digest + " is " + std::to_string(response->body.size()) +
                               " bytes, its descriptor says " + std::to_string(blob.size));
    }
    if (auto ok = crypto::check_digest(response->body, blob.digest); !ok)
      co_return ok.error().context("blob " + blob.digest);
    co_return std::move(response->body);
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

boost::asio::awaitable<Result<std::string>> RegistryClient::resolve_digest(const Reference& image, Deadline deadline) {
  if (!image.digest.empty()) co_return image.digest;
  const RepositoryScope scope{image.registry, image.repository, {}};
  const std::string where = "registry " + image.registry + ", repository " + image.repository;
  const std::string what = "manifest " + image.tag;
  const std::string path = "/v2/" + image.repository + "/manifests/" + image.tag;
  const std::vector<HttpHeader> accept{{"Accept", kAnyManifestAccept}};

  ApiCall call{"HEAD", path, accept, impl_->options.max_manifest_bytes, "max_manifest_bytes", false};
  auto head = co_await impl_->api_request(scope, image.api_host(), call, deadline);
  if (!head) co_return head.error().context(where);
  if (head->status == 404) co_return Error::invalid(where + ": tag \"" + image.tag + "\" not found");
  if (head->status != 200) co_return status_error(*head, what).context(where);
  if (const auto digest = head->header("Docker-Content-Digest"); digest && check_digest_syntax(*digest))
    co_return *digest;

  // No usable Docker-Content-Digest: the digest is the hash of the manifest's bytes.
  call.method = "GET";
  auto get = co_await impl_->api_request(scope, image.api_host(), call, deadline);
  if (!get) co_return get.error().context(where);
  if (get->status == 404) co_return Error::invalid(where + ": tag \"" + image.tag + "\" not found");
  if (get->status != 200) co_return status_error(*get, what).context(where);
  co_return crypto::sha256_digest(get->body);
}

boost::asio::awaitable<Result<std::vector<CosignSignature>>> RegistryClient::cosign_signatures(
    const Reference& image, const std::optional<std::string>& signature_repository, Deadline deadline) {
  if (image.digest.empty())
    co_return Error::invalid("cosign signatures of " + image.str() + ": the reference needs a digest");
  if (auto ok = check_digest_syntax(image.digest); !ok) co_return ok.error();
  Reference target = image;
  if (signature_repository) {
    auto parsed = parse_reference(*signature_repository);
    if (!parsed) co_return parsed.error().context("signature repository");
    target = *parsed;
  }
  const RepositoryScope scope{target.registry, target.repository, {}};
  const std::string where = "registry " + target.registry + ", repository " + target.repository;
  const std::string tag = signature_tag(image.digest);
  const auto& options = impl_->options;

  const ApiCall call{"GET",
                     "/v2/" + target.repository + "/manifests/" + tag,
                     {{"Accept", kManifestAccept}},
                     options.max_manifest_bytes,
                     "max_manifest_bytes",
                     false};
  auto response = co_await impl_->api_request(scope, target.api_host(), call, deadline);
  if (!response) co_return response.error().context(where + ": signature manifest " + tag);
  if (response->status == 404) co_return std::vector<CosignSignature>{};
  if (response->status != 200) co_return status_error(*response, "signature manifest " + tag).context(where);
  // Fetched by tag, so only the registry's own digest header can be checked.
  if (const auto digest = response->header("Docker-Content-Digest"); digest && !digest->empty()) {
    if (auto ok = crypto::check_digest(response->body, *digest); !ok)
      co_return ok.error().context(where + ": signature manifest " + tag);
  }
  auto manifest = parse_image_manifest(response->body);
  if (!manifest) co_return manifest.error().context(where + ": signature manifest " + tag);
  if (manifest->layers.size() > options.max_signatures) {
    co_return Error::invalid(where + ": signature manifest " + tag + " has " + std::to_string(manifest->layers.size()) +
                             " layers, more than max_signatures (" + std::to_string(options.max_signatures) + ")");
  }
  std::vector<CosignSignature> signatures;
  signatures.reserve(manifest->layers.size());
  for (const auto& layer : manifest->layers) {
    auto payload = co_await impl_->fetch_blob(scope, target.api_host(), layer, deadline);
    if (!payload) co_return payload.error().context(where + ": signature " + tag);
    signatures.push_back({std::move(*payload), layer.media_type, layer.annotations});
  }
  co_return signatures;
}

}  // namespace signet::oci
