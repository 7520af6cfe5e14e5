// JMESPath functions: their signatures (checked before a call: "invalid-arity", "invalid-type") and the
// table a name resolves in. The standard functions live in functions.cpp, Kyverno's in kyverno_*.cpp
// (kyverno_functions.cpp joins their families) and kyverno_time.cpp.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/result.hpp"
#include "policy/jmespath/json_value.hpp"

namespace signet::policy::jmespath {

struct Node;

// Parameter types, combined with |.
enum ArgType : unsigned {
  kNull = 1u << 0,
  kBoolean = 1u << 1,
  kNumber = 1u << 2,
  kString = 1u << 3,
  kArray = 1u << 4,
  kObject = 1u << 5,
  kExpref = 1u << 6,
  kArrayNumber = 1u << 7,  // an array whose elements are all numbers
  kArrayString = 1u << 8,  // an array whose elements are all strings
  kAny = kNull | kBoolean | kNumber | kString | kArray | kObject,
};

// One argument: a value, or for an &expression parameter the expression.
struct Argument {
  json::Value value;
  const Node* expref = nullptr;
};

// What a function body may ask of the evaluation that calls it.
class CallContext {
 public:
  virtual ~CallContext() = default;
  // Evaluates an &expression argument against `value`.
  virtual Result<json::Value> apply(const Node& expression, const json::Value& value) = 0;
  // Counts `units` of work against the evaluation's budget; an error once it is spent.
  virtual Result<void> charge(std::size_t units) = 0;
};

using FunctionBody = Result<json::Value> (*)(CallContext& context, std::span<const Argument> args);

struct Function {
  std::string_view name;
  std::vector<unsigned> parameters;  // ArgType masks
  bool variadic = false;             // the last parameter may repeat
  FunctionBody body = nullptr;
  std::string_view returns;  // for `signet jp function`
  std::string_view note;
};

// The function a name calls (Kyverno's tables first, then the standard one), or nullptr.
const Function* find_function(std::string_view name);

std::span<const Function> standard_functions();
std::span<const Function> kyverno_functions();
std::span<const Function> kyverno_time_functions();

// "abs(number) -> number": a signature as `signet jp function` lists it.
std::string describe(const Function& function);

// Checks arity and types before a call; errors are "invalid-arity: ..." and "invalid-type: ...".
Result<void> check_arity(const Function& function, std::size_t count);
Result<void> check_arguments(const Function& function, std::span<const Argument> args);

// Helpers for function bodies.
Error invalid_type(std::string_view function, std::string_view what);
Error invalid_value(std::string_view function, std::string_view what);
std::string type_names(unsigned mask);

}  // namespace signet::policy::jmespath
