// Which replica writes the PolicyReports: the holder of a coordination.k8s.io/v1 Lease. The holder renews
// it every retry period; another replica takes it over once it has seen the same Lease (resourceVersion)
// unchanged for a whole lease duration, measured on its own clock (so clock skew between nodes does not
// matter); a released Lease (no holder) is taken at once. Every write carries the resourceVersion read, so
// of two replicas that try together the API server lets one win and answers the other 409 Conflict.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "crypto/result.hpp"
#include "server/kube/cluster_config.hpp"
#include "server/kube/resource.hpp"

namespace signet::server::kube {

struct LeaderElectionOptions {
  std::string namespace_name;  // where the Lease lives (the release's namespace)
  std::string name = "signet";
  std::string identity;  // this replica; "" = the host name (the pod's name) and a random suffix
  std::chrono::milliseconds lease_duration{15000};
  // A leader that could not renew for this long stops leading (before others may take the Lease over).
  std::chrono::milliseconds renew_deadline{10000};
  std::chrono::milliseconds retry_period{2000};
  std::chrono::milliseconds request_timeout{5000};
};

ResourceType leases();  // coordination.k8s.io/v1 Lease

// Told, on the elector's thread, when this replica starts or stops leading.
using LeadershipChanged = std::function<void(bool leading)>;
// Told what went wrong (`problem`) or what changed, for the log.
using ElectionNote = std::function<void(bool problem, const std::string& message)>;

class LeaderElector {
 public:
  LeaderElector(ClusterConfig config, LeaderElectionOptions options, LeadershipChanged on_change = {},
                ElectionNote on_note = {});
  ~LeaderElector();  // stops (and releases the Lease when held)
  LeaderElector(const LeaderElector&) = delete;
  LeaderElector& operator=(const LeaderElector&) = delete;

  const std::string& identity() const;
  bool leading() const;

  // One round: creates the Lease when there is none, renews it when held, takes it over when it expired
  // or was released. Whether this replica leads afterwards; an error when the API could not be asked
  // (a leader that could not renew within renew_deadline stops leading).
  Result<bool> try_acquire_or_renew();
  // Gives the Lease up when held (no holder), so another replica takes over without waiting.
  Result<void> release();

  // Rounds every retry period on a thread of its own until stop(), which releases the Lease.
  void start();
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace signet::server::kube
