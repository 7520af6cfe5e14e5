#include <catch2/catch.hpp>

#include "oci/ttl_cache.hpp"

using signet::oci::TtlCache;
using namespace std::chrono_literals;

namespace {

// A clock the test moves by hand.
struct ManualClock {
  TtlCache<int>::Clock::time_point now{};
  TtlCache<int>::Now function() {
    return [this] { return now; };
  }
};

}  // namespace

TEST_CASE("a cached value expires after its time", "[oci][cache]") {
  ManualClock clock;
  TtlCache<int> cache(10, SIZE_MAX, clock.function());
  cache.put("tag", 1, 30s);
  clock.now += 29s;
  CHECK(cache.get("tag") == 1);
  clock.now += 1s;
  CHECK_FALSE(cache.get("tag"));
  CHECK(cache.stats().entries == 0);
  CHECK(cache.stats().hits == 1);
  CHECK(cache.stats().misses == 1);
}

TEST_CASE("the least recently used entry is evicted first", "[oci][cache]") {
  TtlCache<int> cache(2);
  cache.put("a", 1, 1h);
  cache.put("b", 2, 1h);
  CHECK(cache.get("a") == 1);  // b is now the least recently used
  cache.put("c", 3, 1h);
  CHECK(cache.get("a") == 1);
  CHECK_FALSE(cache.get("b"));
  CHECK(cache.get("c") == 3);
  CHECK(cache.stats().entries == 2);
}

TEST_CASE("the byte budget bounds the cache and refuses a value larger than all of it", "[oci][cache]") {
  TtlCache<int> cache(100, 10);
  cache.put("a", 1, 1h, 6);
  cache.put("b", 2, 1h, 6);  // a must go to make room
  CHECK_FALSE(cache.get("a"));
  CHECK(cache.get("b") == 2);
  cache.put("huge", 3, 1h, 11);
  CHECK_FALSE(cache.get("huge"));
  CHECK(cache.get("b") == 2);
  CHECK(cache.stats().bytes == 6);
}

TEST_CASE("a cache of no entries keeps nothing, and putting a key again replaces it", "[oci][cache]") {
  TtlCache<int> off(0);
  off.put("a", 1, 1h);
  CHECK_FALSE(off.get("a"));
  TtlCache<int> cache(10, 100);
  cache.put("a", 1, 1h, 40);
  cache.put("a", 2, 1h, 30);
  CHECK(cache.get("a") == 2);
  CHECK(cache.stats().entries == 1);
  CHECK(cache.stats().bytes == 30);
}
