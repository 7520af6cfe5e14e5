// A RapidJSON DOM value as a json::Value, for code that already parsed a document with RapidJSON (the
// AdmissionReview decoder) and hands part of it to variables and image extractors.
#pragma once

#include <rapidjson/document.h>

#include "policy/jmespath/json_value.hpp"

namespace signet::policy::json {

// The copy of `value`; nesting deeper than `max_depth` is an error.
Result<Value> from_rapidjson(const rapidjson::Value& value, std::size_t max_depth = 512);

}  // namespace signet::policy::json
