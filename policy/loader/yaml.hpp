// Reading a YAML document against a schema, the way the Kubernetes API server reads a Kyverno policy:
// field paths, 1-based lines, the JSON type each field must have, unknown and duplicated fields. The
// first problem refuses the policy; yaml-cpp's exceptions never pass this layer.
#pragma once

#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "crypto/result.hpp"
#include "policy/jmespath/json_value.hpp"

namespace signet::policy::loader {

// The {{ }} variables of fields resolved while a policy loads (attestors): a Field given these
// substitutes the scalars it reads, and its refusals say where a substituted value came from.
class LoadVariables {
 public:
  virtual ~LoadVariables() = default;
  // `text` with its variables substituted; an error names the variable and why it has no value.
  virtual Result<json::Value> substitute(const std::string& text) const = 0;
  // Where the values of `text`'s variables came from: "{{ keys.data.prod }}: ConfigMap default/keys".
  virtual std::string origin(const std::string& text) const = 0;
};

// Why a document cannot be honoured, and where.
struct FieldProblem {
  std::string field_path;  // "spec.rules[0].verifyImages[0].attestors"
  int line = 0;            // 1-based line in the file; 0 when unknown
  std::string message;
};

// Keeps the first problem of a document. Later ones are often consequences of the first, and the
// policy is refused whole anyway.
class Problems {
 public:
  void report(FieldProblem problem);
  bool any() const { return first_.has_value(); }
  const std::optional<FieldProblem>& first() const { return first_; }

 private:
  std::optional<FieldProblem> first_;
};

// How signet treats a field Kyverno's schema knows.
enum class Support {
  Honoured,                // read and acted on by the caller
  Inert,                   // accepted; it changes nothing signet does (background, reportProperties, …)
  Unsupported,             // refused whenever present
  UnsupportedUnlessEmpty,  // refused unless null, empty, "" or false
};

struct FieldSpec {
  std::string_view name;
  Support support = Support::Honoured;
  std::string_view detail = {};  // for unsupported fields: what the field does, for the message
};

// A node at a field path. Absent and null fields read as not present, as Kubernetes treats them.
class Field {
 public:
  // The root of a document whose first line is `line_offset` lines into its file.
  static Field root(const YAML::Node& node, int line_offset, Problems& problems);

  const std::string& path() const { return path_; }
  int line() const { return line_; }
  bool present() const;  // defined and not null
  bool is_map() const;
  bool is_sequence() const;
  bool is_scalar() const;
  const YAML::Node& node() const { return node_; }

  // This field, whose string and integer reads (its own and its children's) substitute variables.
  Field with_variables(const LoadVariables& variables) const;

  // The child `key` of a map (not present when absent or when this is not a map).
  Field operator[](std::string_view key) const;
  // The items of a sequence; reports "expected a list" when present and not a sequence.
  std::vector<Field> items() const;
  // The (key, value) pairs of a map, keys checked to be strings; reports "expected an object".
  std::vector<std::pair<std::string, Field>> entries() const;

  // Reports "expected an object" when present and not a map; true when it is a map.
  bool expect_map() const;
  // Checks this map's keys: unknown, duplicated and unsupported ones are reported. True when none was.
  bool check_fields(std::initializer_list<FieldSpec> known) const;

  // Typed reads; each reports a wrong type naming the expected one, and returns the fallback then.
  std::string string(std::string fallback = {}) const;
  bool boolean(bool fallback) const;
  std::optional<long long> integer() const;
  std::vector<std::string> strings() const;               // a list of strings
  std::map<std::string, std::string> string_map() const;  // an object of string values

  // The field's value as JSON (scalars typed as Kubernetes' YAML decoder types them); null when absent.
  json::Value to_json() const;

  // Absent, null, "", false, an empty list or an empty object.
  bool empty_value() const;

  // Reports a problem at this field.
  void refuse(std::string message) const;
  // Reports "<name> is not supported by signet yet", `name` qualified by its parent field.
  void unsupported(std::string_view detail = {}) const;
  // The field as a message names it: "keys.kms" (parent and key), or the key alone under a list item.
  std::string display_name() const;

  Problems& problems() const { return *problems_; }

 private:
  Field(YAML::Node node, std::string path, std::string key, std::string parent_key, int line, int line_offset,
        Problems& problems);
  int node_line(const YAML::Node& node, int fallback) const;
  Field child(const YAML::Node& value, std::string key, int line) const;
  std::string describe_scalar() const;
  bool substitutes() const;                        // a scalar holding variables, read with LoadVariables
  std::optional<std::string> substituted() const;  // its text once substituted; nullopt after a refusal

  YAML::Node node_;
  std::string path_;
  std::string key_;         // "" for list items and the root
  std::string parent_key_;  // the key of the enclosing field, "" when it is a list item
  int line_ = 0;
  int line_offset_ = 0;
  Problems* problems_;
  const LoadVariables* variables_ = nullptr;
};

// What a plain (unquoted) YAML scalar means in YAML 1.1, as Kubernetes' YAML decoder reads it.
enum class ScalarKind { Null, Bool, Int, Float, String };
ScalarKind plain_scalar_kind(std::string_view text);

}  // namespace signet::policy::loader
