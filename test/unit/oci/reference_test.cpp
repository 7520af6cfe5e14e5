#include <string>

#include <catch2/catch.hpp>

#include "oci/reference.hpp"

using signet::oci::parse_reference;
using signet::oci::Reference;

namespace {

const std::string kHex = "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff";
const std::string kDigest = "sha256:" + kHex;

struct Parsed {
  std::string registry, repository, tag, digest;
};

Reference parsed_reference(const std::string& text) {
  auto ref = parse_reference(text);
  INFO(text << " → " << (ref ? std::string() : ref.error().message));
  REQUIRE(ref.ok());
  return *ref;
}

void check(const std::string& text, const Parsed& expected) {
  const Reference ref = parsed_reference(text);
  INFO(text);
  CHECK(ref.registry == expected.registry);
  CHECK(ref.repository == expected.repository);
  CHECK(ref.tag == expected.tag);
  CHECK(ref.digest == expected.digest);
}

std::string reference_error(const std::string& text) {
  auto ref = parse_reference(text);
  INFO(text << " parsed as " << (ref ? ref->str() : std::string()));
  REQUIRE_FALSE(ref.ok());
  CHECK(ref.error().kind == signet::Error::Kind::Invalid);
  return ref.error().message;
}

}  // namespace

TEST_CASE("familiar Docker Hub names are normalised to docker.io/library with tag latest", "[oci][reference]") {
  check("nginx", {"docker.io", "library/nginx", "latest", ""});
  check("nginx:1.25", {"docker.io", "library/nginx", "1.25", ""});
  check("docker.io/nginx", {"docker.io", "library/nginx", "latest", ""});
  check("docker.io/library/nginx", {"docker.io", "library/nginx", "latest", ""});
  check("library/nginx", {"docker.io", "library/nginx", "latest", ""});
  check("index.docker.io/nginx", {"docker.io", "library/nginx", "latest", ""});
  check("index.docker.io/team/app:v1", {"docker.io", "team/app", "v1", ""});
  check("dmcgowan/myapp", {"docker.io", "dmcgowan/myapp", "latest", ""});
  check("docker.io/library/foo/bar", {"docker.io", "library/foo/bar", "latest", ""});
  check("store/foo/bar", {"docker.io", "store/foo/bar", "latest", ""});
  check("ubuntu-12.04-base", {"docker.io", "library/ubuntu-12.04-base", "latest", ""});
}

TEST_CASE("the first component is a registry only when it looks like a host", "[oci][reference]") {
  check("test_com/foo", {"docker.io", "test_com/foo", "latest", ""});
  check("docker/migrator", {"docker.io", "docker/migrator", "latest", ""});
  check("test.com/foo", {"test.com", "foo", "latest", ""});
  check("test:8080/foo", {"test:8080", "foo", "latest", ""});
  check("test-com:8080/foo", {"test-com:8080", "foo", "latest", ""});
  check("xn--n3h.com:18080/foo", {"xn--n3h.com:18080", "foo", "latest", ""});
  check("localhost/app", {"localhost", "app", "latest", ""});
  check("localhost:5000/team/app:v2", {"localhost:5000", "team/app", "v2", ""});
  check("sub-dom1.foo.com/bar/baz/quux:some-long-tag", {"sub-dom1.foo.com", "bar/baz/quux", "some-long-tag", ""});
  check("b.gcr.io/test.example.com/my-app:test.example.com",
        {"b.gcr.io", "test.example.com/my-app", "test.example.com", ""});
  // An uppercase first component cannot be a namespace, so Docker takes it for a host.
  check("Foo/bar", {"Foo", "bar", "latest", ""});
  // A bare name with a dot is still a Docker Hub repository: the registry needs a path after it.
  check("test.com:5000", {"docker.io", "library/test.com", "5000", ""});
  check("foo_bar.com:8080", {"docker.io", "library/foo_bar.com", "8080", ""});
  check("foo/foo_bar.com:8080", {"docker.io", "foo/foo_bar.com", "8080", ""});
}

TEST_CASE("IPv4 and IPv6 registries keep their ports", "[oci][reference]") {
  check("127.0.0.1:5000/team/app:v1", {"127.0.0.1:5000", "team/app", "v1", ""});
  check("192.168.1.1/repo", {"192.168.1.1", "repo", "latest", ""});
  check("192.168.1.1:5000/repo:5050", {"192.168.1.1:5000", "repo", "5050", ""});
  check("[::1]:5000/repo", {"[::1]:5000", "repo", "latest", ""});
  check("[2001:db8::1]/repo", {"[2001:db8::1]", "repo", "latest", ""});
  check("[2001:db8:1:2:3:4:5:6]/repo:tag", {"[2001:db8:1:2:3:4:5:6]", "repo", "tag", ""});
  check("[2001:db8::1]:5000/repo:tag@" + kDigest, {"[2001:db8::1]:5000", "repo", "tag", kDigest});
}

