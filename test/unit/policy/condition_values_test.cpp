#include <catch2/catch.hpp>

#include <cmath>
#include <string>

#include "policy/conditions/duration.hpp"
#include "policy/conditions/go_values.hpp"
#include "policy/conditions/pattern.hpp"
#include "policy/conditions/quantity.hpp"
#include "policy/conditions/semver.hpp"

using namespace signet::policy;

namespace {

int compare_quantities(const char* a, const char* b) {
  const auto qa = Quantity::parse(a);
  const auto qb = Quantity::parse(b);
  REQUIRE(qa);
  REQUIRE(qb);
  return qa->compare(*qb);
}

int compare_versions(const char* a, const char* b) {
  const auto va = SemanticVersion::parse(a);
  const auto vb = SemanticVersion::parse(b);
  REQUIRE(va);
  REQUIRE(vb);
  return va->compare(*vb);
}

json::Value parse_value(const std::string& text) {
  auto parsed = json::parse(text);
  REQUIRE(parsed.ok());
  return *parsed;
}

}  // namespace

TEST_CASE("quantities compare by exact value across suffixes", "[policy][conditions][quantity]") {
  CHECK(compare_quantities("1Gi", "1024Mi") == 0);
  CHECK(compare_quantities("1Ki", "1024") == 0);
  CHECK(compare_quantities("500m", "0.5") == 0);
  CHECK(compare_quantities("1e3", "1k") == 0);
  CHECK(compare_quantities("1E3", "1k") == 0);
  CHECK(compare_quantities("1e+3", "1000") == 0);
  CHECK(compare_quantities("1.5Gi", "1536Mi") == 0);
  CHECK(compare_quantities("0.5Ki", "512") == 0);
  CHECK(compare_quantities("100M", "100000k") == 0);
  CHECK(compare_quantities("1", "1.") == 0);
  CHECK(compare_quantities("+5", "5") == 0);
  CHECK(compare_quantities("007", "7") == 0);
  CHECK(compare_quantities("1Gi", "1G") > 0);
  CHECK(compare_quantities("1023", "1Ki") < 0);
  CHECK(compare_quantities("-1", "0") < 0);
  CHECK(compare_quantities("-2Gi", "-1Gi") < 0);
  CHECK(compare_quantities("12345678901234567890123", "12345678901234567890122") > 0);
  CHECK(compare_quantities("1e100", "1e99") > 0);
  CHECK(compare_quantities("2e-9", "1n") > 0);
}

TEST_CASE("quantities keep ParseQuantity's rounding, cap and bare-suffix quirks", "[policy][conditions][quantity]") {
  // Below a nano, values round up (away from zero).
  CHECK(compare_quantities("0.1n", "1n") == 0);
  CHECK(compare_quantities("1e-20", "1n") == 0);
  CHECK(compare_quantities("1.0000000001", "1.000000001") == 0);
  CHECK(compare_quantities("-0.1n", "-1n") == 0);
  CHECK(compare_quantities("1.0000000000", "1") == 0);  // only zeros dropped: no rounding
  // Binary quantities are capped at the largest int64; decimal ones are not.
  CHECK(compare_quantities("8Ei", "9223372036854775807") == 0);
  CHECK(compare_quantities("16Ei", "8Ei") == 0);
  CHECK(compare_quantities("-16Ei", "-9223372036854775807") == 0);
  CHECK(compare_quantities("10E", "8Ei") > 0);
  // A suffix or sign without digits is zero, where ParseQuantity's fast path takes it.
  CHECK(compare_quantities("m", "0") == 0);
  CHECK(compare_quantities("Ki", "0") == 0);
  CHECK(compare_quantities("-", "0") == 0);
  CHECK(compare_quantities(".", "0") == 0);
  CHECK(compare_quantities(".5", "500m") == 0);
  CHECK_FALSE(Quantity::parse("Pi"));  // slow path: no digits to read
  CHECK_FALSE(Quantity::parse("e-10"));
}

TEST_CASE("text that is no quantity is refused", "[policy][conditions][quantity]") {
  for (const char* bad : {"", "1Gb", "1K", "1.5.3", "12x", " 1", "1 ", "1e", "1e-", "1Mi5", "abc", "1h", "--1", "1.2.3",
                          "1e99999999999999999999"}) {
    INFO(bad);
    CHECK_FALSE(Quantity::parse(bad));
  }
}

