// A Pratt parser over the grammar of the specification, with its binding powers.
#include <utility>

#include "policy/jmespath/ast.hpp"
#include "policy/jmespath/functions.hpp"
#include "policy/jmespath/lexer.hpp"

namespace signet::policy::jmespath {
namespace {

using NodePtr = std::unique_ptr<Node>;

int binding_power(TokenType type) {
  switch (type) {
    case TokenType::Pipe:
      return 1;
    case TokenType::Or:
      return 2;
    case TokenType::And:
      return 3;
    case TokenType::Less:
    case TokenType::LessEqual:
    case TokenType::Greater:
    case TokenType::GreaterEqual:
    case TokenType::Equal:
    case TokenType::NotEqual:
      return 5;
    case TokenType::Flatten:
      return 9;
    case TokenType::Star:
      return 20;
    case TokenType::Filter:
      return 21;
    case TokenType::Dot:
      return 40;
    case TokenType::Not:
      return 45;
    case TokenType::LeftBrace:
      return 50;
    case TokenType::LeftBracket:
      return 55;
    case TokenType::LeftParen:
      return 60;
    default:
      return 0;
  }
}

const char* describe(TokenType type) {
  switch (type) {
    case TokenType::End:
      return "the end of the expression";
    case TokenType::UnquotedIdentifier:
    case TokenType::QuotedIdentifier:
      return "an identifier";
    case TokenType::Number:
      return "a number";
    case TokenType::Literal:
      return "a literal";
    case TokenType::Dot:
      return "'.'";
    case TokenType::Star:
      return "'*'";
    case TokenType::Flatten:
      return "'[]'";
    case TokenType::Filter:
      return "'[?'";
    case TokenType::LeftBracket:
      return "'['";
    case TokenType::RightBracket:
      return "']'";
    case TokenType::LeftBrace:
      return "'{'";
    case TokenType::RightBrace:
      return "'}'";
    case TokenType::LeftParen:
      return "'('";
    case TokenType::RightParen:
      return "')'";
    case TokenType::Comma:
      return "','";
    case TokenType::Colon:
      return "':'";
    case TokenType::Pipe:
      return "'|'";
    case TokenType::Or:
      return "'||'";
    case TokenType::And:
      return "'&&'";
    case TokenType::Not:
      return "'!'";
    case TokenType::Current:
      return "'@'";
    case TokenType::Expref:
      return "'&'";
    case TokenType::Less:
      return "'<'";
    case TokenType::LessEqual:
      return "'<='";
    case TokenType::Greater:
      return "'>'";
    case TokenType::GreaterEqual:
      return "'>='";
    case TokenType::Equal:
      return "'=='";
    case TokenType::NotEqual:
      return "'!='";
  }
  return "a token";
}

NodePtr make(Node::Kind kind) {
  auto node = std::make_unique<Node>();
  node->kind = kind;
  return node;
}

NodePtr make(Node::Kind kind, NodePtr left, NodePtr right) {
  auto node = make(kind);
  node->children.push_back(std::move(left));
  node->children.push_back(std::move(right));
  return node;
}

class Parser {
 public:
  explicit Parser(std::vector<Token> tokens) : tokens_(std::move(tokens)) {}

  Result<NodePtr> run() {
    auto root = expression(0);
    if (!root) return root;
    if (current().type != TokenType::End) return unexpected();
    return root;
  }

 private:
  const Token& current() const { return tokens_[pos_]; }
  const Token& lookahead(std::size_t n) const { return tokens_[std::min(pos_ + n, tokens_.size() - 1)]; }
  TokenType type() const { return current().type; }
  void advance() {
    if (pos_ + 1 < tokens_.size()) ++pos_;
  }

  Error unexpected() const { return syntax_error(std::string("unexpected ") + describe(type()), current().column); }

  Result<void> expect(TokenType wanted) {
    if (type() != wanted) {
      return syntax_error(std::string("expected ") + describe(wanted) + ", found " + describe(type()),
                          current().column);
    }
    advance();
    return success();
  }

  Result<NodePtr> expression(int rbp) {
    if (++terms_ > kMaxTerms) {
      return syntax_error("expression has more than " + std::to_string(kMaxTerms) + " terms", current().column);
    }
    if (++depth_ > kMaxDepth) {
      return syntax_error("expression nested deeper than " + std::to_string(kMaxDepth) + " levels", current().column);
    }
    auto left = nud();
    while (left && rbp < binding_power(type())) left = led(std::move(*left));
    --depth_;
    return left;
  }

