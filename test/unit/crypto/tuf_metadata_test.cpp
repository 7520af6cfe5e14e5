#include "crypto/tuf_metadata.hpp"

#include <catch2/catch.hpp>

#include <string>

#include "crypto/public_good_root.hpp"
#include "openssl_signer.hpp"

using namespace signet::crypto;
using namespace signet::crypto::tuf;

namespace {

std::string hex(std::string_view bytes) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(digits[c >> 4]);
    out.push_back(digits[c & 15]);
  }
  return out;
}

UnixTime at(const char* text) { return parse_tuf_time(text).value(); }

// A root: `signed_part` must be in canonical form already (what the signatures are over), `signatures`
// the JSON array.
std::string root_json(const std::string& signed_part, const std::string& signatures) {
  return R"({"signatures":)" + signatures + R"(,"signed":)" + signed_part + "}";
}

std::string canonical_root_signed(const std::string& keys, const std::string& keyids, int threshold) {
  std::string role = R"({"keyids":[)" + keyids + R"(],"threshold":)" + std::to_string(threshold) + "}";
  return R"({"_type":"root","consistent_snapshot":true,"expires":"2100-01-01T00:00:00Z","keys":)" + keys +
         R"(,"roles":{"root":)" + role + R"(,"snapshot":)" + role + R"(,"targets":)" + role + R"(,"timestamp":)" +
         role + R"(},"spec_version":"1.0.31","version":1})";
}

std::string ecdsa_key_json(const signet::test::TestKey& key) {
  std::string pem;
  for (char c : key.public_pem()) {
    if (c == '\n')
      pem += "\\n";
    else
      pem.push_back(c);
  }
  return R"({"keytype":"ecdsa","keyval":{"public":")" + pem + R"("},"scheme":"ecdsa-sha2-nistp256"})";
}

// What TUF signs: the canonical form writes the PEM's line breaks raw (only `"` and `\` are escaped).
std::string signed_bytes(const std::string& signed_part) {
  std::string out;
  for (std::size_t i = 0; i < signed_part.size(); ++i) {
    if (signed_part.compare(i, 2, "\\n") == 0) {
      out.push_back('\n');
      ++i;
    } else {
      out.push_back(signed_part[i]);
    }
  }
  return out;
}

std::string signature(const std::string& keyid, const std::string& sig) {
  return R"({"keyid":")" + keyid + R"(","sig":")" + hex(sig) + R"("})";
}

}  // namespace

TEST_CASE("sigstore's public-good TUF root verifies with its own threshold of root keys", "[crypto][tuf]") {
  auto root = parse_metadata(public_good_tuf_root_json(), Role::Root);
  REQUIRE(root.ok());
  CHECK(root->version >= 14);
  CHECK(root->consistent_snapshot);
  CHECK(root->roles.at(Role::Root).threshold == 3);
  CHECK(check_signatures(*root, Role::Root, *root).ok());
}

TEST_CASE("a public-good root edited after signing no longer verifies", "[crypto][tuf]") {
  std::string edited(public_good_tuf_root_json());
  auto where = edited.find("\"expires\": \"20");
  REQUIRE(where != std::string::npos);
  edited[where + 13] = '3';  // 20xx → 30xx
  auto root = parse_metadata(edited, Role::Root);
  REQUIRE(root.ok());
  auto checked = check_signatures(*root, Role::Root, *root);
  REQUIRE_FALSE(checked.ok());
  CHECK_THAT(checked.error().message, Catch::Contains("is signed by 0 of the 3 root keys"));
}

TEST_CASE("canonical JSON sorts keys, drops whitespace and escapes only quote and backslash", "[crypto][tuf]") {
  // Expected output written by securesystemslib.formats.encode_canonical.
  auto out =
      canonical_json_olpc("{ \"b\": [1, true, null], \"a\": \"x\\\"y\\\\z\\n\\u00e9\", \"c\": {\"z\": 1, \"A\": 2} }");
  REQUIRE(out.ok());
  CHECK(*out == "{\"a\":\"x\\\"y\\\\z\n\xc3\xa9\",\"b\":[1,true,null],\"c\":{\"A\":2,\"z\":1}}");
}

TEST_CASE("canonical JSON refuses fractions and duplicate keys", "[crypto][tuf]") {
  auto fraction = canonical_json_olpc(R"({"a": 1.5})");
  REQUIRE_FALSE(fraction.ok());
  CHECK_THAT(fraction.error().message, Catch::Contains("$.a"));
  auto duplicate = canonical_json_olpc(R"({"a": 1, "a": 2})");
  REQUIRE_FALSE(duplicate.ok());
  CHECK_THAT(duplicate.error().message, Catch::Contains("duplicate key \"a\""));
}

TEST_CASE("metadata of another role, another major spec version or no signatures is refused", "[crypto][tuf]") {
  std::string root(public_good_tuf_root_json());
  auto as_timestamp = parse_metadata(root, Role::Timestamp);
  REQUIRE_FALSE(as_timestamp.ok());
  CHECK_THAT(as_timestamp.error().message, Catch::Contains("_type is \"root\", expected \"timestamp\""));

  auto spec = root;
  spec.replace(spec.find("\"spec_version\": \"1."), 19, "\"spec_version\": \"2.");
  auto v2 = parse_metadata(spec, Role::Root);
  REQUIRE_FALSE(v2.ok());
  CHECK_THAT(v2.error().message, Catch::Contains("TUF specification 1.x"));

  auto garbage = parse_metadata("<html>", Role::Root);
  REQUIRE_FALSE(garbage.ok());
  CHECK_THAT(garbage.error().message, Catch::Contains("root metadata is not JSON"));
}

