// Kyverno's custom functions: results as Kyverno gives them, and errors for wrong input.
#include <catch2/catch.hpp>

#include "jmespath_test_support.hpp"

using namespace jmespath_test;
using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;

TEST_CASE("string functions change case, compare, trim, split and replace as Go's strings package",
          "[jmespath][kyverno]") {
  CHECK(text("to_upper('abc-Def')") == R"("ABC-DEF")");
  CHECK(text("to_lower('ABC-Def')") == R"("abc-def")");
  CHECK(text("equal_fold('Signet', 'sIGNET')") == "true");
  CHECK(text("equal_fold('signet', 'signer')") == "false");
  CHECK(text("compare('a', 'b')") == "-1");
  CHECK(text("compare('b', 'b')") == "0");
  CHECK(text("compare('c', 'b')") == "1");
  CHECK(text("trim('--a-b--', '-')") == R"("a-b")");
  CHECK(text("trim_prefix('registry.io/app', 'registry.io/')") == R"("app")");
  CHECK(text("trim_prefix('app', 'registry.io/')") == R"("app")");
  CHECK(text("split('a,b,,c', ',')") == R"(["a","b","","c"])");
  CHECK(text("split('', ',')") == R"([""])");
  CHECK(text("replace('aaaa', 'a', 'b', `2`)") == R"("bbaa")");
  CHECK(text("replace('aaaa', 'a', 'b', `-1`)") == R"("bbbb")");
  CHECK(text("replace_all('a.b.c', '.', '/')") == R"("a/b/c")");
  CHECK(text("truncate('kubernetes', `4`)") == R"("kube")");
  CHECK(text("truncate('kube', `10`)") == R"("kube")");
  CHECK(text("truncate('kube', `-1`)") == R"("")");
  CHECK(text("path_canonicalize('//a/./b/../c/')") == R"("/a/c")");
  CHECK(text("to_boolean('TruE')") == "true");
  CHECK(text("to_boolean('false')") == "false");
  CHECK_THAT(error_of("to_boolean('yes')"), StartsWith("invalid-value: to_boolean()"));
  CHECK_THAT(error_of("to_upper(`1`)"), StartsWith("invalid-type: to_upper()"));
  CHECK_THAT(error_of("split('a')"), StartsWith("invalid-arity: split()"));
}

TEST_CASE("regular expressions follow Go's syntax on RE2, with $1 expansion in replacements", "[jmespath][kyverno]") {
  CHECK(text("regex_match('^v[0-9]+$', 'v12')") == "true");
  CHECK(text("regex_match('^v[0-9]+$', 'v12a')") == "false");
  CHECK(text("regex_match('^1.5$', `1.5`)") == "true");
  CHECK(text("regex_replace_all('([a-z]+)-([0-9]+)', 'app-12 web-3', '$2-$1')") == R"("12-app 3-web")");
  CHECK(text("regex_replace_all('(?P<name>[a-z]+):', 'img:tag', '${name}@')") == R"("img@tag")");
  CHECK(text("regex_replace_all_literal('[0-9]', 'a1b2', '$1')") == R"("a$1b$1")");
  CHECK(text("regex_replace_all('a*', 'baaac', 'X')") == R"("XbXcX")");
  CHECK_THAT(error_of("regex_match('([a-z', 'abc')"),
             StartsWith("invalid-value: regex_match(): invalid regular expression"));
  CHECK_THAT(error_of("regex_replace_all('(', 'abc', 'x')"), StartsWith("invalid-value: regex_replace_all()"));
  // Backreferences are not Go (nor RE2) syntax.
  CHECK_THAT(error_of(R"(regex_match('(a)\1', 'aa'))"), StartsWith("invalid-value"));
}

TEST_CASE("wildcards and labels match as Kyverno's pattern_match and label_match", "[jmespath][kyverno]") {
  CHECK(text("pattern_match('ghcr.io/*', 'ghcr.io/org/app')") == "true");
  CHECK(text("pattern_match('v?', 'v12')") == "false");
  CHECK(text("label_match(`{\"app\": \"web\"}`, `{\"app\": \"web\", \"tier\": \"front\"}`)") == "true");
  CHECK(text("label_match(`{\"app\": \"web\"}`, `{\"app\": \"db\"}`)") == "false");
  CHECK(text("label_match(`{\"app\": \"web\"}`, `{}`)") == "false");
  CHECK_THAT(error_of("label_match('app', `{}`)"), StartsWith("invalid-type: label_match()"));
}

TEST_CASE("base64 and digests encode and decode; bad base64 is an error", "[jmespath][kyverno]") {
  CHECK(text("base64_encode('signet')") == R"("c2lnbmV0")");
  CHECK(text("base64_decode('c2lnbmV0')") == R"("signet")");
  CHECK_THAT(error_of("base64_decode('c2ln*mV0')"), StartsWith("invalid-value: base64_decode()"));
  CHECK(text("sha256('')") == R"("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")");
  CHECK(text("md5('')") == R"("d41d8cd98f00b204e9800998ecf8427e")");
  CHECK(text("sha1('')") == R"("da39a3ee5e6b4b0d3255bfef95601890afd80709")");
}

