#include "policy/jmespath/lexer.hpp"

#include <charconv>

namespace signet::policy::jmespath {
namespace {

bool is_identifier_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_identifier_char(char c) { return is_identifier_start(c) || (c >= '0' && c <= '9'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

class Lexer {
 public:
  explicit Lexer(std::string_view text) : text_(text) {}

  Result<std::vector<Token>> run() {
    std::vector<Token> tokens;
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        ++pos_;
        continue;
      }
      auto token = next(c);
      if (!token) return token.error();
      tokens.push_back(std::move(*token));
    }
    tokens.push_back(simple(TokenType::End, 0));
    return tokens;
  }

 private:
  Token simple(TokenType type, std::size_t length) {
    Token token;
    token.type = type;
    token.column = pos_ + 1;
    pos_ += length;
    return token;
  }

  bool peek_is(std::size_t offset, char c) const { return pos_ + offset < text_.size() && text_[pos_ + offset] == c; }

  Result<Token> next(char c) {
    switch (c) {
      case '.':
        return simple(TokenType::Dot, 1);
      case '*':
        return simple(TokenType::Star, 1);
      case ',':
        return simple(TokenType::Comma, 1);
      case ':':
        return simple(TokenType::Colon, 1);
      case '{':
        return simple(TokenType::LeftBrace, 1);
      case '}':
        return simple(TokenType::RightBrace, 1);
      case '(':
        return simple(TokenType::LeftParen, 1);
      case ')':
        return simple(TokenType::RightParen, 1);
      case ']':
        return simple(TokenType::RightBracket, 1);
      case '@':
        return simple(TokenType::Current, 1);
      case '[':
        if (peek_is(1, ']')) return simple(TokenType::Flatten, 2);
        if (peek_is(1, '?')) return simple(TokenType::Filter, 2);
        return simple(TokenType::LeftBracket, 1);
      case '|':
        if (peek_is(1, '|')) return simple(TokenType::Or, 2);
        return simple(TokenType::Pipe, 1);
      case '&':
        if (peek_is(1, '&')) return simple(TokenType::And, 2);
        return simple(TokenType::Expref, 1);
      case '!':
        if (peek_is(1, '=')) return simple(TokenType::NotEqual, 2);
        return simple(TokenType::Not, 1);
      case '<':
        if (peek_is(1, '=')) return simple(TokenType::LessEqual, 2);
        return simple(TokenType::Less, 1);
      case '>':
        if (peek_is(1, '=')) return simple(TokenType::GreaterEqual, 2);
        return simple(TokenType::Greater, 1);
      case '=':
        if (peek_is(1, '=')) return simple(TokenType::Equal, 2);
        return syntax_error("'=' is not an operator (use '==')", pos_ + 1);
      case '"':
        return quoted_identifier();
      case '\'':
        return raw_string();
      case '`':
        return json_literal();
      default:
        break;
    }
    if (is_identifier_start(c)) {
      const std::size_t start = pos_;
      while (pos_ < text_.size() && is_identifier_char(text_[pos_])) ++pos_;
      Token token;
      token.type = TokenType::UnquotedIdentifier;
      token.text = std::string(text_.substr(start, pos_ - start));
      token.column = start + 1;
      return token;
    }
    if (is_digit(c) || (c == '-' && pos_ + 1 < text_.size() && is_digit(text_[pos_ + 1]))) return number();
    return syntax_error(std::string("unexpected character '") + c + "'", pos_ + 1);
  }

  Result<Token> number() {
    const std::size_t start = pos_;
    if (text_[pos_] == '-') ++pos_;
    while (pos_ < text_.size() && is_digit(text_[pos_])) ++pos_;
    Token token;
    token.type = TokenType::Number;
    token.column = start + 1;
    const auto [end, ec] = std::from_chars(text_.data() + start, text_.data() + pos_, token.number);
    if (ec != std::errc() || end != text_.data() + pos_) return syntax_error("number out of range", start + 1);
    return token;
  }

  // The text up to the closing `delimiter`, skipping backslash-escaped characters; pos_ ends after it.
  Result<std::string_view> delimited(char delimiter) {
    const std::size_t start = pos_;
    ++pos_;
    while (pos_ < text_.size() && text_[pos_] != delimiter) {
      pos_ += text_[pos_] == '\\' && pos_ + 1 < text_.size() ? 2 : 1;
    }
    if (pos_ >= text_.size()) {
      return syntax_error(std::string("unterminated ") + delimiter + "..." + delimiter, start + 1);
    }
    ++pos_;
    return text_.substr(start + 1, pos_ - start - 2);
  }

  Result<Token> quoted_identifier() {
    const std::size_t start = pos_;
    auto body = delimited('"');
    if (!body) return body.error();
    auto parsed = json::parse("\"" + std::string(*body) + "\"");
    if (!parsed || !parsed->is_string()) return syntax_error("invalid quoted identifier", start + 1);
    Token token;
    token.type = TokenType::QuotedIdentifier;
    token.text = parsed->as_string();
    token.column = start + 1;
    return token;
  }

  // 'raw string': only \' is an escape; every other backslash stays.
  Result<Token> raw_string() {
    const std::size_t start = pos_;
    auto body = delimited('\'');
    if (!body) return body.error();
    std::string text;
    for (std::size_t i = 0; i < body->size(); ++i) {
      if ((*body)[i] == '\\' && i + 1 < body->size() && (*body)[i + 1] == '\'') ++i;
      text += (*body)[i];
    }
    Token token;
    token.type = TokenType::Literal;
    token.value = json::Value(std::move(text));
    token.column = start + 1;
    return token;
  }

  // `json`: \` is an escaped backtick.
  Result<Token> json_literal() {
    const std::size_t start = pos_;
    auto body = delimited('`');
    if (!body) return body.error();
    std::string text;
    for (std::size_t i = 0; i < body->size(); ++i) {
      if ((*body)[i] == '\\' && i + 1 < body->size() && (*body)[i + 1] == '`') ++i;
      text += (*body)[i];
    }
    auto parsed = json::parse(text, 128);
    if (!parsed) return syntax_error("invalid JSON literal (" + parsed.error().message + ")", start + 1);
    Token token;
    token.type = TokenType::Literal;
    token.value = std::move(*parsed);
    token.column = start + 1;
    return token;
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

}  // namespace

Error syntax_error(std::string_view what, std::size_t column) {
  return Error::invalid("syntax: " + std::string(what) + " at column " + std::to_string(column));
}

Result<std::vector<Token>> tokenize(std::string_view expression) { return Lexer(expression).run(); }

}  // namespace signet::policy::jmespath
