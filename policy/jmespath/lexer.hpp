// Splits a JMESPath expression into tokens (internal to policy/jmespath*).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/result.hpp"
#include "policy/jmespath/json_value.hpp"

namespace signet::policy::jmespath {

enum class TokenType {
  End,
  UnquotedIdentifier,
  QuotedIdentifier,
  Number,
  Literal,  // `json` or 'raw string': the value is in Token::value
  Dot,
  Star,
  Flatten,  // []
  Filter,   // [?
  LeftBracket,
  RightBracket,
  LeftBrace,
  RightBrace,
  LeftParen,
  RightParen,
  Comma,
  Colon,
  Pipe,
  Or,
  And,
  Not,
  Current,  // @
  Expref,   // &
  Less,
  LessEqual,
  Greater,
  GreaterEqual,
  Equal,
  NotEqual,
};

struct Token {
  TokenType type = TokenType::End;
  std::string text;   // identifiers
  json::Value value;  // literals
  std::int64_t number = 0;
  std::size_t column = 0;  // 1-based
};

// The tokens of `expression`, ending with End; errors are "syntax: ... at column N".
Result<std::vector<Token>> tokenize(std::string_view expression);

Error syntax_error(std::string_view what, std::size_t column);

}  // namespace signet::policy::jmespath