TEST_CASE("parse_json and parse_yaml turn text into values; bad text is an error", "[jmespath][kyverno]") {
  CHECK(text(R"(parse_json('{"a": [1, true]}').a)") == "[1,true]");
  CHECK_THAT(error_of("parse_json('{')"), StartsWith("invalid-value: parse_json()"));
  CHECK(text("parse_yaml('a: 1\nb: [x, \"2\", yes, ~]')") == R"({"a":1,"b":["x","2",true,null]})");
  CHECK(text("parse_yaml('a:\n  b: c').a.b") == R"("c")");
  CHECK_THAT(error_of("parse_yaml('a: [1, 2')"), StartsWith("invalid-value: parse_yaml()"));
}

TEST_CASE("a YAML alias bomb in parse_yaml runs out of budget instead of memory", "[jmespath][kyverno][hostile]") {
  std::string yaml = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
  for (char c = 'b'; c <= 'l'; ++c) {
    const char prev = static_cast<char>(c - 1);
    yaml += std::string(1, c) + ": &" + c + " [*" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev +
            ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + "]\n";
  }
  auto result = signet::policy::jmespath::search("parse_yaml(@)", Value(yaml));
  REQUIRE_FALSE(result.ok());
  CHECK_THAT(result.error().message, StartsWith("invalid-value"));
}

TEST_CASE("lookup, items and object_from_lists read objects and arrays", "[jmespath][kyverno]") {
  CHECK(text("lookup(`{\"a\": 1}`, 'a')") == "1");
  CHECK(text("lookup(`{\"a\": 1}`, 'b')") == "null");
  CHECK(text("lookup(`[10, 20]`, `1`)") == "20");
  CHECK(text("lookup(`[10, 20]`, `5`)") == "null");
  CHECK_THAT(error_of("lookup(`[10, 20]`, 'a')"), StartsWith("invalid-type: lookup()"));
  CHECK_THAT(error_of("lookup(`[10, 20]`, `1.5`)"), StartsWith("invalid-value: lookup()"));
  CHECK(text("items(`{\"b\": 2, \"a\": 1}`, 'key', 'value')") == R"([{"key":"a","value":1},{"key":"b","value":2}])");
  CHECK(text("items(`[\"x\"]`, 'i', 'v')") == R"([{"i":0,"v":"x"}])");
  CHECK(text("object_from_lists(`[\"a\", \"b\"]`, `[1]`)") == R"({"a":1,"b":null})");
}

TEST_CASE("arithmetic works on numbers and Go durations; mixing them or dividing by zero is an error",
          "[jmespath][kyverno]") {
  CHECK(text("add(`1`, `2`)") == "3");
  CHECK(text("subtract(`1`, `2.5`)") == "-1.5");
  CHECK(text("multiply(`3`, `4`)") == "12");
  CHECK(text("divide(`7`, `2`)") == "3.5");
  CHECK(text("modulo(`7`, `3`)") == "1");
  CHECK(text("round(`3.14159`, `2`)") == "3.14");
  // As in Kyverno, "30m" would be a quantity (30 milli), so durations here avoid bare minutes.
  CHECK(text("add('1h', '90s')") == R"("1h1m30s")");
  CHECK(text("subtract('1h', '5400s')") == R"("-30m0s")");
  CHECK(text("multiply('1m30s', `2`)") == R"("3m0s")");
  CHECK(text("divide('1h', '1800s')") == "2");
  CHECK(text("divide('1s', `4`)") == R"("250ms")");
  CHECK(text("modulo('70s', '60s')") == R"("10s")");
  CHECK(text("sum(['1s', '2s', '500ms'])") == R"("3.5s")");
  CHECK(text("sum(`[1, 2, 3]`)") == "6");
  CHECK_THAT(error_of("add(`1`, '1h')"), StartsWith("invalid-type: add(): types mismatch"));
  CHECK_THAT(error_of("divide(`1`, `0`)"), Contains("Zero divisor"));
  CHECK_THAT(error_of("modulo(`1.5`, `1`)"), Contains("Non-integer"));
  CHECK_THAT(error_of("add('abc', `1`)"), StartsWith("invalid-type: add(): invalid operand"));
  CHECK_THAT(error_of("add('1Gi', '1Gi')"), Contains("quantities"));
}