TEST_CASE("digests are kept, with or without a tag", "[oci][reference]") {
  check("nginx@" + kDigest, {"docker.io", "library/nginx", "", kDigest});
  check("busybox:latest@" + kDigest, {"docker.io", "library/busybox", "latest", kDigest});
  check("test:5000/repo@" + kDigest, {"test:5000", "repo", "", kDigest});
  check("ghcr.io/a/b:v1@sha384:" + std::string(96, 'a'), {"ghcr.io", "a/b", "v1", "sha384:" + std::string(96, 'a')});
  check("ghcr.io/a/b@sha512:" + std::string(128, '0'), {"ghcr.io", "a/b", "", "sha512:" + std::string(128, '0')});
}

TEST_CASE("repository components allow the distribution separators", "[oci][reference]") {
  check("docker-rules/docker", {"docker.io", "docker-rules/docker", "latest", ""});
  check("docker---rules/docker", {"docker.io", "docker---rules/docker", "latest", ""});
  check("dock__er/docker", {"docker.io", "dock__er/docker", "latest", ""});
  check("d/docker", {"docker.io", "d/docker", "latest", ""});
  check("jess/t", {"docker.io", "jess/t", "latest", ""});
  check("team/a.b_c-d", {"docker.io", "team/a.b_c-d", "latest", ""});
  CHECK_THAT(reference_error("a.b_c-d/e"), Catch::Contains("invalid registry host \"a.b_c-d\""));
  // 64 characters that are not all hex are a name, and with a registry even 64 hex digits are.
  check("thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev",
        {"docker.io", "library/thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev", "latest", ""});
  check("docker.io/" + std::string(64, 'a'), {"docker.io", "library/" + std::string(64, 'a'), "latest", ""});
}

TEST_CASE("tags follow the tag grammar", "[oci][reference]") {
  check("app:Uppercase", {"docker.io", "library/app", "Uppercase", ""});
  check("app:_under", {"docker.io", "library/app", "_under", ""});
  check("app:v1.2-rc.3_x", {"docker.io", "library/app", "v1.2-rc.3_x", ""});
  check("app:" + std::string(128, 't'), {"docker.io", "library/app", std::string(128, 't'), ""});
  CHECK_THAT(reference_error("app:" + std::string(129, 't')), Catch::Contains("tag longer than 128"));
  CHECK_THAT(reference_error("app:-dash"), Catch::Contains("invalid tag \"-dash\""));
  CHECK_THAT(reference_error("app:.dot"), Catch::Contains("invalid tag"));
  CHECK_THAT(reference_error("app:v1+build"), Catch::Contains("invalid tag"));
  CHECK_THAT(reference_error("app:"), Catch::Contains("empty tag"));
}

TEST_CASE("malformed digests are refused naming the problem", "[oci][reference]") {
  CHECK_THAT(reference_error("repo@sha256:ffffffffffffffffffffffffffffffffff"),
             Catch::Contains("needs 64 hex digits, not 34"));
  CHECK_THAT(reference_error("validname@invaliddigest:" + kHex),
             Catch::Contains("unsupported algorithm \"invaliddigest\""));
  CHECK_THAT(reference_error("repo@sha256:" + std::string(64, 'F')), Catch::Contains("lowercase hex"));
  CHECK_THAT(reference_error("repo@sha256:" + std::string(63, 'a') + "g"), Catch::Contains("lowercase hex"));
  CHECK_THAT(reference_error("repo@" + kHex), Catch::Contains("expected <algorithm>:<hex>"));
  CHECK_THAT(reference_error("repo@"), Catch::Contains("invalid digest"));
  CHECK_THAT(reference_error("repo@" + kDigest + "@" + kDigest), Catch::Contains("invalid digest"));
}

TEST_CASE("uppercase repository names are refused", "[oci][reference]") {
  CHECK_THAT(reference_error("Uppercase:tag"), Catch::Contains("must be lowercase"));
  CHECK_THAT(reference_error("test:5000/Uppercase/lowercase:tag"), Catch::Contains("must be lowercase"));
  CHECK_THAT(reference_error("docker/Docker"), Catch::Contains("must be lowercase"));
  CHECK_THAT(reference_error("docker.io/docker/Docker"), Catch::Contains("\"docker/Docker\" must be lowercase"));
}

