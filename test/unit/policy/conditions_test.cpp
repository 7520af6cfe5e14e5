#include <catch2/catch.hpp>

#include <string>
#include <tuple>

#include "conditions_kyverno_cases.hpp"
#include "policy/conditions/conditions.hpp"

using signet::policy::check_condition;
using signet::policy::Condition;
using signet::policy::ConditionBlock;
using signet::policy::ConditionOperator;
using signet::policy::evaluate_conditions;
using signet::policy::parse_condition_operator;
using signet::policy::to_string;
namespace json = signet::policy::json;

namespace {

json::Value parse_json(const std::string& text) {
  auto parsed = json::parse(text);
  REQUIRE(parsed.ok());
  return *parsed;
}

Condition make(const std::string& key, ConditionOperator op, const std::string& value, std::string message = "") {
  return Condition{parse_json(key), op, parse_json(value), std::move(message)};
}

// Whether `key op value` holds, with key and value written as JSON.
bool holds(const std::string& key, ConditionOperator op, const std::string& value) {
  auto result = check_condition(make(key, op, value));
  REQUIRE(result.ok());
  return *result;
}

using Op = ConditionOperator;
using Row = std::tuple<std::string, std::string, bool>;  // key JSON, value JSON, expected

void check_rows(Op op, std::initializer_list<Row> rows) {
  for (const auto& [key, value, expected] : rows) {
    INFO(key << " " << to_string(op) << " " << value);
    CHECK(holds(key, op, value) == expected);
  }
}

}  // namespace

TEST_CASE("operator names are read as Kyverno's policy validation accepts them", "[policy][conditions]") {
  const Op all[] = {Op::Equals,
                    Op::NotEquals,
                    Op::In,
                    Op::AnyIn,
                    Op::AllIn,
                    Op::NotIn,
                    Op::AnyNotIn,
                    Op::AllNotIn,
                    Op::GreaterThan,
                    Op::GreaterThanOrEquals,
                    Op::LessThan,
                    Op::LessThanOrEquals,
                    Op::DurationGreaterThan,
                    Op::DurationGreaterThanOrEquals,
                    Op::DurationLessThan,
                    Op::DurationLessThanOrEquals};
  for (Op op : all) CHECK(parse_condition_operator(to_string(op)) == op);
  CHECK(std::string(to_string(Op::GreaterThanOrEquals)) == "GreaterThanOrEquals");
  // The deprecated spellings still work and name the current operator.
  CHECK(parse_condition_operator("Equal") == Op::Equals);
  CHECK(parse_condition_operator("NotEqual") == Op::NotEquals);
  // Validation is case-sensitive and knows no other names.
  CHECK_FALSE(parse_condition_operator("equals"));
  CHECK_FALSE(parse_condition_operator("EQUALS"));
  CHECK_FALSE(parse_condition_operator("GreaterThanOrEqual"));
  CHECK_FALSE(parse_condition_operator("Contains"));
  CHECK_FALSE(parse_condition_operator(""));
}

TEST_CASE("every case of Kyverno's end-to-end operator table decides the same", "[policy][conditions][kyverno]") {
  int checked = 0;
  for (const auto& c : signet_test::kKyvernoEvaluateCases) {
    const auto op = parse_condition_operator(c.op);
    REQUIRE(op);
    INFO(c.key << " " << c.op << " " << c.value);
    CHECK(holds(c.key, *op, c.value) == c.holds);
    ++checked;
  }
  CHECK(checked == static_cast<int>(signet_test::kKyvernoEvaluateCases.size()));
}