TEST_CASE("times are RFC 3339, durations Go's, as Kyverno's time functions", "[jmespath][kyverno][time]") {
  CHECK(text("time_after('2024-01-02T00:00:00Z', '2024-01-01T00:00:00Z')") == "true");
  CHECK(text("time_before('2024-01-02T00:00:00Z', '2024-01-01T00:00:00Z')") == "false");
  CHECK(text("time_before('2024-01-01T01:00:00+02:00', '2024-01-01T00:00:00Z')") == "true");
  CHECK(text("time_between('2024-01-02T00:00:00Z', '2024-01-01T00:00:00Z', '2024-01-03T00:00:00Z')") == "true");
  CHECK(text("time_since('', '2024-01-01T00:00:00Z', '2024-01-01T01:30:05Z')") == R"("1h30m5s")");
  CHECK(text("time_since('2006-01-02', '2024-01-01', '2024-01-03')") == R"("48h0m0s")");
  CHECK(text("time_diff('2024-01-01T00:00:00Z', '2024-01-01T00:00:00.5Z')") == R"("500ms")");
  CHECK(text("time_add('2024-01-31T23:00:00Z', '2h')") == R"("2024-02-01T01:00:00Z")");
  CHECK(text("time_add('2024-01-01T00:00:00+05:30', '1h')") == R"("2024-01-01T01:00:00+05:30")");
  CHECK(text("time_utc('2024-01-01T01:00:00+02:00')") == R"("2023-12-31T23:00:00Z")");
  CHECK(text("time_parse('Mon Jan 2 15:04:05 MST 2006', 'Tue Mar 5 07:08:09 UTC 2024')") ==
        R"("2024-03-05T07:08:09Z")");
  CHECK(text("time_parse('1136214245', '1700000000')") == R"("2023-11-14T22:13:20Z")");
  CHECK(text("time_to_cron('2024-03-05T07:08:09Z')") == R"("8 7 5 3 2")");
  CHECK(text("time_truncate('2024-03-05T07:08:09Z', '1h')") == R"("2024-03-05T07:00:00Z")");
  CHECK(eval("time_now_utc()").as_string().ends_with("Z"));
  CHECK(eval("time_after(time_now_utc(), '2020-01-01T00:00:00Z')").as_bool());
  CHECK_THAT(error_of("time_after('yesterday', '2024-01-01T00:00:00Z')"), StartsWith("invalid-value: time_after()"));
  CHECK_THAT(error_of("time_add('2024-01-01T00:00:00Z', '1 hour')"), StartsWith("invalid-value: time_add()"));
  CHECK_THAT(error_of("time_after('2024-02-30T00:00:00Z', '2024-01-01T00:00:00Z')"), Contains("day out of range"));
}

TEST_CASE("semver_compare takes blang/semver ranges; a bad range is an error", "[jmespath][kyverno][semver]") {
  CHECK(text("semver_compare('1.2.3', '>1.0.0 <2.0.0')") == "true");
  CHECK(text("semver_compare('2.0.0', '>1.0.0 <2.0.0')") == "false");
  CHECK(text("semver_compare('1.2.3', '1.2.3')") == "true");
  CHECK(text("semver_compare('1.2.3', '>= 1.2.0')") == "true");
  CHECK(text("semver_compare('3.1.0', '<2.0.0 || >=3.0.0')") == "true");
  CHECK(text("semver_compare('1.5.0', '1.x')") == "true");
  CHECK(text("semver_compare('2.0.0', '1.x')") == "false");
  CHECK(text("semver_compare('1.2.9', '<=1.2.x')") == "true");
  CHECK(text("semver_compare('1.0.0-rc.1', '<1.0.0')") == "true");
  CHECK(text("semver_compare('1.0.0-alpha.2', '>1.0.0-alpha.10')") == "false");
  CHECK(text("semver_compare('1.0.0', '!1.0.0')") == "false");
  // An unparsable version counts as 0.0.0, as in Kyverno.
  CHECK(text("semver_compare('latest', '<0.0.1')") == "true");
  CHECK_THAT(error_of("semver_compare('1.2.3', '>=1.2')"), StartsWith("invalid-value: semver_compare()"));
  CHECK_THAT(error_of("semver_compare('1.2.3', '|| 1.0.0')"), StartsWith("invalid-value: semver_compare()"));
  CHECK_THAT(error_of("semver_compare('1.2.3', '~1.2.3')"), Contains("comparator"));
}

TEST_CASE("Kyverno's functions resolve at compile time: unknown names and wrong arity are compile errors",
          "[jmespath][kyverno]") {
  auto unknown = signet::policy::jmespath::compile("image_digest(@)");
  REQUIRE_FALSE(unknown.ok());
  CHECK_THAT(unknown.error().message, StartsWith("unknown-function: "));
  auto arity = signet::policy::jmespath::compile("time_after('2024-01-01T00:00:00Z')");
  REQUIRE_FALSE(arity.ok());
  CHECK_THAT(arity.error().message, StartsWith("invalid-arity: time_after()"));
}