  Result<NodePtr> nud() {
    const Token token = current();
    advance();
    switch (token.type) {
      case TokenType::Literal: {
        auto node = make(Node::Kind::Literal);
        node->value = token.value;
        return node;
      }
      case TokenType::UnquotedIdentifier: {
        auto node = make(Node::Kind::Field);
        node->name = token.text;
        return node;
      }
      case TokenType::QuotedIdentifier: {
        if (type() == TokenType::LeftParen) {
          return syntax_error("a quoted identifier cannot name a function", token.column);
        }
        auto node = make(Node::Kind::Field);
        node->name = token.text;
        return node;
      }
      case TokenType::Star: {
        auto right = projection_rhs(binding_power(TokenType::Star));
        if (!right) return right;
        return make(Node::Kind::ValueProjection, make(Node::Kind::Current), std::move(*right));
      }
      case TokenType::Filter:
        return filter(make(Node::Kind::Current));
      case TokenType::LeftBrace:
        return multi_hash();
      case TokenType::LeftParen: {
        auto inner = expression(0);
        if (!inner) return inner;
        if (auto ok = expect(TokenType::RightParen); !ok) return ok.error();
        return inner;
      }
      case TokenType::Flatten: {
        auto flatten = make(Node::Kind::Flatten);
        flatten->children.push_back(make(Node::Kind::Current));
        auto right = projection_rhs(binding_power(TokenType::Flatten));
        if (!right) return right;
        return make(Node::Kind::Projection, std::move(flatten), std::move(*right));
      }
      case TokenType::Not: {
        auto operand = expression(binding_power(TokenType::Not));
        if (!operand) return operand;
        auto node = make(Node::Kind::Not);
        node->children.push_back(std::move(*operand));
        return node;
      }
      case TokenType::LeftBracket: {
        if (type() == TokenType::Number || type() == TokenType::Colon) {
          auto index = index_or_slice();
          if (!index) return index;
          return project_if_slice(make(Node::Kind::Current), std::move(*index));
        }
        if (type() == TokenType::Star && lookahead(1).type == TokenType::RightBracket) {
          advance();
          advance();
          auto right = projection_rhs(binding_power(TokenType::Star));
          if (!right) return right;
          return make(Node::Kind::Projection, make(Node::Kind::Current), std::move(*right));
        }
        return multi_list();
      }
      case TokenType::Current:
        return make(Node::Kind::Current);
      case TokenType::Expref: {
        auto operand = expression(binding_power(TokenType::Expref));
        if (!operand) return operand;
        auto node = make(Node::Kind::ExpressionRef);
        node->children.push_back(std::move(*operand));
        return node;
      }
      default:
        return syntax_error(std::string("unexpected ") + describe(token.type), token.column);
    }
  }

  Result<NodePtr> led(NodePtr left) {
    const Token token = current();
    advance();
    switch (token.type) {
      case TokenType::Dot: {
        if (type() == TokenType::Star) {
          advance();
          auto right = projection_rhs(binding_power(TokenType::Dot));
          if (!right) return right;
          return make(Node::Kind::ValueProjection, std::move(left), std::move(*right));
        }
        auto right = dot_rhs(binding_power(TokenType::Dot));
        if (!right) return right;
        return make(Node::Kind::Subexpression, std::move(left), std::move(*right));
      }
      case TokenType::Pipe:
      case TokenType::Or:
      case TokenType::And: {
        auto right = expression(binding_power(token.type));
        if (!right) return right;
        const Node::Kind kind = token.type == TokenType::Pipe ? Node::Kind::Pipe
                                : token.type == TokenType::Or ? Node::Kind::Or
                                                              : Node::Kind::And;
        return make(kind, std::move(left), std::move(*right));
      }
      case TokenType::LeftParen:
        return function_call(std::move(left), token.column);
      case TokenType::Filter:
        return filter(std::move(left));
      case TokenType::Flatten: {
        auto flatten = make(Node::Kind::Flatten);
        flatten->children.push_back(std::move(left));
        auto right = projection_rhs(binding_power(TokenType::Flatten));
        if (!right) return right;
        return make(Node::Kind::Projection, std::move(flatten), std::move(*right));
      }
      case TokenType::Less:
      case TokenType::LessEqual:
      case TokenType::Greater:
      case TokenType::GreaterEqual:
      case TokenType::Equal:
      case TokenType::NotEqual: {
        auto right = expression(binding_power(token.type));
        if (!right) return right;
        auto node = make(Node::Kind::Compare, std::move(left), std::move(*right));
        node->comparator = token.type == TokenType::Less           ? Node::Comparator::Less
                           : token.type == TokenType::LessEqual    ? Node::Comparator::LessEqual
                           : token.type == TokenType::Greater      ? Node::Comparator::Greater
                           : token.type == TokenType::GreaterEqual ? Node::Comparator::GreaterEqual
                           : token.type == TokenType::Equal        ? Node::Comparator::Equal
                                                                   : Node::Comparator::NotEqual;
        return node;
      }
      case TokenType::LeftBracket: {
        if (type() == TokenType::Number || type() == TokenType::Colon) {
          auto index = index_or_slice();
          if (!index) return index;
          return project_if_slice(std::move(left), std::move(*index));
        }
        if (auto ok = expect(TokenType::Star); !ok) return ok.error();
        if (auto ok = expect(TokenType::RightBracket); !ok) return ok.error();
        auto right = projection_rhs(binding_power(TokenType::Star));
        if (!right) return right;
        return make(Node::Kind::Projection, std::move(left), std::move(*right));
      }
      default:
        return syntax_error(std::string("unexpected ") + describe(token.type), token.column);
    }
  }