TEST_CASE("Equals compares by the key's type, with wildcards in the value", "[policy][conditions][equals]") {
  check_rows(Op::Equals, {
                             {"true", "true", true},
                             {"false", "false", true},
                             {"true", "false", false},
                             {"true", R"("true")", false},  // booleans only equal booleans
                             {"42", "42", true},
                             {"42", "43", false},
                             {"42", "42.5", false},
                             {"42", R"("42")", true},  // a number key parses a string value
                             {"42", R"("42.0")", true},
                             {"42", R"("invalid")", false},
                             {"3.14", "3.14", true},
                             {"3.14", "2.71", false},
                             {"3.14", R"("3.14")", true},
                             {"3.14", "true", false},
                             {R"("hello")", R"("hello")", true},
                             {R"("hello")", R"("world")", false},
                             {R"("hello-world")", R"("hello-*")", true},
                             {R"("goodbye-world")", R"("hello-*")", false},
                             {R"("hello-*")", R"("hello-world")", false},  // the wildcard belongs in the value
                             {R"("app1")", R"("app?")", true},
                             {R"("hello")", "123", false},
                             {R"("100Mi")", R"("100Mi")", true},
                             {R"("1Gi")", R"("1024Mi")", true},
                             {R"("100Mi")", R"("200Mi")", false},
                             {R"("1h")", R"("60m")", true},
                             {R"("1h")", R"("30m")", false},
                             {R"("1h")", "3600", true},  // a number beside a duration is seconds
                             {R"({"foo":"bar"})", R"({"foo":"bar"})", true},
                             {R"({"foo":"bar"})", R"({"foo":"baz"})", false},
                             {R"({"foo":"bar"})", R"("not a map")", false},
                             {R"({"a":1,"b":[1,2]})", R"({"b":[1,2],"a":1})", true},  // member order is irrelevant
                             {R"(["a","b","c"])", R"(["a","b","c"])", true},
                             {R"(["a","b","c"])", R"(["a","b","d"])", false},
                             {R"(["a","b","c"])", R"(["a","b"])", false},
                             {R"(["a","b","c"])", R"(["c","b","a"])", false},  // lists are ordered
                             {R"(["a","b","c"])", R"("not a slice")", false},
                             {R"(["a*"])", R"(["abc"])", false},  // no wildcards inside lists
                         });
}

TEST_CASE("Equals keeps Kyverno's asymmetries and quirks", "[policy][conditions][equals]") {
  // A numeric string key is a quantity, which only compares with a string: so "5" does not equal 5,
  // though 5 equals "5".
  CHECK_FALSE(holds(R"("5")", Op::Equals, "5"));
  CHECK(holds("5", Op::Equals, R"("5")"));
  // A quantity key does not fall back to wildcards.
  CHECK_FALSE(holds(R"("123")", Op::Equals, R"("12*")"));
  CHECK(holds(R"("abc")", Op::Equals, R"("ab*")"));
  // "0" is never taken as a duration, and "0s" is no quantity.
  CHECK_FALSE(holds(R"("0")", Op::Equals, R"("0s")"));
  CHECK(holds(R"("0s")", Op::Equals, R"("0m")"));
  // A bare suffix parses as a zero quantity.
  CHECK(holds(R"("m")", Op::Equals, R"("k")"));
  // A null key equals nothing, not even null.
  CHECK_FALSE(holds("null", Op::Equals, "null"));
  CHECK_FALSE(holds("null", Op::Equals, R"("")"));
  // A number beside a duration counts as whole seconds (Go truncates the fraction).
  CHECK(holds(R"("1s")", Op::Equals, "1.9"));
}

TEST_CASE("NotEquals mirrors Equals except where Kyverno's fallbacks differ", "[policy][conditions][equals]") {
  check_rows(Op::NotEquals, {
                                {"true", "false", true},
                                {"true", "true", false},
                                {"true", R"("true")", true},  // a type mismatch is "not equal"
                                {"42", "43", true},
                                {"5", "5.5", true},
                                {"3.14", "2.71", true},
                                {"3.14", R"("abc")", true},
                                {"3.14", "null", true},
                                {R"("hello")", R"("world")", true},
                                {R"("hello-world")", R"("hello-*")", false},
                                {R"("100Mi")", R"("not-a-quantity")", true},
                                {R"("100Mi")", R"("")", true},
                                {R"("1Gi")", R"("1024Mi")", false},
                                {R"("1h")", R"("30m")", true},
                                {R"("1h")", "3600", false},
                                {R"("5")", "5", true},
                                {R"({"foo":"bar"})", R"({"foo":"baz"})", true},
                                {R"({"foo":"bar"})", R"(["foo"])", true},
                                {R"(["a","b"])", R"(["a","c"])", true},
                                {R"(["a","b"])", R"(["a","b"])", false},
                            });
  // A null key is unsupported by both, so NotEquals is false too.
  CHECK_FALSE(holds("null", Op::NotEquals, R"("x")"));
}

