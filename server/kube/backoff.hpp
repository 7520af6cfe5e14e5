// Waits between attempts to reach the API server: doubling from `initial` up to `cap`, each wait drawn
// in [half, whole] so that replicas that lost the API server together do not come back together.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <random>

namespace signet::server::kube {

class Backoff {
 public:
  Backoff(std::chrono::milliseconds initial, std::chrono::milliseconds cap, std::uint64_t seed = std::random_device{}())
      : initial_(initial), cap_(cap), random_(seed) {}

  std::chrono::milliseconds next() {
    const auto whole =
        std::min<std::chrono::milliseconds>(cap_, initial_ * (std::int64_t{1} << std::min(failures_, 20)));
    ++failures_;
    std::uniform_int_distribution<std::int64_t> draw(whole.count() / 2, whole.count());
    return std::chrono::milliseconds(draw(random_));
  }
  void reset() { failures_ = 0; }

 private:
  std::chrono::milliseconds initial_;
  std::chrono::milliseconds cap_;
  std::mt19937_64 random_;
  int failures_ = 0;
};

}  // namespace signet::server::kube
