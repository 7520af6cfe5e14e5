// The syntax tree of a compiled JMESPath expression (internal to policy/jmespath*).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/result.hpp"
#include "policy/jmespath/json_value.hpp"

namespace signet::policy::jmespath {

struct Function;

struct Node {
  enum class Kind {
    Current,          // @ (also the implicit left side of a projection)
    Field,            // name
    Subexpression,    // children[0].children[1]
    Index,            // [number]
    Slice,            // [start:stop:step]
    Projection,       // list projection: children[1] over each element of children[0]
    ValueProjection,  // object wildcard: children[1] over each value of children[0]
    Flatten,          // children[0] flattened one level
    Filter,           // children[2] over each element of children[0] for which children[1] is truthy
    MultiList,        // [a, b]
    MultiHash,        // {k: a}; keys in `keys`
    Pipe,
    Or,
    And,
    Not,
    Compare,
    Literal,
    FunctionCall,
    ExpressionRef,  // &expr
  };
  enum class Comparator { Equal, NotEqual, Less, LessEqual, Greater, GreaterEqual };

  Kind kind = Kind::Current;
  std::string name;                               // Field
  json::Value value;                              // Literal
  std::int64_t index = 0;                         // Index
  std::optional<std::int64_t> start, stop, step;  // Slice
  Comparator comparator = Comparator::Equal;      // Compare
  const Function* function = nullptr;             // FunctionCall
  std::vector<std::string> keys;                  // MultiHash
  std::vector<std::unique_ptr<Node>> children;
};

}  // namespace signet::policy::jmespath

namespace signet::policy::jmespath {

class Expression {
 public:
  explicit Expression(std::unique_ptr<Node> root) : root_(std::move(root)) {}
  const Node& root() const { return *root_; }

 private:
  std::unique_ptr<Node> root_;
};

// Parses an expression into its tree; function names are resolved and their arity checked here.
// Nesting deeper than kMaxDepth is a syntax error, so hostile input cannot exhaust the stack.
// At most kMaxTerms terms also bounds how deep the values an expression builds can nest.
constexpr std::size_t kMaxDepth = 256;
constexpr std::size_t kMaxTerms = 4096;
Result<std::unique_ptr<Node>> parse(std::string_view expression);

}  // namespace signet::policy::jmespath