TEST_CASE("In and NotIn keep their deprecated semantics", "[policy][conditions][in]") {
  check_rows(Op::In, {
                         {R"("apple")", R"(["apple","banana","cherry"])", true},
                         {R"("grape")", R"(["apple","banana","cherry"])", false},
                         {R"("apple")", "[]", false},
                         {R"("hello")", R"("hello")", true},
                         {R"("hello-world")", R"("hello-*")", true},
                         {R"("goodbye-world")", R"("hello-*")", false},
                         {R"("apple")", R"("[\"apple\", \"banana\"]")", true},  // a JSON list inside a string
                         {R"("grape")", R"("[\"apple\", \"banana\"]")", false},
                         {"42", R"(["42","43","44"])", true},
                         {"99", R"(["42","43","44"])", false},
                         {"3.14", R"(["3.14","2.71"])", true},
                         {"true", R"(["true","false"])", true},
                         {R"("hello-world")", R"(["hello-*","goodbye"])", true},  // wildcards either way
                         {R"("hello-*")", R"(["hello-world","goodbye"])", true},
                         {R"(["apple","banana"])", R"(["apple","banana","cherry"])", true},
                         {R"(["apple","grape"])", R"(["apple","banana","cherry"])", false},
                         {R"(["apple","banana"])", R"("[\"apple\", \"banana\", \"cherry\"]")", true},
                         {R"(["test"])", R"("test")", true},
                         {R"(["other"])", R"("test")", false},
                         {R"(["a*"])", R"(["abc"])", false},    // a list key matches exactly
                         {R"(["a"])", R"(["a", 123])", false},  // a non-string value element is invalid
                         {"[]", R"(["a"])", true},              // the empty set is in anything
                         {R"({"foo":"bar"})", R"(["a","b"])", false},
                         {R"("apple")", "12345", false},
                         {R"("a")", R"("not-valid-json")", false},
                         {"null", R"(["a"])", false},
                     });
  check_rows(Op::NotIn, {
                            {R"("grape")", R"(["apple","banana"])", true},
                            {R"("apple")", R"(["apple","banana"])", false},
                            {R"("kube-system")", R"(["kube-*"])", false},
                            {R"(["a","d"])", R"(["a","b","c"])", true},
                            {R"(["a","b"])", R"(["a","b","c"])", false},
                            {"[]", R"(["a"])", false},
                            {R"(["a"])", "[]", true},
                            // Kyverno's quirks: an unreadable value is false for NotIn too, and a single-key
                            // list equal to the string value counts as "not in".
                            {R"("a")", R"("b")", false},
                            {R"("a")", "12345", false},
                            {R"(["a"])", R"("a")", true},
                        });
}

TEST_CASE("In with a list key of non-strings is an error, as Kyverno fails on it", "[policy][conditions][in]") {
  for (Op op : {Op::In, Op::NotIn}) {
    auto result = check_condition(make("[1, 2]", op, R"(["1", "2"])"));
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().kind == signet::Error::Kind::Invalid);
    CHECK_THAT(result.error().message, Catch::Contains(to_string(op)) && Catch::Contains("element 0") &&
                                           Catch::Contains("number 1") && Catch::Contains("AnyIn"));
  }
  // The newer operators read such lists.
  CHECK(holds("[1, 2]", Op::AllIn, R"(["1", "2"])"));
}

TEST_CASE("AnyIn and AllIn take scalars or lists on either side, with wildcards", "[policy][conditions][in]") {
  check_rows(Op::AnyIn, {
                            {R"("kyverno")", R"("kyverno")", true},
                            {R"("kube-system")", R"(["default","kube-*"])", true},
                            {R"("kyverno")", R"("default")", false},
                            {"64", R"("64")", true},
                            {"1", "[1,2,3]", true},
                            {"2.2", "[1.1,2.2,3.3]", true},
                            {R"(["kube-system","default"])", R"("kube-*")", true},
                            {R"(["default","kyverno"])", R"("kube-*")", false},
                            {"[1,2,3]", "2", true},  // a scalar number value
                            {"[1,2,3]", "4", false},
                            {"[true,false]", "true", true},
                            {R"(["default","kyverno"])", R"(["kube-*","ky*"])", true},
                            {"[]", R"(["a"])", false},
                            {R"("")", R"(["default","kyverno"])", false},
                            {R"(["a","b"])", R"("[\"b\"]")", true},
                            {R"(["a","b"])", R"("5")", false},  // valid JSON, not a list of strings
                            {R"("a")", "null", false},
                            {"null", R"(["a"])", false},
                            {R"({"a":1})", R"(["a"])", false},
                        });
  check_rows(Op::AllIn, {
                            {R"("kube-system")", R"(["default","kube-*"])", true},
                            {R"(["kube-system","kube-public"])", R"("kube-*")", true},
                            {R"(["kube-system","default"])", R"("kube-*")", false},
                            {R"(["default","kyverno"])", R"(["kube-*","ky*"])", false},
                            {R"(["default","kyverno"])", R"(["d*","ky*"])", true},
                            {"[]", R"(["a"])", true},
                            {"[1,2]", "1", false},  // AllIn takes no scalar number value with a list key
                            {"[1]", R"(["1"])", true},
                        });
}

TEST_CASE("AnyNotIn and AllNotIn match Kyverno's tables", "[policy][conditions][in]") {
  check_rows(Op::AnyNotIn, {
                               {R"("kyverno")", R"("kyverno")", false},
                               {R"("kube-system")", R"(["default","kube-*"])", false},
                               {R"("kyverno")", R"("default")", true},
                               {"64", R"("64")", false},
                               {"1", "[1,2,3]", false},
                               {"64", R"("default")", true},
                               {"3.14", R"("3.14")", false},
                               {"2.2", "[1.1,2.2,3.3]", false},
                               {"3.14", R"("default")", true},
                               {"true", "true", false},
                               {R"(["kube-system","kube-public"])", R"("kube-*")", false},
                               {R"(["kube-system","default"])", R"("kube-system")", true},
                               {R"(["default","kyverno"])", R"("kube-*")", true},
                               {"[1,2,3]", "2", true},
                               {"[1,2,3]", "4", true},
                               {"[1.1,2.2,3.3]", "1.1", true},
                               {"[1.1,2.2,3.3]", "4.4", true},
                               {"[true,false]", "true", true},
                               {"[true]", "false", true},
                               {R"(["default","kyverno"])", R"(["kube-*","kube-system"])", true},
                               {R"(["default","kyverno"])", R"(["kube-*","ky*"])", true},
                               {"[]", R"(["default","kyverno"])", false},
                               {R"("")", R"(["default","kyverno"])", true},
                               {R"(["a"])", R"("a")", false},
                           });
  check_rows(Op::AllNotIn, {
                               {R"("kyverno")", R"("kyverno")", false},
                               {R"("kube-system")", R"(["default","kube-*"])", false},
                               {R"("kyverno")", R"("default")", true},
                               {"64", R"("64")", false},
                               {"64", R"("default")", true},
                               {R"(["kube-system","kube-public"])", R"("kube-*")", false},
                               {R"(["kube-system","default"])", R"("kube-system")", false},
                               {R"(["default","kyverno"])", R"("kube-*")", true},
                               {R"(["default","kyverno"])", R"(["kube-*","kube-system"])", true},
                               {R"(["default","kyverno"])", R"(["kube-*","ky*"])", false},
                               {"[]", R"(["a"])", true},
                               {"[1]", "1", false},  // no scalar value with a list key
                           });
}

TEST_CASE("the Any/All operators read a string value shaped as a range", "[policy][conditions][range]") {
  check_rows(Op::AnyIn, {
                            {"5", R"("1-10")", true},
                            {"11", R"("1-10")", false},
                            {R"("10")", R"("1-10")", true},  // bounds are inclusive
                            {R"(["11","5"])", R"("1-10")", true},
                            {R"(["11","12"])", R"("1-10")", false},
                            {R"("512Mi")", R"("100Mi-1Gi")", true},  // quantities
                            {R"("2Gi")", R"("100Mi-1Gi")", false},
                            {R"("90m")", R"("1h-2h")", true},  // durations
                            {"-3", R"("-5-0")", true},
                            {R"("1.5")", R"("1.2-1.8")", true},
                            {R"("abc")", R"("1-10")", false},
                            {"5", R"("1!-10")", false},  // "!-" is no range for AnyIn: compared as text
                            {R"("1!-10")", R"("1!-10")", true},
                        });
  check_rows(Op::AllIn, {
                            {R"(["1","5","10"])", R"("1-10")", true},
                            {R"(["1","11"])", R"("1-10")", false},
                            {"7", R"("1-10")", true},
                        });
  check_rows(Op::AnyNotIn, {
                               {R"(["5","11"])", R"("1-10")", true},
                               {R"(["5","6"])", R"("1-10")", false},
                               {"5", R"("1-10")", false},
                               {"11", R"("1-10")", true},
                           });
  check_rows(Op::AllNotIn, {
                               {R"(["11","12"])", R"("1-10")", true},
                               {R"(["11","5"])", R"("1-10")", false},
                               {"0", R"("1-10")", true},
                           });
}

TEST_CASE("membership compares numbers by the text Go prints for them", "[policy][conditions][in]") {
  // A scalar number key prints as Go's float64, a number inside a list as an integer: Kyverno's own
  // mismatch for large numbers is kept.
  CHECK(holds("1000000", Op::AnyIn, R"(["1e+06"])"));
  CHECK_FALSE(holds("1000000", Op::AnyIn, "[1000000]"));
  CHECK(holds("[1000000]", Op::AnyIn, R"(["1000000"])"));
  CHECK(holds("100000", Op::AnyIn, "[100000]"));
  CHECK(holds("[1.5]", Op::AllIn, R"(["1.5"])"));
  CHECK(holds(R"([null])", Op::AnyIn, R"(["<nil>"])"));
  CHECK(holds(R"([{"b":1,"a":"x"}])", Op::AnyIn, R"(["map[a:x b:1]"])"));
}

TEST_CASE("ordering operators compare numbers, quantities, durations and versions", "[policy][conditions][numeric]") {
  check_rows(Op::GreaterThan, {
                                  {"10", "5", true},
                                  {"5", "10", false},
                                  {"5", "5", false},
                                  {"10.5", "10.4", true},
                                  {R"("100")", "50", true},
                                  {R"("1.2.3")", R"("1.2.2")", true},
                                  {R"("1.2.3")", R"("1.2.0")", true},
                                  {R"("1.10.0")", R"("1.9.0")", true},  // numeric, not textual
                                  {R"("1.0.0")", R"("1.0.0-rc.1")", true},
                                  {R"("1.2.3")", R"("1.2")", false},  // both must be versions
                                  {R"("v1.2.3")", R"("1.2.0")", false},
                                  {R"("200Mi")", R"("100Mi")", true},
                                  {R"("1Gi")", R"("1000Mi")", true},
                                  {"true", "5", false},
                                  {R"("not-a-number")", "5", false},
                                  {"null", "5", false},
                                  {R"(["10"])", "5", false},
                                  {"5", "null", false},
                                  {R"("2h")", "3600", true},  // seconds beside a duration
                                  {"3600", R"("30m")", true},
                                  {R"("5")", R"("1h")", false},  // "5" becomes 5 seconds
                                  {"1024", R"("1Ki")", false},   // a number key does not read quantities
                                  {R"("1024")", R"("1Ki")", false},
                                  {R"("1025")", R"("1Ki")", true},
                              });
  check_rows(Op::GreaterThanOrEquals, {
                                          {"10", "10", true},
                                          {R"("1.2.0")", R"("1.2.0")", true},
                                          {R"("500m")", R"("0.5")", true},
                                          {R"("1.2.0+build.1")", R"("1.2.0")", true},  // build metadata ignored
                                          {R"("0")", R"("1h")", false},
                                      });
  check_rows(Op::LessThan, {
                               {"5", "10", true},
                               {"10.4", "10.5", true},
                               {R"("50")", R"("100")", true},
                               {R"("1.1.0")", R"("1.2.0")", true},
                               {R"("1.0.0-alpha")", R"("1.0.0-alpha.1")", true},
                               {R"("1.0.0-2")", R"("1.0.0-11")", true},
                               {R"("1.0.0-11")", R"("1.0.0-alpha")", true},
                               {R"("1Gi")", R"("2Gi")", true},
                               {R"("-1")", R"("0")", true},
                           });
  check_rows(Op::LessThanOrEquals, {
                                       {"5", "5", true},
                                       {R"("1h")", R"("60m")", true},
                                       {R"("1Gi")", R"("1024Mi")", true},
                                   });
}

TEST_CASE("Duration operators read durations and seconds, and nothing else", "[policy][conditions][duration]") {
  check_rows(Op::DurationGreaterThan,
             {
                 {R"("2h")", R"("1h")", true},  {R"("1h")", R"("2h")", false},
                 {R"("1h")", R"("1h")", false}, {R"("60m")", R"("1h")", false},
                 {R"("61m")", R"("1h")", true}, {"120", "60", true},
                 {"60", "120", false},          {"3600", "1800", true},
                 {"120", R"("1m")", true},      {"120.5", "60.5", true},
                 {"120.5", "60", true},         {"120", R"("1m")", true},
                 {"true", "false", false},      {R"("2m")", "60", true},
                 {R"("invalid")", "60", false}, {R"("1h")", R"("invalid")", false},
                 {R"("1h")", "true", false},    {"120", R"("invalid")", false},
                 {"120", "true", false},        {R"("1s")", R"("0")", true},  // "0" is a duration here
                 {"1.9", "1", false},                                         // fractions of seconds are dropped
             });
  check_rows(Op::DurationGreaterThanOrEquals, {
                                                  {R"("2h")", R"("1h")", true},
                                                  {R"("1h")", R"("60m")", true},
                                                  {R"("30m")", R"("1h")", false},
                                                  {"60", "60", true},
                                              });
  check_rows(Op::DurationLessThan, {
                                       {R"("30m")", R"("1h")", true},
                                       {R"("2h")", R"("1h")", false},
                                       {R"("1h")", R"("60m")", false},
                                       {"30", "60", true},
                                       {R"("1h")", R"("1d")", false},  // no day unit in Go
                                   });
  check_rows(Op::DurationLessThanOrEquals, {
                                               {R"("30m")", R"("1h")", true},
                                               {R"("1h")", R"("60m")", true},
                                               {R"("2h")", R"("1h")", false},
                                               {"60", "60", true},
                                           });
}

TEST_CASE("bad quantities and durations make a condition false, not an error", "[policy][conditions]") {
  for (Op op : {Op::Equals, Op::GreaterThan, Op::LessThan, Op::DurationLessThan}) {
    auto result = check_condition(make(R"("1Gi")", op, R"("1Gb")"));
    REQUIRE(result.ok());
    CHECK_FALSE(*result);
    result = check_condition(make(R"("1h")", op, R"("1hour")"));
    REQUIRE(result.ok());
    CHECK_FALSE(*result);
  }
}

TEST_CASE("an all block passes only when every condition holds", "[policy][conditions][evaluate]") {
  ConditionBlock block;
  block.all = {make(R"("pod")", Op::Equals, R"("pod")"), make(R"("ns")", Op::Equals, R"("wrong-ns")")};
  auto outcome = evaluate_conditions(block);
  REQUIRE(outcome.ok());
  CHECK_FALSE(outcome->passed);
  CHECK(outcome->reason == R"("ns" Equals "wrong-ns")");

  block.all[1] = make(R"("ns")", Op::Equals, R"("n*")");
  outcome = evaluate_conditions(block);
  REQUIRE(outcome.ok());
  CHECK(outcome->passed);
  CHECK(outcome->reason.empty());
}

TEST_CASE("an any block passes when one condition holds and otherwise names them all",
          "[policy][conditions][evaluate]") {
  ConditionBlock block;
  block.any = {make(R"("test-pod")", Op::Equals, R"("wrong-name")"),
               make(R"("test-namespace")", Op::Equals, R"("wrong-namespace")")};
  auto outcome = evaluate_conditions(block);
  REQUIRE(outcome.ok());
  CHECK_FALSE(outcome->passed);
  CHECK(outcome->reason == R"("test-pod" Equals "wrong-name"; "test-namespace" Equals "wrong-namespace")");

  block.any[1] = make(R"("test-namespace")", Op::Equals, R"("test-*")");
  outcome = evaluate_conditions(block);
  REQUIRE(outcome.ok());
  CHECK(outcome->passed);
}

TEST_CASE("an empty block passes", "[policy][conditions][evaluate]") {
  auto outcome = evaluate_conditions(ConditionBlock{});
  REQUIRE(outcome.ok());
  CHECK(outcome->passed);
}

TEST_CASE("reasons use each condition's message, as in Kyverno's message test", "[policy][conditions][evaluate]") {
  // Kyverno's own scenario: a resource named "temp" whose spec.foo is "bar".
  auto name_is = [](const char* v) { return make(R"("temp")", Op::Equals, v, "invalid name"); };
  auto foo_is = [](const char* v, const char* message) { return make(R"("bar")", Op::Equals, v, message); };

  ConditionBlock block;
  block.any = {name_is(R"("temp2")"), foo_is(R"("bar2")", "invalid foo")};
  auto outcome = evaluate_conditions(block);
  REQUIRE(outcome.ok());
  CHECK_FALSE(outcome->passed);
  CHECK(outcome->reason == "invalid name; invalid foo");

  block.any = {name_is(R"("temp")"), foo_is(R"("bar")", "invalid foo")};
  block.all = {name_is(R"("temp")"), foo_is(R"("bar2")", "invalid foo")};
  outcome = evaluate_conditions(block);
  REQUIRE(outcome.ok());
  CHECK_FALSE(outcome->passed);
  CHECK(outcome->reason == "invalid foo");  // the any block held, so only the failing all condition

  block.any = {name_is(R"("temp1")"), foo_is(R"("bar2")", "invalid foo")};
  block.all = {name_is(R"("temp")"), foo_is(R"("bar2")", "invalid foo2")};
  outcome = evaluate_conditions(block);
  REQUIRE(outcome.ok());
  CHECK_FALSE(outcome->passed);
  CHECK(outcome->reason == "invalid name; invalid foo; invalid foo2");
}

TEST_CASE("a reason shows the values found, shortened when long", "[policy][conditions][evaluate]") {
  std::string long_list = "[";
  for (int i = 0; i < 60; ++i) long_list += (i ? ",\"" : "\"") + std::to_string(i) + "\"";
  long_list += "]";
  ConditionBlock block;
  block.all = {make(long_list, Op::AllIn, R"(["1"])")};
  auto outcome = evaluate_conditions(block);
  REQUIRE(outcome.ok());
  CHECK_FALSE(outcome->passed);
  CHECK_THAT(outcome->reason, Catch::StartsWith(R"(["0","1","2")") && Catch::EndsWith(R"(... AllIn ["1"])"));
  CHECK(outcome->reason.size() < 120);

  // A multi-byte character at the cut is not split.
  block.all = {make("\"" + std::string(120, 'x').replace(95, 2, "\xC3\xA9") + "\"", Op::Equals, R"("y")")};
  outcome = evaluate_conditions(block);
  REQUIRE(outcome.ok());
  CHECK_THAT(outcome->reason, Catch::Contains("x...") && !Catch::Contains("\xC3..."));
}

TEST_CASE("an error in a condition stops the evaluation and names the condition", "[policy][conditions][evaluate]") {
  ConditionBlock block;
  block.any = {make(R"("a")", Op::Equals, R"("a")")};
  block.all = {make(R"("a")", Op::Equals, R"("a")"), make("[1]", Op::In, R"(["1"])")};
  auto outcome = evaluate_conditions(block);
  REQUIRE_FALSE(outcome.ok());
  CHECK_THAT(outcome.error().message, Catch::StartsWith("condition all[1]: operator In"));

  block.all.clear();
  block.any = {make(R"("a")", Op::Equals, R"("b")"), make("[true]", Op::NotIn, R"(["true"])")};
  outcome = evaluate_conditions(block);
  REQUIRE_FALSE(outcome.ok());
  CHECK_THAT(outcome.error().message, Catch::StartsWith("condition any[1]: operator NotIn"));
}
