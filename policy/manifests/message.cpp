#include "policy/manifests/message.hpp"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <memory>
#include <optional>

#include "crypto/encoding.hpp"

namespace signet::policy::manifest {
namespace {

struct InflateEnd {
  void operator()(z_stream* stream) const { inflateEnd(stream); }
};
struct DeflateEnd {
  void operator()(z_stream* stream) const { deflateEnd(stream); }
};

constexpr std::size_t kTarBlock = 512;

// A tar header's numeric field: octal digits (space or NUL terminated), or GNU base-256.
std::optional<std::size_t> tar_number(std::string_view field) {
  if (!field.empty() && (static_cast<unsigned char>(field[0]) & 0x80) != 0) {
    std::size_t value = 0;
    for (std::size_t i = 1; i < field.size(); ++i) {
      if (value > (SIZE_MAX >> 8)) return std::nullopt;
      value = (value << 8) | static_cast<unsigned char>(field[i]);
    }
    return value;
  }
  std::size_t value = 0;
  std::size_t i = 0;
  while (i < field.size() && field[i] == ' ') ++i;
  bool digits = false;
  for (; i < field.size() && field[i] >= '0' && field[i] <= '7'; ++i) {
    if (value > (SIZE_MAX >> 3)) return std::nullopt;
    value = value * 8 + static_cast<std::size_t>(field[i] - '0');
    digits = true;
  }
  if (i < field.size() && field[i] != ' ' && field[i] != '\0') return std::nullopt;
  return digits ? std::optional<std::size_t>(value) : std::optional<std::size_t>(0);
}

bool all_zero(std::string_view block) { return block.find_first_not_of('\0') == std::string_view::npos; }

bool is_marker(std::string_view line) {
  return line.starts_with("---") && (line.size() == 3 || line[3] == ' ' || line[3] == '\t' || line[3] == '\r');
}

// Whether a piece of a YAML stream holds more than markers, directives, blank lines and comments.
bool has_content(std::string_view piece) {
  std::size_t at = 0;
  while (at < piece.size()) {
    const std::size_t end = std::min(piece.find('\n', at), piece.size());
    std::string_view line = piece.substr(at, end - at);
    at = end + 1;
    if (is_marker(line)) line.remove_prefix(3);
    if (line.starts_with("...") || line.starts_with("%")) continue;
    const auto first = line.find_first_not_of(" \t\r");
    if (first != std::string_view::npos && line[first] != '#') return true;
  }
  return false;
}

}  // namespace

bool is_gzip(std::string_view bytes) {
  return bytes.size() >= 2 && static_cast<unsigned char>(bytes[0]) == 0x1f &&
         static_cast<unsigned char>(bytes[1]) == 0x8b;
}

Result<std::string> gunzip(std::string_view compressed, std::size_t max_bytes) {
  z_stream stream{};
  // 16 + MAX_WBITS: gzip framing only.
  if (inflateInit2(&stream, 16 + MAX_WBITS) != Z_OK) return Error::invalid("gzip: cannot start inflating");
  std::unique_ptr<z_stream, InflateEnd> guard(&stream);
  std::string out;
  std::array<char, 16384> buffer{};
  std::string_view rest = compressed;
  while (true) {
    stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(rest.data()));
    stream.avail_in = static_cast<uInt>(std::min<std::size_t>(rest.size(), 1u << 30));
    int status = Z_OK;
    do {
      stream.next_out = reinterpret_cast<Bytef*>(buffer.data());
      stream.avail_out = static_cast<uInt>(buffer.size());
      status = inflate(&stream, Z_NO_FLUSH);
      if (status != Z_OK && status != Z_STREAM_END && status != Z_BUF_ERROR) {
        return Error::invalid(std::string("gzip: corrupt data") +
                              (stream.msg != nullptr ? std::string(": ") + stream.msg : ""));
      }
      const std::size_t produced = buffer.size() - stream.avail_out;
      if (out.size() + produced > max_bytes) {
        return Error::invalid("gzip: decompressed data exceeds " + std::to_string(max_bytes) + " bytes");
      }
      out.append(buffer.data(), produced);
      if (status == Z_BUF_ERROR && produced == 0) break;  // needs more input than there is
    } while (status != Z_STREAM_END && stream.avail_in > 0);
    const std::size_t consumed = rest.size() - stream.avail_in;
    rest.remove_prefix(consumed);
    if (status != Z_STREAM_END) return Error::invalid("gzip: data ends before the end of the stream");
    // Go's reader reads concatenated members too; trailing bytes that are not a member end the data.
    if (!is_gzip(rest)) break;
    if (inflateReset(&stream) != Z_OK) return Error::invalid("gzip: cannot restart inflating");
  }
  return out;
}

