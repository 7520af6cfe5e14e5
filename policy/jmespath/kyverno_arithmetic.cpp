// Kyverno's arithmetic (pkg/engine/jmespath/arithmetic.go): numbers and Go durations.
#include "policy/jmespath/kyverno_functions.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include <re2/re2.h>

#include "policy/jmespath/go_time.hpp"
#include "policy/jmespath/kyverno_support.hpp"

namespace signet::policy::jmespath {
namespace {

// Kyverno's arithmetic operands: numbers, and strings holding a Go duration. Kubernetes quantities
// ("1Gi") are not supported yet and say so.
struct Operand {
  enum class Kind { Scalar, Duration } kind;
  double scalar = 0;
  std::int64_t nanos = 0;
};

bool looks_like_quantity(std::string_view text) {
  static const RE2 kQuantity(R"(^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+|Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?$)");
  return RE2::FullMatch(text, kQuantity);
}

Result<Operand> operand(std::string_view function, const Argument& arg) {
  if (arg.value.is_number()) return Operand{Operand::Kind::Scalar, arg.value.as_number(), 0};
  if (arg.value.is_string()) {
    const std::string& text = arg.value.as_string();
    if (looks_like_quantity(text)) {
      return invalid_value(function, "Kubernetes quantities such as \"" + text + "\" are not supported by signet");
    }
    if (auto d = parse_go_duration(text)) return Operand{Operand::Kind::Duration, 0, *d};
  }
  return invalid_type(function,
                      "invalid operand " + json::to_json(arg.value) + " (a number or a duration such as \"1h30m\")");
}

Error mismatch(std::string_view function) { return invalid_type(function, "types mismatch"); }

Value duration_value(double nanos) {
  if (!std::isfinite(nanos) || std::fabs(nanos) >= 9.2e18) {
    return Value(format_go_duration(nanos < 0 ? std::numeric_limits<std::int64_t>::min()
                                              : std::numeric_limits<std::int64_t>::max()));
  }
  return Value(format_go_duration(static_cast<std::int64_t>(nanos)));
}

Result<Value> add(std::string_view function, const Argument& a, const Argument& b) {
  auto x = operand(function, a);
  if (!x) return x.error();
  auto y = operand(function, b);
  if (!y) return y.error();
  if (x->kind != y->kind) return mismatch(function);
  if (x->kind == Operand::Kind::Scalar) return Value(x->scalar + y->scalar);
  return duration_value(static_cast<double>(x->nanos) + static_cast<double>(y->nanos));
}

Result<Value> fn_add(CallContext&, Args args) { return add("add", args[0], args[1]); }

// Kyverno replaces the standard sum with its own over numbers and durations; an empty array sums to 0
// as the specification says (Kyverno calls it an error).
Result<Value> fn_kyverno_sum(CallContext&, Args args) {
  const auto& items = args[0].value.as_array();
  if (std::all_of(items.begin(), items.end(), [](const Value& v) { return v.is_number(); })) {
    double total = 0;
    for (const auto& item : items) total += item.as_number();
    return Value(total);
  }
  if (!std::all_of(items.begin(), items.end(), [](const Value& v) { return v.is_string(); })) {
    return invalid_type("sum", "argument 1 must be an array of numbers or an array of durations");
  }
  Argument total{items[0], nullptr};
  for (std::size_t i = 1; i < items.size(); ++i) {
    auto next = add("sum", total, Argument{items[i], nullptr});
    if (!next) return next;
    total.value = std::move(*next);
  }
  if (items.size() == 1) {
    if (auto ok = operand("sum", total); !ok) return ok.error();
  }
  return total.value;
}

Result<Value> fn_subtract(CallContext&, Args args) {
  auto x = operand("subtract", args[0]);
  if (!x) return x.error();
  auto y = operand("subtract", args[1]);
  if (!y) return y.error();
  if (x->kind != y->kind) return mismatch("subtract");
  if (x->kind == Operand::Kind::Scalar) return Value(x->scalar - y->scalar);
  return duration_value(static_cast<double>(x->nanos) - static_cast<double>(y->nanos));
}

Result<Value> fn_multiply(CallContext&, Args args) {
  auto x = operand("multiply", args[0]);
  if (!x) return x.error();
  auto y = operand("multiply", args[1]);
  if (!y) return y.error();
  if (x->kind == Operand::Kind::Scalar && y->kind == Operand::Kind::Scalar) return Value(x->scalar * y->scalar);
  if (x->kind == Operand::Kind::Duration && y->kind == Operand::Kind::Duration) return mismatch("multiply");
  const Operand& d = x->kind == Operand::Kind::Duration ? *x : *y;
  const Operand& s = x->kind == Operand::Kind::Duration ? *y : *x;
  return duration_value(static_cast<double>(d.nanos) * s.scalar);
}

Result<Value> fn_divide(CallContext&, Args args) {
  auto x = operand("divide", args[0]);
  if (!x) return x.error();
  auto y = operand("divide", args[1]);
  if (!y) return y.error();
  if (x->kind == Operand::Kind::Scalar) {
    if (y->kind != Operand::Kind::Scalar) return mismatch("divide");
    if (y->scalar == 0) return invalid_value("divide", "Zero divisor passed");
    return Value(x->scalar / y->scalar);
  }
  if (y->kind == Operand::Kind::Duration) {
    if (y->nanos == 0) return invalid_value("divide", "Zero divisor passed");
    return Value(static_cast<double>(x->nanos) / static_cast<double>(y->nanos));
  }
  if (y->scalar == 0) return invalid_value("divide", "Zero divisor passed");
  return duration_value(static_cast<double>(x->nanos) / y->scalar);
}

Result<Value> fn_modulo(CallContext&, Args args) {
  auto x = operand("modulo", args[0]);
  if (!x) return x.error();
  auto y = operand("modulo", args[1]);
  if (!y) return y.error();
  if (x->kind != y->kind) return mismatch("modulo");
  if (x->kind == Operand::Kind::Duration) {
    if (y->nanos == 0) return invalid_value("modulo", "Zero divisor passed");
    return Value(format_go_duration(x->nanos % y->nanos));
  }
  auto integral = [](double v) { return std::isfinite(v) && v == std::trunc(v) && std::fabs(v) < 9e18; };
  if (!integral(x->scalar) || !integral(y->scalar)) {
    return invalid_value("modulo", "Non-integer argument(s) passed for modulo");
  }
  const auto a = static_cast<std::int64_t>(x->scalar), b = static_cast<std::int64_t>(y->scalar);
  if (b == 0) return invalid_value("modulo", "Zero divisor passed");
  if (b == -1) return Value(0);
  return Value(static_cast<double>(a % b));
}

Result<Value> fn_round(CallContext&, Args args) {
  const double digits = args[1].value.as_number();
  if (!std::isfinite(digits) || digits != std::trunc(digits)) {
    return invalid_value("round", "Non-integer argument(s) passed for round off");
  }
  if (digits < 0) return invalid_value("round", "the number of decimal places cannot be negative");
  const double shift = std::pow(10.0, std::min(digits, 308.0));
  return Value(std::round(args[0].value.as_number() * shift) / shift);
}

}  // namespace

std::span<const Function> kyverno_arithmetic_functions() {
  static const std::vector<Function> kFunctions = {
      {"add",
       {kAny, kAny},
       false,
       fn_add,
       "any",
       "does arithmetic addition of two specified values of numbers and durations"},
      {"sum",
       {kArray},
       false,
       fn_kyverno_sum,
       "any",
       "does arithmetic addition of specified array of values of numbers and durations"},
      {"subtract",
       {kAny, kAny},
       false,
       fn_subtract,
       "any",
       "does arithmetic subtraction of two specified values of numbers and durations"},
      {"multiply",
       {kAny, kAny},
       false,
       fn_multiply,
       "any",
       "does arithmetic multiplication of two specified values of numbers and durations"},
      {"divide", {kAny, kAny}, false, fn_divide, "any", "divisor must be non zero"},
      {"modulo", {kAny, kAny}, false, fn_modulo, "any", "divisor must be non-zero, arguments must be integers"},
      {"round", {kNumber, kNumber}, false, fn_round, "number", "does roundoff to upto the given decimal places"},
  };
  return kFunctions;
}

}  // namespace signet::policy::jmespath
