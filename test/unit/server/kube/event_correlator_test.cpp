#include <catch2/catch.hpp>

#include "server/kube/event_correlator.hpp"

namespace signet::server::kube {
namespace {

TEST_CASE("the event correlator finds an Event seen within its window, and forgets the least recent first",
          "[kube][reports]") {
  EventCorrelator correlator(2, std::chrono::minutes(10));
  correlator.record("a", {"team", "web.1", 1, 1000});
  REQUIRE(correlator.find("a", 1000 + 600));
  CHECK(correlator.find("a", 1600)->name == "web.1");
  CHECK_FALSE(correlator.find("a", 1000 + 601));  // more than ten minutes since it was last seen
  CHECK_FALSE(correlator.find("b", 1000));

  correlator.record("b", {"team", "api.1", 1, 1000});
  correlator.record("a", {"team", "web.1", 2, 1100});  // seen again: the most recent now
  correlator.record("c", {"team", "db.1", 1, 1100});   // over capacity: "b" goes
  CHECK(correlator.size() == 2);
  CHECK_FALSE(correlator.find("b", 1100));
  CHECK(correlator.find("a", 1100)->count == 2);
  correlator.forget("a");
  CHECK_FALSE(correlator.find("a", 1100));
}

}  // namespace
}  // namespace signet::server::kube