TEST_CASE("durations follow Go's time.ParseDuration", "[policy][conditions][duration]") {
  CHECK(parse_go_duration("1h") == 3600000000000LL);
  CHECK(parse_go_duration("1h30m") == 5400000000000LL);
  CHECK(parse_go_duration("1.5h") == 5400000000000LL);
  CHECK(parse_go_duration("-2m") == -120000000000LL);
  CHECK(parse_go_duration("+3s") == 3000000000LL);
  CHECK(parse_go_duration("300ms") == 300000000LL);
  CHECK(parse_go_duration("2us") == 2000);
  CHECK(parse_go_duration("2\xC2\xB5s") == 2000);  // micro sign
  CHECK(parse_go_duration("2\xCE\xBCs") == 2000);  // Greek mu
  CHECK(parse_go_duration("5ns") == 5);
  CHECK(parse_go_duration(".5s") == 500000000);
  CHECK(parse_go_duration("1.s") == 1000000000);
  CHECK(parse_go_duration("0") == 0);
  CHECK(parse_go_duration("-0") == 0);
  CHECK(parse_go_duration("2562047h47m16.854775807s") == INT64_MAX);
  CHECK(parse_go_duration("-9223372036854775808ns") == INT64_MIN);
  for (const char* bad :
       {"", "5", "1d", "1 h", "h", ".s", "-", "1h-5m", "9223372036854775808ns", "2562048h", "1hour", "1H"}) {
    INFO(bad);
    CHECK_FALSE(parse_go_duration(bad));
  }
}

TEST_CASE("numbers become durations as Go's Duration(x) * Second does", "[policy][conditions][duration]") {
  CHECK(go_seconds_to_duration(60) == 60000000000LL);
  CHECK(go_seconds_to_duration(1.9) == 1000000000LL);
  CHECK(go_seconds_to_duration(-1.9) == -1000000000LL);
  CHECK(go_duration_seconds(1500000000) == 1.5);
  CHECK(go_duration_seconds(-90000000000) == -90.0);
}

TEST_CASE("semantic versions parse strictly and order by precedence", "[policy][conditions][semver]") {
  CHECK(compare_versions("1.2.3", "1.2.0") > 0);
  CHECK(compare_versions("1.10.0", "1.9.9") > 0);
  CHECK(compare_versions("2.0.0", "1.99.99") > 0);
  CHECK(compare_versions("1.0.0-alpha", "1.0.0") < 0);
  CHECK(compare_versions("1.0.0-alpha", "1.0.0-alpha.1") < 0);
  CHECK(compare_versions("1.0.0-alpha.1", "1.0.0-alpha.beta") < 0);
  CHECK(compare_versions("1.0.0-beta.2", "1.0.0-beta.11") < 0);
  CHECK(compare_versions("1.0.0-rc.1", "1.0.0-beta.11") > 0);
  CHECK(compare_versions("1.0.0-x-y", "1.0.0-x") > 0);
  CHECK(compare_versions("1.0.0+build.5", "1.0.0+other") == 0);
  CHECK(compare_versions("0.0.0", "0.0.0") == 0);
  for (const char* bad : {"", "1", "1.2", "v1.2.3", "01.2.3", "1.02.3", "1.2.03", "1.2.3-", "1.2.3-01", "1.2.3+",
                          "1.2.3-a..b", "1.2.3-a_b", "1.2.x", "1..3", "1.2.3.4", " 1.2.3"}) {
    INFO(bad);
    CHECK_FALSE(SemanticVersion::parse(bad));
  }
}

TEST_CASE("numbers print as Go's %v prints a float64", "[policy][conditions][go]") {
  CHECK(go_format_float(3) == "3");
  CHECK(go_format_float(3.14) == "3.14");
  CHECK(go_format_float(-2.5) == "-2.5");
  CHECK(go_format_float(123456) == "123456");
  CHECK(go_format_float(1000000) == "1e+06");
  CHECK(go_format_float(1234567) == "1.234567e+06");
  CHECK(go_format_float(0.0001) == "0.0001");
  CHECK(go_format_float(0.00001) == "1e-05");
  CHECK(go_format_float(1e21) == "1e+21");
  CHECK(go_format_float(1e100) == "1e+100");
  CHECK(go_format_float(0.1 + 0.2) == "0.30000000000000004");
  CHECK(go_format_float(0) == "0");
}

