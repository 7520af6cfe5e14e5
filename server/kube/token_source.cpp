#include "server/kube/token_source.hpp"

#include <fstream>
#include <sstream>

namespace signet::server::kube {

TokenSource::TokenSource(std::string token, std::string file) : token_(std::move(token)), file_(std::move(file)) {}

Result<std::string> TokenSource::current() {
  std::lock_guard lock(mutex_);
  if (file_.empty()) return token_;
  std::error_code time_ec, size_ec;
  const auto time = std::filesystem::last_write_time(file_, time_ec);
  const auto size = std::filesystem::file_size(file_, size_ec);
  if (time_ec || size_ec) return Error::invalid("cannot read the token file " + file_ + ": " + time_ec.message());
  if (read_ && time == seen_time_ && size == seen_size_) return token_;
  std::ifstream in(file_, std::ios::binary);
  if (!in) return Error::invalid("cannot read the token file " + file_);
  std::ostringstream content;
  content << in.rdbuf();
  std::string token = content.str();
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r' || token.back() == ' ')) token.pop_back();
  token_ = std::move(token);
  seen_time_ = time;
  seen_size_ = size;
  read_ = true;
  return token_;
}

}  // namespace signet::server::kube
