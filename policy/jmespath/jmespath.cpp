// The evaluation of a compiled expression: the specification's semantics for each node, with a work
// budget so that an expression over shared values cannot make an exponential amount of work.
#include "policy/jmespath/jmespath.hpp"

#include <algorithm>

#include "policy/jmespath/ast.hpp"
#include "policy/jmespath/functions.hpp"
#include "policy/jmespath/values.hpp"

namespace signet::policy::jmespath {
namespace {

using json::Value;

// Nodes visited and values compared per search; far above what a policy needs.
constexpr std::size_t kBudget = 20'000'000;

class Evaluator final : public CallContext {
 public:
  Result<Value> eval(const Node& node, const Value& current) {
    if (auto ok = charge(1); !ok) return ok.error();
    switch (node.kind) {
      case Node::Kind::Current:
        return current;
      case Node::Kind::Field: {
        const Value* member = current.find(node.name);
        return member != nullptr ? *member : Value();
      }
      case Node::Kind::Subexpression:
      case Node::Kind::Pipe: {
        auto left = eval(*node.children[0], current);
        if (!left) return left;
        return eval(*node.children[1], *left);
      }
      case Node::Kind::Index: {
        if (!current.is_array()) return Value();
        const auto& items = current.as_array();
        const auto size = static_cast<std::int64_t>(items.size());
        const std::int64_t at = node.index < 0 ? node.index + size : node.index;
        if (at < 0 || at >= size) return Value();
        return items[static_cast<std::size_t>(at)];
      }
      case Node::Kind::Slice:
        return slice(node, current);
      case Node::Kind::Projection: {
        auto left = eval(*node.children[0], current);
        if (!left) return left;
        if (!left->is_array()) return Value();
        return project(left->as_array(), *node.children[1]);
      }
      case Node::Kind::ValueProjection: {
        auto left = eval(*node.children[0], current);
        if (!left) return left;
        if (!left->is_object()) return Value();
        json::Array values;
        values.reserve(left->as_object().size());
        for (const auto& member : left->as_object()) values.push_back(member.second);
        return project(values, *node.children[1]);
      }
      case Node::Kind::Flatten: {
        auto left = eval(*node.children[0], current);
        if (!left) return left;
        if (!left->is_array()) return Value();
        json::Array flat;
        for (const auto& item : left->as_array()) {
          if (item.is_array()) {
            if (auto ok = charge(item.as_array().size()); !ok) return ok.error();
            flat.insert(flat.end(), item.as_array().begin(), item.as_array().end());
          } else {
            flat.push_back(item);
          }
        }
        return Value(std::move(flat));
      }
      case Node::Kind::Filter: {
        auto left = eval(*node.children[0], current);
        if (!left) return left;
        if (!left->is_array()) return Value();
        json::Array out;
        for (const auto& item : left->as_array()) {
          auto keep = eval(*node.children[1], item);
          if (!keep) return keep;
          if (!keep->truthy()) continue;
          auto value = eval(*node.children[2], item);
          if (!value) return value;
          if (!value->is_null()) out.push_back(std::move(*value));
        }
        return Value(std::move(out));
      }
      case Node::Kind::MultiList: {
        if (current.is_null()) return Value();
        json::Array out;
        out.reserve(node.children.size());
        for (const auto& child : node.children) {
          auto value = eval(*child, current);
          if (!value) return value;
          out.push_back(std::move(*value));
        }
        return Value(std::move(out));
      }
      case Node::Kind::MultiHash: {
        if (current.is_null()) return Value();
        json::Object out;
        for (std::size_t i = 0; i < node.children.size(); ++i) {
          auto value = eval(*node.children[i], current);
          if (!value) return value;
          // A repeated key: the last one wins, as in a JSON object.
          auto same =
              std::find_if(out.begin(), out.end(), [&](const json::Member& m) { return m.first == node.keys[i]; });
          if (same != out.end()) {
            same->second = std::move(*value);
          } else {
            out.emplace_back(node.keys[i], std::move(*value));
          }
        }
        return Value(std::move(out));
      }
      case Node::Kind::Or: {
        auto left = eval(*node.children[0], current);
        if (!left || left->truthy()) return left;
        return eval(*node.children[1], current);
      }
      case Node::Kind::And: {
        auto left = eval(*node.children[0], current);
        if (!left || !left->truthy()) return left;
        return eval(*node.children[1], current);
      }
      case Node::Kind::Not: {
        auto operand = eval(*node.children[0], current);
        if (!operand) return operand;
        return Value(!operand->truthy());
      }
      case Node::Kind::Compare:
        return compare(node, current);
      case Node::Kind::Literal:
        return node.value;
      case Node::Kind::FunctionCall:
        return call(node, current);
      case Node::Kind::ExpressionRef:
        // Only a function argument may be an expression reference; elsewhere it has no value.
        return Value();
    }
    return Value();
  }

