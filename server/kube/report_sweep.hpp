// Removes from signet's PolicyReports the results about objects that no longer exist: each sweep looks up
// (GET) at most `checks` of the objects the reports name, carrying on where the last sweep stopped, and
// rewrites (with its resourceVersion) the reports whose objects are gone; a namespace report left empty is
// deleted. An object's kind is mapped to its resource through the API's discovery, so any kind the webhook
// admits is covered. A 404, or an object of the same name with another uid, is gone; a 403 or any other
// answer keeps the results (said once per kind and answer: RBAC needs "get" on the admitted kinds).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>

#include "crypto/result.hpp"
#include "server/kube/api_transport.hpp"
#include "server/kube/report_update.hpp"

namespace signet::server::kube {

using SweepNote = std::function<void(bool problem, const std::string& message)>;

struct SweepOptions {
  std::size_t checks = 200;  // objects looked up per sweep
  std::size_t results_per_report = 1000;
};

struct SweepCounts {
  std::size_t checked = 0;          // objects looked up
  std::size_t gone = 0;             // of which no longer exist
  std::size_t reports_written = 0;  // reports rewritten without their results
  std::size_t reports_deleted = 0;  // namespace reports left empty
};

class ReportSweep {
 public:
  ReportSweep(ApiSend send, ClusterConfig config, SweepOptions options, SweepNote note = {});

  // One sweep; `now` (seconds since the epoch) is when the objects were found gone: results newer than
  // that are kept (written for an object created again under the same name). An error when the reports
  // could not be read or the API server could not be reached.
  Result<SweepCounts> run(std::int64_t now);

 private:
  using ObjectKey = std::tuple<std::string, std::string, std::string, std::string, std::string>;  // apiVersion,
                                                                                                  // kind, ns,
                                                                                                  // name, uid
  Result<void> rewrite(const std::string& ns, std::string report, const std::map<ObjectKey, std::int64_t>& gone,
                       SweepCounts& counts);
  void note_once(const std::string& what, const std::string& message);

  ApiSend send_;
  ClusterConfig config_;
  SweepOptions options_;
  SweepNote note_;
  std::optional<ObjectKey> cursor_;  // the last object looked up
  std::set<std::string> noted_;
};

}  // namespace signet::server::kube