TEST_CASE("values print as fmt.Sprint prints Kyverno's decoded JSON", "[policy][conditions][go]") {
  CHECK(go_sprint(parse_value("1000000")) == "1e+06");
  CHECK(go_sprint_element(parse_value("1000000")) == "1000000");
  CHECK(go_sprint(parse_value(R"("text")")) == "text");
  CHECK(go_sprint(parse_value("true")) == "true");
  CHECK(go_sprint(parse_value("null")) == "<nil>");
  CHECK(go_sprint(parse_value(R"([1, 1.5, "a b", true, null, {"b": 1, "a": [2e6]}])")) ==
        "[1 1.5 a b true <nil> map[a:[2000000] b:1]]");
  CHECK(go_sprint(parse_value("[1e20]")) == "[1e+20]");  // past int64, still a float
}

TEST_CASE("strings parse as numbers as strconv.ParseFloat reads them", "[policy][conditions][go]") {
  CHECK(parse_go_float("42") == 42.0);
  CHECK(parse_go_float("-1.5e3") == -1500.0);
  CHECK(parse_go_float("+.5") == 0.5);
  CHECK(parse_go_float("5.") == 5.0);
  CHECK(parse_go_float("0x1p-2") == 0.25);
  CHECK(parse_go_float("0X1.8P1") == 3.0);
  CHECK(parse_go_float("1e-400") == 0.0);  // underflow is quietly zero
  CHECK(parse_go_float("Inf") == HUGE_VAL);
  CHECK(parse_go_float("-infinity") == -HUGE_VAL);
  const auto nan = parse_go_float("NaN");
  REQUIRE(nan);
  CHECK(std::isnan(*nan));
  for (const char* bad : {"", "1e400", "-1e400", "1_000", "0x10", " 1", "1 ", "1e", ".", "+nan", "1,5", "1k", "0x"}) {
    INFO(bad);
    CHECK_FALSE(parse_go_float(bad));
  }
}

TEST_CASE("a string holding JSON reads as a list of strings only when it is one", "[policy][conditions][go]") {
  CHECK(parse_json_string_list(R"(["a", "b"])") == std::vector<std::string>{"a", "b"});
  CHECK(parse_json_string_list(" [] ") == std::vector<std::string>{});
  CHECK(parse_json_string_list("null") == std::vector<std::string>{});
  CHECK_FALSE(parse_json_string_list(R"(["a", 1])"));
  CHECK_FALSE(parse_json_string_list(R"("a")"));
  CHECK_FALSE(parse_json_string_list("[a]"));
  CHECK(is_valid_json("5"));
  CHECK_FALSE(is_valid_json("default"));
}

TEST_CASE("string patterns read ranges, alternatives and comparisons", "[policy][conditions][pattern]") {
  CHECK(pattern_operator("1-10") == PatternOperator::InRange);
  CHECK(pattern_operator("-5--1") == PatternOperator::InRange);
  CHECK(pattern_operator("100Mi-1Gi") == PatternOperator::InRange);
  CHECK(pattern_operator("1.5-2.5") == PatternOperator::InRange);
  CHECK(pattern_operator("1!-10") == PatternOperator::NotInRange);
  CHECK(pattern_operator(">=5") == PatternOperator::MoreEqual);
  CHECK(pattern_operator("!5") == PatternOperator::NotEqual);
  CHECK(pattern_operator("1h30m-2h") == PatternOperator::Equal);  // one unit per bound
  CHECK(pattern_operator("a-b") == PatternOperator::Equal);
  CHECK(pattern_operator("1-") == PatternOperator::Equal);
  CHECK(pattern_operator("-") == PatternOperator::Equal);

  CHECK(matches_string_pattern("5", "1-10"));
  CHECK(matches_string_pattern("1", "1-10"));
  CHECK_FALSE(matches_string_pattern("11", "1-10"));
  CHECK(matches_string_pattern("512Mi", "100Mi-1Gi"));
  CHECK(matches_string_pattern("90m", "1h-2h"));
  CHECK_FALSE(matches_string_pattern("3h", "1h-2h"));
  CHECK(matches_string_pattern("15", "1!-10"));
  CHECK_FALSE(matches_string_pattern("5", "1!-10"));
  CHECK(matches_string_pattern("abc", "x | a*"));
  CHECK_FALSE(matches_string_pattern("abc", "x | b*"));
  CHECK(matches_string_pattern("7", ">5 & <10"));
  CHECK_FALSE(matches_string_pattern("12", ">5 & <10"));
  CHECK(matches_string_pattern("abc", "!x*"));
  CHECK_FALSE(matches_string_pattern("abc", ">a"));  // plain strings have no order
}