TEST_CASE("malformed names are refused", "[oci][reference]") {
  const char* invalid[] = {
      "https://github.com/docker/docker",
      "-docker",
      "-docker/docker",
      "-docker.io/docker/docker",
      "docker///docker",
      "docker.io/docker///docker",
      "docker-/docker",
      "-docker-/docker",
      "____/____",
      "_docker/_docker",
      "dock..er/docker",
      "dock_.er/docker",
      "dock-.er/docker",
      "dock___er/docker",
      "docker/",
      "aa/asdf$$^/aa",
      "[fc00::1]",
      "[fc00::1]:5000",
      "fc00::1:5000/debian",
      "[fe80::1%eth0]:5000/debian",
      "[2001:db8:3:4::192.0.2.33]:5000/debian",
      "[::1/repo",
      "host:/repo",
      "host:port/repo",
      "host:99999/repo",
      "nginx ",
      " nginx",
      "ngi nx",
      "team/app:v1 extra",
      "a.-b.com/repo",
  };
  for (const char* text : invalid) CHECK_FALSE(reference_error(text).empty());
  CHECK_THAT(reference_error(""), Catch::Contains("empty image reference"));
  CHECK_THAT(reference_error(":justtag"), Catch::Contains("missing repository name"));
  CHECK_THAT(reference_error("@" + kDigest), Catch::Contains("missing repository name"));
  CHECK_THAT(reference_error("host:99999/repo"), Catch::Contains("port out of range"));
  CHECK_THAT(reference_error("[fe80::1%eth0]:5000/debian"), Catch::Contains("no zone"));
}

TEST_CASE("a bare 64-hex-digit string is an image ID, not a name", "[oci][reference]") {
  CHECK_THAT(reference_error("1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a"),
             Catch::Contains("image ID"));
  // 63 hex digits are an ordinary name.
  check("dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9",
        {"docker.io", "library/dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9", "latest", ""});
}

TEST_CASE("repository names longer than 255 characters are refused", "[oci][reference]") {
  std::string name;
  for (int i = 0; i < 127; ++i) name += "a/";
  check(name + "a:tag-puts-this-over-max", {"docker.io", name + "a", "tag-puts-this-over-max", ""});
  CHECK_THAT(reference_error(name + "a/a:tag"), Catch::Contains("longer than 255"));
  // The library/ prefix counts: 250 characters on Docker Hub become 258.
  CHECK_THAT(reference_error(std::string(250, 'a')), Catch::Contains("longer than 255"));
}

TEST_CASE("str gives the canonical form and name what policies match", "[oci][reference]") {
  CHECK(parsed_reference("nginx").str() == "docker.io/library/nginx:latest");
  CHECK(parsed_reference("nginx").name() == "docker.io/library/nginx");
  CHECK(parsed_reference("busybox:1@" + kDigest).str() == "docker.io/library/busybox:1@" + kDigest);
  CHECK(parsed_reference("ghcr.io/a/b@" + kDigest).str() == "ghcr.io/a/b@" + kDigest);
  CHECK(parsed_reference("[::1]:5000/repo:t").str() == "[::1]:5000/repo:t");
  // The canonical form parses back to the same reference.
  for (const char* text : {"nginx", "index.docker.io/a/b:c", "localhost:5000/x:y", "[::1]:5000/r@sha256:"}) {
    const std::string full = std::string(text).ends_with(":") ? std::string(text) + kHex : std::string(text);
    const Reference once = parsed_reference(full);
    CHECK(parsed_reference(once.str()) == once);
  }
}

TEST_CASE("Docker Hub is reached at registry-1.docker.io", "[oci][reference]") {
  CHECK(parsed_reference("nginx").api_host() == "registry-1.docker.io");
  CHECK(parsed_reference("index.docker.io/a/b").api_host() == "registry-1.docker.io");
  CHECK(parsed_reference("ghcr.io/a/b").api_host() == "ghcr.io");
  CHECK(parsed_reference("127.0.0.1:5000/a").api_host() == "127.0.0.1:5000");
}

TEST_CASE("with_digest pins the reference and keeps its tag", "[oci][reference]") {
  const Reference pinned = parsed_reference("ghcr.io/team/app:v1").with_digest(kDigest);
  CHECK(pinned.tag == "v1");
  CHECK(pinned.digest == kDigest);
  CHECK(pinned.str() == "ghcr.io/team/app:v1@" + kDigest);
}

TEST_CASE("digest syntax is checked on its own", "[oci][reference]") {
  CHECK(signet::oci::check_digest_syntax(kDigest).ok());
  CHECK_FALSE(signet::oci::check_digest_syntax("sha256:abc").ok());
  CHECK_FALSE(signet::oci::check_digest_syntax("md5:" + std::string(32, 'a')).ok());
  CHECK_FALSE(signet::oci::check_digest_syntax("").ok());
}
