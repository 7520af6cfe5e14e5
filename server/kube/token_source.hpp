// The bearer token signet presents to the API server: fixed, or read from a file again whenever the file
// changes, so a rotated service-account token is used without a restart.
#pragma once

#include <filesystem>
#include <mutex>
#include <string>

#include "crypto/result.hpp"

namespace signet::server::kube {

class TokenSource {
 public:
  // `file` wins over `token` when both are given (kubectl's rule for token and tokenFile).
  TokenSource(std::string token, std::string file);

  // The token now ("" for none). The file is looked at (a stat) every call and read when its size or
  // modification time changed; an unreadable file is an Invalid error naming it.
  Result<std::string> current();

 private:
  std::string token_;
  std::string file_;
  std::mutex mutex_;
  std::filesystem::file_time_type seen_time_{};
  std::uintmax_t seen_size_ = 0;
  bool read_ = false;
};

}  // namespace signet::server::kube
