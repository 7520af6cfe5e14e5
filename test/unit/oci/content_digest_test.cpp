#include <catch2/catch.hpp>

#include "oci/content_digest.hpp"

using signet::oci::check_content_digest;
using signet::oci::sha256_digest_of;

TEST_CASE("sha256 digests are the lowercase hex of the content's hash", "[oci][digest]") {
  CHECK(sha256_digest_of("") == "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(sha256_digest_of("abc") == "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_CASE("content matching its digest passes, for every supported algorithm", "[oci][digest]") {
  CHECK(check_content_digest("abc", "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad").ok());
  CHECK(check_content_digest("abc", "sha384:cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7").ok());
  CHECK(check_content_digest("abc", "sha512:ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f").ok());
}

TEST_CASE("content not matching its digest is rejected with both digests", "[oci][digest]") {
  const auto result = check_content_digest("abd", "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().kind == signet::Error::Kind::Invalid);
  CHECK_THAT(result.error().message, Catch::Contains("expected sha256:ba7816bf") && Catch::Contains("got sha256:a52d159f"));
  CHECK_FALSE(check_content_digest("abc", "md5:900150983cd24fb0d6963f7d28e17f72").ok());
  CHECK_FALSE(check_content_digest("abc", "sha256:BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD").ok());
}