  Result<Value> apply(const Node& expression, const Value& value) override { return eval(expression, value); }

  Result<void> charge(std::size_t units) override {
    spent_ += units;
    if (spent_ > kBudget) {
      return Error::invalid("invalid-value: the expression needs more than " + std::to_string(kBudget) +
                            " evaluation steps");
    }
    return success();
  }

 private:
  Result<Value> project(const json::Array& items, const Node& right) {
    json::Array out;
    out.reserve(items.size());
    for (const auto& item : items) {
      auto value = eval(right, item);
      if (!value) return value;
      if (!value->is_null()) out.push_back(std::move(*value));
    }
    return Value(std::move(out));
  }

  Result<Value> slice(const Node& node, const Value& current) {
    if (!current.is_array()) return Value();
    const auto& items = current.as_array();
    const auto size = static_cast<std::int64_t>(items.size());
    const std::int64_t step = node.step.value_or(1);
    auto clamp = [&](std::optional<std::int64_t> bound, std::int64_t fallback) {
      if (!bound) return fallback;
      std::int64_t at = *bound;
      if (at < 0) {
        at += size;
        if (at < 0) at = step < 0 ? -1 : 0;
      } else if (at >= size) {
        at = step < 0 ? size - 1 : size;
      }
      return at;
    };
    const std::int64_t start = clamp(node.start, step < 0 ? size - 1 : 0);
    const std::int64_t stop = clamp(node.stop, step < 0 ? -1 : size);
    json::Array out;
    if (step > 0) {
      for (std::int64_t i = start; i < stop; i += step) {
        out.push_back(items[static_cast<std::size_t>(i)]);
        if (step > size) break;  // also keeps i + step from overflowing
      }
    } else {
      for (std::int64_t i = start; i > stop; i += step) {
        out.push_back(items[static_cast<std::size_t>(i)]);
        if (-(step + 1) >= size) break;
      }
    }
    if (auto ok = charge(out.size()); !ok) return ok.error();
    return Value(std::move(out));
  }

  Result<Value> compare(const Node& node, const Value& current) {
    auto left = eval(*node.children[0], current);
    if (!left) return left;
    auto right = eval(*node.children[1], current);
    if (!right) return right;
    switch (node.comparator) {
      case Node::Comparator::Equal:
      case Node::Comparator::NotEqual: {
        auto same = equal(*this, *left, *right);
        if (!same) return same.error();
        return Value(node.comparator == Node::Comparator::Equal ? *same : !*same);
      }
      default:
        break;
    }
    // Ordering is defined for numbers only; anything else compares to null.
    if (!left->is_number() || !right->is_number()) return Value();
    const double a = left->as_number(), b = right->as_number();
    switch (node.comparator) {
      case Node::Comparator::Less:
        return Value(a < b);
      case Node::Comparator::LessEqual:
        return Value(a <= b);
      case Node::Comparator::Greater:
        return Value(a > b);
      default:
        return Value(a >= b);
    }
  }

  Result<Value> call(const Node& node, const Value& current) {
    std::vector<Argument> args;
    args.reserve(node.children.size());
    for (const auto& child : node.children) {
      if (child->kind == Node::Kind::ExpressionRef) {
        args.push_back(Argument{Value(), child->children[0].get()});
        continue;
      }
      auto value = eval(*child, current);
      if (!value) return value;
      args.push_back(Argument{std::move(*value), nullptr});
    }
    if (auto ok = check_arguments(*node.function, args); !ok) return ok.error();
    return node.function->body(*this, args);
  }

  std::size_t spent_ = 0;
};

}  // namespace

Result<std::shared_ptr<const Expression>> compile(std::string_view expression) {
  auto root = parse(expression);
  if (!root) return root.error();
  return std::make_shared<const Expression>(std::move(*root));
}

Result<json::Value> search(const Expression& expression, const json::Value& data) {
  Evaluator evaluator;
  return evaluator.eval(expression.root(), data);
}

Result<json::Value> search(std::string_view expression, const json::Value& data) {
  auto compiled = compile(expression);
  if (!compiled) return compiled.error();
  return search(**compiled, data);
}

}  // namespace signet::policy::jmespath