  // After '[' with a number or ':' next: an index, or a slice (whose result is projected).
  Result<NodePtr> index_or_slice() {
    if (type() == TokenType::Number && lookahead(1).type == TokenType::RightBracket) {
      auto node = make(Node::Kind::Index);
      node->index = current().number;
      advance();
      advance();
      return node;
    }
    auto node = make(Node::Kind::Slice);
    std::optional<std::int64_t>* parts[] = {&node->start, &node->stop, &node->step};
    int part = 0;
    while (type() != TokenType::RightBracket) {
      if (type() == TokenType::Colon) {
        if (++part > 2) return unexpected();
        advance();
      } else if (type() == TokenType::Number) {
        if (parts[part]->has_value()) return unexpected();
        *parts[part] = current().number;
        advance();
      } else {
        return unexpected();
      }
    }
    advance();
    if (node->step && *node->step == 0) return Error::invalid("invalid-value: a slice's step cannot be 0");
    return node;
  }

  Result<NodePtr> project_if_slice(NodePtr left, NodePtr index) {
    const bool slice = index->kind == Node::Kind::Slice;
    auto indexed = make(Node::Kind::Subexpression, std::move(left), std::move(index));
    if (!slice) return indexed;
    auto right = projection_rhs(binding_power(TokenType::Star));
    if (!right) return right;
    return make(Node::Kind::Projection, std::move(indexed), std::move(*right));
  }

  Result<NodePtr> projection_rhs(int rbp) {
    if (binding_power(type()) < 10) return make(Node::Kind::Current);
    if (type() == TokenType::LeftBracket || type() == TokenType::Filter) return expression(rbp);
    if (type() == TokenType::Dot) {
      advance();
      return dot_rhs(rbp);
    }
    return unexpected();
  }

  Result<NodePtr> dot_rhs(int rbp) {
    switch (type()) {
      case TokenType::UnquotedIdentifier:
      case TokenType::QuotedIdentifier:
      case TokenType::Star:
        return expression(rbp);
      case TokenType::LeftBracket:
        advance();
        return multi_list();
      case TokenType::LeftBrace:
        advance();
        return multi_hash();
      default:
        return unexpected();
    }
  }

  Result<NodePtr> filter(NodePtr left) {
    auto condition = expression(0);
    if (!condition) return condition;
    if (auto ok = expect(TokenType::RightBracket); !ok) return ok.error();
    Result<NodePtr> right = type() == TokenType::Flatten ? Result<NodePtr>(make(Node::Kind::Current))
                                                         : projection_rhs(binding_power(TokenType::Filter));
    if (!right) return right;
    auto node = make(Node::Kind::Filter);
    node->children.push_back(std::move(left));
    node->children.push_back(std::move(*condition));
    node->children.push_back(std::move(*right));
    return node;
  }

  Result<NodePtr> multi_list() {
    auto node = make(Node::Kind::MultiList);
    while (true) {
      auto item = expression(0);
      if (!item) return item;
      node->children.push_back(std::move(*item));
      if (type() == TokenType::RightBracket) break;
      if (auto ok = expect(TokenType::Comma); !ok) return ok.error();
    }
    advance();
    return node;
  }

  Result<NodePtr> multi_hash() {
    auto node = make(Node::Kind::MultiHash);
    while (true) {
      if (type() != TokenType::UnquotedIdentifier && type() != TokenType::QuotedIdentifier) {
        return syntax_error(std::string("expected a key, found ") + describe(type()), current().column);
      }
      node->keys.push_back(current().text);
      advance();
      if (auto ok = expect(TokenType::Colon); !ok) return ok.error();
      auto value = expression(0);
      if (!value) return value;
      node->children.push_back(std::move(*value));
      if (type() == TokenType::RightBrace) break;
      if (auto ok = expect(TokenType::Comma); !ok) return ok.error();
    }
    advance();
    return node;
  }

  Result<NodePtr> function_call(NodePtr name, std::size_t column) {
    if (name->kind != Node::Kind::Field) return syntax_error("only a name can be called as a function", column);
    auto node = make(Node::Kind::FunctionCall);
    node->name = name->name;
    while (type() != TokenType::RightParen) {
      auto arg = expression(0);
      if (!arg) return arg;
      node->children.push_back(std::move(*arg));
      if (type() == TokenType::Comma) {
        advance();
        if (type() == TokenType::RightParen) return unexpected();
      } else if (type() != TokenType::RightParen) {
        return unexpected();
      }
    }
    advance();
    node->function = find_function(node->name);
    if (node->function == nullptr) {
      return Error::invalid("unknown-function: no function named " + node->name + "()");
    }
    if (auto ok = check_arity(*node->function, node->children.size()); !ok) return ok.error();
    return node;
  }

  std::vector<Token> tokens_;
  std::size_t pos_ = 0;
  std::size_t depth_ = 0;
  std::size_t terms_ = 0;
};

}  // namespace

Result<std::unique_ptr<Node>> parse(std::string_view expression) {
  auto tokens = tokenize(expression);
  if (!tokens) return tokens.error();
  return Parser(std::move(*tokens)).run();
}

}  // namespace signet::policy::jmespath