TEST_CASE("metadata expires at the instant its expires field names", "[crypto][tuf]") {
  auto root = parse_metadata(public_good_tuf_root_json(), Role::Root);
  REQUIRE(root.ok());
  CHECK(check_not_expired(*root, root->expires - std::chrono::seconds(1)).ok());
  auto expired = check_not_expired(*root, root->expires);
  REQUIRE_FALSE(expired.ok());
  CHECK_THAT(expired.error().message, Catch::Contains("root version " + std::to_string(root->version) + " expired at"));
}

TEST_CASE("TUF times are read and written as YYYY-MM-DDTHH:MM:SSZ", "[crypto][tuf]") {
  CHECK(format_tuf_time(at("2026-06-22T13:27:01Z")) == "2026-06-22T13:27:01Z");
  CHECK(at("1970-01-02T00:00:00Z").time_since_epoch().count() == 86400);
  CHECK_FALSE(parse_tuf_time("2026-06-22T13:27:01+00:00").ok());
  CHECK_FALSE(parse_tuf_time("2026-02-30T00:00:00Z").ok());
}

TEST_CASE("a file is checked against every length and hash its metadata lists", "[crypto][tuf]") {
  FileInfo info;
  info.length = 5;
  info.hashes["sha256"] = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";  // sha256("hello")
  CHECK(check_file("hello", info, "greeting").ok());
  auto longer = check_file("hello!", info, "greeting");
  REQUIRE_FALSE(longer.ok());
  CHECK_THAT(longer.error().message, Catch::Contains("greeting: 6 bytes, expected 5"));
  auto other = check_file("jello", info, "greeting");
  REQUIRE_FALSE(other.ok());
  CHECK_THAT(other.error().message, Catch::Contains("sha256 is"));
  info.hashes["md5"] = "5d41402abc4b2a76b9719d911017c592";
  auto unknown = check_file("hello", info, "greeting");
  REQUIRE_FALSE(unknown.ok());
  CHECK_THAT(unknown.error().message, Catch::Contains("unsupported hash algorithm \"md5\""));
}

TEST_CASE("a threshold counts distinct keys, not repeated signatures or one key under two ids", "[crypto][tuf]") {
  auto a = signet::test::TestKey::ec("P-256");
  auto b = signet::test::TestKey::ec("P-256");

  SECTION("the same signature twice counts once") {
    std::string keys = R"({"ka":)" + ecdsa_key_json(a) + R"(,"kb":)" + ecdsa_key_json(b) + "}";
    std::string signed_part = canonical_root_signed(keys, R"("ka","kb")", 2);
    std::string sig = a.sign(signed_bytes(signed_part), "SHA256");
    auto root = parse_metadata(root_json(signed_part, "[" + signature("ka", sig) + "," + signature("ka", sig) + "]"),
                               Role::Root);
    REQUIRE(root.ok());
    auto checked = check_signatures(*root, Role::Root, *root);
    REQUIRE_FALSE(checked.ok());
    CHECK_THAT(checked.error().message, Catch::Contains("signed by 1 of the 2 root keys"));

    std::string sig_b = b.sign(signed_bytes(signed_part), "SHA256");
    auto both = parse_metadata(root_json(signed_part, "[" + signature("ka", sig) + "," + signature("kb", sig_b) + "]"),
                               Role::Root);
    REQUIRE(both.ok());
    CHECK(check_signatures(*both, Role::Root, *both).ok());
  }
  SECTION("one key listed under two ids counts once") {
    std::string keys = R"({"ka":)" + ecdsa_key_json(a) + R"(,"ka2":)" + ecdsa_key_json(a) + "}";
    std::string signed_part = canonical_root_signed(keys, R"("ka","ka2")", 2);
    std::string sig = a.sign(signed_bytes(signed_part), "SHA256");
    auto root = parse_metadata(root_json(signed_part, "[" + signature("ka", sig) + "," + signature("ka2", sig) + "]"),
                               Role::Root);
    REQUIRE(root.ok());
    auto checked = check_signatures(*root, Role::Root, *root);
    REQUIRE_FALSE(checked.ok());
    CHECK_THAT(checked.error().message, Catch::Contains("signed by 1 of the 2 root keys"));
  }
  SECTION("a signature over other bytes does not count") {
    std::string keys = R"({"ka":)" + ecdsa_key_json(a) + "}";
    std::string signed_part = canonical_root_signed(keys, R"("ka")", 1);
    auto root =
        parse_metadata(root_json(signed_part, "[" + signature("ka", a.sign("other", "SHA256")) + "]"), Role::Root);
    REQUIRE(root.ok());
    CHECK_FALSE(check_signatures(*root, Role::Root, *root).ok());
  }
}

TEST_CASE("a root role naming a key the root does not list is refused", "[crypto][tuf]") {
  auto a = signet::test::TestKey::ec("P-256");
  std::string keys = R"({"ka":)" + ecdsa_key_json(a) + "}";
  auto root = parse_metadata(root_json(canonical_root_signed(keys, R"("ka","missing")", 1), "[]"), Role::Root);
  REQUIRE_FALSE(root.ok());
  CHECK_THAT(root.error().message, Catch::Contains("names missing, not in keys"));
}

TEST_CASE("keys of a scheme signet does not know are kept but never verify", "[crypto][tuf]") {
  auto key = Key::parse("sphincs", "sphincs-shake-256", "00");
  REQUIRE(key.ok());
  CHECK(key->scheme() == Key::Scheme::Unsupported);
  CHECK_FALSE(key->verify("message", "signature").ok());
  auto ed = Key::parse("ed25519", "ed25519", "abcd");
  REQUIRE_FALSE(ed.ok());
  CHECK_THAT(ed.error().message, Catch::Contains("32 bytes"));
}
