#include "crypto/public_good_root.hpp"

#include <catch2/catch.hpp>
#include <string>

#include "crypto/trusted_root.hpp"  // declares the trusted root function too: the two must agree

using signet::crypto::public_good_trusted_root_json;
using signet::crypto::public_good_tuf_root_json;

TEST_CASE("the embedded public-good trusted root is Sigstore's production one", "[crypto][public-good]") {
  const std::string_view json = public_good_trusted_root_json();
  CHECK(json.find(R"("mediaType": "application/vnd.dev.sigstore.trustedroot+json;version=0.1")") != json.npos);
  // rekor.sigstore.dev's log id, as sigstore-go and cosign pin it
  CHECK(json.find("wNI9atQGlz+VWfO6LRygH4QUfY/8W4RFwiT5i5WRgB0=") != json.npos);
  CHECK(json.find(R"("baseUrl": "https://rekor.sigstore.dev")") != json.npos);
  CHECK(json.find("https://fulcio.sigstore.dev") != json.npos);
  CHECK(json.find("https://timestamp.sigstore.dev") != json.npos);
  // embedded whole: the JSON document closes, with nothing after it
  CHECK(json.front() == '{');
  CHECK(json.find_last_not_of(" \n") == json.rfind('}'));
}

TEST_CASE("the embedded TUF root is a signed root of the public-good TUF repository", "[crypto][public-good]") {
  const std::string_view json = public_good_tuf_root_json();
  CHECK(json.find(R"("_type": "root")") != json.npos);
  CHECK(json.find(R"("signatures")") != json.npos);
  CHECK(json.find(R"("spec_version")") != json.npos);
  CHECK(json.find("trusted_root.json") == json.npos);  // the root, not the trusted root target
  CHECK(json.find_last_not_of(" \n") == json.rfind('}'));
}
