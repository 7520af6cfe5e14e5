#include <catch2/catch.hpp>

#include "policy/jmespath/wildcard.hpp"

using signet::policy::has_wildcard;
using signet::policy::wildcard_match;
using signet::policy::wildcard_match_any;

TEST_CASE("a star matches any run of characters, also across slashes and also none", "[policy][wildcard]") {
  CHECK(wildcard_match("*", "ghcr.io/org/app:v1"));
  CHECK(wildcard_match("*", ""));
  CHECK(wildcard_match("ghcr.io/org/*", "ghcr.io/org/app:v1"));
  CHECK(wildcard_match("ghcr.io/org/*", "ghcr.io/org/team/app@sha256:abc"));
  CHECK(wildcard_match("ghcr.io/org/*", "ghcr.io/org/"));
  CHECK(wildcard_match("my-bucket/In*/Ka*/Ban", "my-bucket/India/Karnataka/Ban"));
  CHECK_FALSE(wildcard_match("ghcr.io/org/*", "ghcr.io/other/app:v1"));
  CHECK_FALSE(wildcard_match("my-bucket/In*", "my-bucket/Karnataka/India/"));
}

TEST_CASE("a question mark matches exactly one character", "[policy][wildcard]") {
  CHECK(wildcard_match("my-bucket?/abc*", "my-bucket1/abc"));
  CHECK(wildcard_match("my-bucket?abc*", "my-bucket/abc"));
  CHECK_FALSE(wildcard_match("my-bucket?/abc*", "mybucket/abc"));
  CHECK_FALSE(wildcard_match("my??bucket", "mybucket"));
  CHECK_FALSE(wildcard_match("app?", "app"));
  CHECK(wildcard_match("caf?", "café"));  // one character, two bytes
}

TEST_CASE("without wildcards a pattern matches only itself, case-sensitively", "[policy][wildcard]") {
  CHECK(wildcard_match("s3:ListBucket", "s3:ListBucket"));
  CHECK_FALSE(wildcard_match("s3:ListBucket", "s3:ListBucketMultipartUploads"));
  CHECK_FALSE(wildcard_match("s3:ListBucketMultipartUploads", "s3:ListBucket"));
  CHECK_FALSE(wildcard_match("Pod", "pod"));
  CHECK(wildcard_match("", ""));
  CHECK_FALSE(wildcard_match("", "default"));
}

TEST_CASE("backtracking finds a match after a false start", "[policy][wildcard]") {
  CHECK(wildcard_match("*a*b", "aaab"));
  CHECK(wildcard_match("*abc", "ababc"));
  CHECK_FALSE(wildcard_match("*abc", "ababd"));
  CHECK(wildcard_match("a*b*c", "a-b-b-c"));
  // A long hostile input finishes quickly.
  CHECK_FALSE(wildcard_match("*a*a*a*a*a*a*a*a*b", std::string(5000, 'a')));
}

TEST_CASE("any of several patterns may match", "[policy][wildcard]") {
  CHECK(wildcard_match_any({"kube-*", "default"}, "default"));
  CHECK(wildcard_match_any({"kube-*", "default"}, "kube-system"));
  CHECK_FALSE(wildcard_match_any({"kube-*", "default"}, "team-a"));
  CHECK_FALSE(wildcard_match_any({}, "anything"));
  CHECK(has_wildcard("app-*"));
  CHECK(has_wildcard("app-?"));
  CHECK_FALSE(has_wildcard("app"));
}