std::string gzip(std::string_view bytes) {
  z_stream stream{};
  if (deflateInit2(&stream, Z_BEST_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK) return {};
  std::unique_ptr<z_stream, DeflateEnd> guard(&stream);
  std::string out;
  std::array<char, 16384> buffer{};
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  stream.avail_in = static_cast<uInt>(bytes.size());
  int status = Z_OK;
  do {
    stream.next_out = reinterpret_cast<Bytef*>(buffer.data());
    stream.avail_out = static_cast<uInt>(buffer.size());
    status = deflate(&stream, Z_FINISH);
    out.append(buffer.data(), buffer.size() - stream.avail_out);
  } while (status == Z_OK || status == Z_BUF_ERROR);
  return out;
}

Result<std::vector<std::string>> tar_files(std::string_view archive, std::size_t max_files) {
  std::vector<std::string> files;
  std::size_t offset = 0;
  while (offset + kTarBlock <= archive.size()) {
    const std::string_view header = archive.substr(offset, kTarBlock);
    if (all_zero(header)) break;  // end of archive
    const auto size = tar_number(header.substr(124, 12));
    if (!size) return Error::invalid("tar: entry at byte " + std::to_string(offset) + " has a malformed size");
    offset += kTarBlock;
    if (*size > archive.size() - offset) {
      return Error::invalid("tar: entry at byte " + std::to_string(offset - kTarBlock) + " runs past the archive");
    }
    const char type = header[156];
    // Regular files only ('0' or the old NUL); directories, links and pax/GNU headers carry no YAML.
    if (type == '0' || type == '\0') {
      if (files.size() == max_files) return Error::invalid("tar: more than " + std::to_string(max_files) + " files");
      files.emplace_back(archive.substr(offset, *size));
    }
    const std::size_t padded = (*size + kTarBlock - 1) / kTarBlock * kTarBlock;
    offset += std::min(padded, archive.size() - offset);
  }
  if (offset == 0) return Error::invalid("tar: no entries");
  return files;
}

Result<Message> decode_message(std::string_view annotation, std::size_t max_bytes) {
  auto compressed = crypto::base64_decode(annotation);
  if (!compressed) return compressed.error().context("message annotation is not base64");
  Message message;
  // k8s-manifest-sigstore reads a value that is not gzip as the bytes themselves.
  if (is_gzip(*compressed)) {
    auto inflated = gunzip(*compressed, max_bytes);
    if (!inflated) return inflated.error().context("message annotation");
    message.signed_bytes = std::move(*inflated);
  } else {
    message.signed_bytes = std::move(*compressed);
  }
  if (!is_gzip(message.signed_bytes)) {
    message.yaml_files.push_back(message.signed_bytes);
    return message;
  }
  auto archive = gunzip(message.signed_bytes, max_bytes);
  if (!archive) return archive.error().context("message annotation: inner archive");
  auto files = tar_files(*archive);
  if (!files) return files.error().context("message annotation: inner archive");
  message.yaml_files = std::move(*files);
  return message;
}

Result<std::vector<std::string>> split_documents(std::string_view yaml, std::size_t max_documents) {
  std::vector<std::string> out;
  bool too_many = false;
  auto keep = [&](std::string_view piece) {
    if (!has_content(piece)) return;
    if (out.size() == max_documents) {
      too_many = true;
      return;
    }
    out.emplace_back(piece);
  };
  std::size_t start = 0;
  for (std::size_t line = 0; line < yaml.size();) {
    const std::size_t end = std::min(yaml.find('\n', line), yaml.size());
    if (line > start && is_marker(yaml.substr(line, end - line))) {
      keep(yaml.substr(start, line - start));
      start = line;
    }
    line = end + 1;
  }
  if (start < yaml.size()) keep(yaml.substr(start));
  if (too_many) return Error::invalid("the YAML holds more than " + std::to_string(max_documents) + " documents");
  return out;
}

std::string encode_message(std::string_view yaml) { return crypto::base64_encode(gzip(yaml)); }

}  // namespace signet::policy::manifest
