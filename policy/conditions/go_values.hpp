// How Kyverno's Go code sees a condition's JSON values, where the operators depend on it: the text
// fmt.Sprint makes of a value, strconv.ParseFloat, and json.Unmarshal into a []string.
//
// Kyverno hands the operators a top-level number as float64 but a number inside a list or map as int64
// when it is integral (the policy's JSON goes through Kubernetes' decoder, then the top level alone through
// encoding/json). So 1000000 prints "1e+06" as a key but "1000000" as a list element.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "policy/jmespath/json_value.hpp"

namespace signet::policy {

// fmt.Sprint of a value at the top of a key or value: strings as they are, numbers as Go's %v of a
// float64 ("3", "3.14", "1e+06", "1e-05"), booleans "true"/"false", null "<nil>", lists "[a b]" and
// objects "map[k:v]" (keys sorted).
std::string go_sprint(const json::Value& value);

// fmt.Sprint of an element of a list or object (integral numbers print as integers).
std::string go_sprint_element(const json::Value& value);

// Go's %v of a float64: shortest round-trip digits, exponent form below 1e-4 and from 1e+06.
std::string go_format_float(double value);

// strconv.ParseFloat(text, 64): decimal or hexadecimal floats, "inf"/"infinity"/"nan" in any case;
// nullopt where Go reports an error (syntax, or overflow to infinity).
std::optional<double> parse_go_float(std::string_view text);

// json.Unmarshal(text, &[]string{}): the strings of a JSON array of strings ("null" is the empty list);
// nullopt for invalid JSON or any other shape.
std::optional<std::vector<std::string>> parse_json_string_list(std::string_view text);

// json.Valid(text).
bool is_valid_json(std::string_view text);

}  // namespace signet::policy
