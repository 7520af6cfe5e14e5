#include "crypto/pem.hpp"

#include "crypto/encoding.hpp"

namespace signet::crypto {
namespace {

constexpr std::string_view kBegin = "-----BEGIN ";
constexpr std::string_view kEnd = "-----END ";
constexpr std::string_view kDashes = "-----";

std::string_view trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r");
  if (first == std::string_view::npos) return {};
  const auto last = s.find_last_not_of(" \t\r");
  return s.substr(first, last - first + 1);
}

// Reads the label X of a "-----BEGIN X-----" (or END) line; false when the line is not one.
bool read_boundary(std::string_view line, std::string_view prefix, std::string& label) {
  if (line.size() < prefix.size() + kDashes.size() || !line.starts_with(prefix) || !line.ends_with(kDashes)) {
    return false;
  }
  label = std::string(line.substr(prefix.size(), line.size() - prefix.size() - kDashes.size()));
  return true;
}

std::string excerpt(std::string_view line) {
  constexpr std::size_t kMax = 40;
  std::string out = "'";  // built by appending: GCC 12's -Wrestrict misfires on "'" + string
  out.append(line.substr(0, kMax)).append(line.size() > kMax ? "...'" : "'");
  return out;
}

Error at_line(std::size_t line, std::string what) {
  return Error::invalid("line " + std::to_string(line) + ": " + std::move(what));
}

}  // namespace

Result<std::vector<PemBlock>> parse_pem_blocks(std::string_view text) {
  std::vector<PemBlock> blocks;
  bool inside = false;
  PemBlock current;
  std::string body;
  std::size_t line_number = 0;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto stop = text.find('\n', start);
    if (stop == std::string_view::npos) stop = text.size();
    const auto line = trim(text.substr(start, stop - start));
    start = stop + 1;
    ++line_number;

    std::string label;
    if (!inside) {
      if (line.empty()) continue;
      if (!read_boundary(line, kBegin, label)) {
        return at_line(line_number, "unexpected text outside a PEM block: " + excerpt(line) +
                                        " (expected a '-----BEGIN ...-----' line)");
      }
      current = PemBlock{std::move(label), {}, line_number};
      body.clear();
      inside = true;
      continue;
    }
    if (read_boundary(line, kEnd, label)) {
      if (label != current.label) {
        return at_line(line_number, "'-----END " + label + "-----' does not close '-----BEGIN " + current.label +
                                        "-----' of line " + std::to_string(current.line));
      }
      auto der = base64_decode(body);
      if (!der) {
        return at_line(current.line, "the body of the " + current.label + " block: " + der.error().message);
      }
      if (der->empty()) return at_line(current.line, "the " + current.label + " block is empty");
      current.der = std::move(*der);
      blocks.push_back(std::move(current));
      inside = false;
      continue;
    }
    if (line.starts_with(kBegin)) {
      return at_line(line_number, "a new block begins before '-----BEGIN " + current.label + "-----' of line " +
                                      std::to_string(current.line) + " has ended");
    }
    // RFC 1421 headers ("Proc-Type: ...") only appear in legacy encrypted private keys, which are
    // refused by label later; skipping them keeps the message about the label.
    if (line.find(':') != std::string_view::npos) continue;
    const auto stray = line.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=");
    if (stray != std::string_view::npos) {
      return at_line(line_number, "unexpected " + excerpt(line.substr(stray, 1)) + " in the body of the " +
                                      current.label + " block");
    }
    body += line;
  }
  if (inside) {
    return at_line(current.line, "'-----BEGIN " + current.label + "-----' has no matching END line");
  }
  if (blocks.empty()) return Error::invalid("no PEM block found: the text is empty");
  return blocks;
}

}  // namespace signet::crypto
