#include "oci/auth_challenge.hpp"
#include "oci/url.hpp"

namespace signet::oci {
namespace {

constexpr std::size_t kMaxHeader = 8 * 1024;
constexpr std::size_t kMaxChallenges = 16;
constexpr std::size_t kMaxParams = 32;

// tchar of RFC 7230: the characters of a token.
bool is_tchar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~':
      return true;
    default:
      return false;
  }
}

bool is_token68_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_' || c == '~' || c == '+' || c == '/';
}

class Cursor {
 public:
  explicit Cursor(std::string_view text) : text_(text) {}

  bool done() const { return pos_ >= text_.size(); }
  char peek() const { return done() ? '\0' : text_[pos_]; }
  std::size_t pos() const { return pos_; }
  void seek(std::size_t pos) { pos_ = pos; }
  void skip_spaces() {
    while (!done() && (text_[pos_] == ' ' || text_[pos_] == '\t')) ++pos_;
  }
  void skip_spaces_and_commas() {
    while (!done() && (text_[pos_] == ' ' || text_[pos_] == '\t' || text_[pos_] == ',')) ++pos_;
  }
  std::string_view token() {
    const std::size_t start = pos_;
    while (!done() && is_tchar(text_[pos_])) ++pos_;
    return text_.substr(start, pos_ - start);
  }
  // A token68 ends with any number of '='.
  std::string_view token68() {
    const std::size_t start = pos_;
    while (!done() && is_token68_char(text_[pos_])) ++pos_;
    while (!done() && text_[pos_] == '=') ++pos_;
    return text_.substr(start, pos_ - start);
  }
  // quoted-string with backslash escapes; the opening quote is current.
  Result<std::string> quoted() {
    ++pos_;
    std::string out;
    while (!done()) {
      char c = text_[pos_++];
      if (c == '"') return out;
      if (c == '\\') {
        if (done()) break;
        c = text_[pos_++];
      }
      // No control characters (RFC 7230 qdtext): a realm or service holding CR/LF would carry them into
      // requests and messages.
      if ((static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7f)
        return Error::invalid("control character in a quoted string");
      out += c;
    }
    return Error::invalid("unterminated quoted string");
  }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
};

// True when an auth-param (token BWS "=" BWS value) starts at the cursor, rather than a new scheme or a
// token68 ("abc==" ends in '='); leaves the cursor where it was.
bool at_auth_param(Cursor& in) {
  const std::size_t start = in.pos();
  bool is_param = !in.token().empty();
  in.skip_spaces();
  if (is_param && in.peek() == '=') {
    in.seek(in.pos() + 1);
    in.skip_spaces();
    is_param = !in.done() && in.peek() != '=' && in.peek() != ',';
  } else {
    is_param = false;
  }
  in.seek(start);
  return is_param;
}

}  // namespace

std::string AuthChallenge::param(const std::string& name) const {
  const auto it = params.find(name);
  return it == params.end() ? std::string() : it->second;
}

Result<std::vector<AuthChallenge>> parse_auth_challenges(std::string_view header) {
  if (header.size() > kMaxHeader) return Error::invalid("WWW-Authenticate header longer than 8 KiB");
  std::vector<AuthChallenge> challenges;
  Cursor in(header);
  std::size_t param_count = 0;
  in.skip_spaces_and_commas();
  while (!in.done()) {
    const std::string_view scheme = in.token();
    if (scheme.empty()) {
      return Error::invalid("malformed WWW-Authenticate header: expected an auth scheme at offset " +
                            std::to_string(in.pos()));
    }
    if (challenges.size() == kMaxChallenges)
      return Error::invalid("WWW-Authenticate header with more than 16 challenges");
    AuthChallenge challenge;
    challenge.scheme = ascii_lower(scheme);
    const std::size_t after_scheme = in.pos();
    in.skip_spaces();
    if (in.pos() > after_scheme && !in.done() && in.peek() != ',' && !at_auth_param(in)) {
      challenge.token68 = std::string(in.token68());
      if (challenge.token68.empty()) {
        return Error::invalid("malformed WWW-Authenticate header: unexpected character at offset " +
                              std::to_string(in.pos()));
      }
    } else {
      // auth-params, comma separated, until a token that is not followed by '=' starts the next challenge
      // (the cursor then goes back before the comma, which separates the two challenges).
      for (bool first = true;; first = false) {
        const std::size_t before = in.pos();
        in.skip_spaces();
        if (!first) {
          if (in.peek() != ',') {
            in.seek(before);
            break;
          }
          in.skip_spaces_and_commas();
        }
        if (in.done() || !at_auth_param(in)) {
          in.seek(before);
          break;
        }
        const std::string name = ascii_lower(in.token());
        in.skip_spaces();
        in.seek(in.pos() + 1);  // '='
        in.skip_spaces();
        std::string value;
        if (in.peek() == '"') {
          auto quoted = in.quoted();
          if (!quoted) return quoted.error().context("malformed WWW-Authenticate header");
          value = std::move(*quoted);
        } else {
          value = std::string(in.token());
          if (value.empty()) {
            return Error::invalid("malformed WWW-Authenticate header: parameter \"" + name + "\" has no value");
          }
        }
        if (++param_count > kMaxParams) return Error::invalid("WWW-Authenticate header with more than 32 parameters");
        if (!challenge.params.emplace(name, std::move(value)).second) {
          return Error::invalid("malformed WWW-Authenticate header: parameter \"" + name + "\" repeated");
        }
      }
    }
    challenges.push_back(std::move(challenge));
    in.skip_spaces();
    if (!in.done() && in.peek() != ',') {
      return Error::invalid("malformed WWW-Authenticate header: unexpected character at offset " +
                            std::to_string(in.pos()));
    }
    in.skip_spaces_and_commas();
  }
  if (challenges.empty()) return Error::invalid("empty WWW-Authenticate header");
  return challenges;
}

}  // namespace signet::oci
