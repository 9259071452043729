#pragma once

// The scheduler's counters, gauges and the offer-evaluation histogram, kept by its event loop
// and rendered in the Prometheus text format for GET /v1/metrics/prometheus.

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace steward::scheduler {

class SchedulerMetrics {
 public:
  std::uint64_t offers_received = 0;
  std::uint64_t offers_processed = 0;
  std::uint64_t offers_declined_long = 0;
  std::uint64_t offers_declined_short = 0;
  std::uint64_t revives = 0;
  std::uint64_t suppresses = 0;
  // ACKNOWLEDGEs queued and not yet answered (a gauge, read when the metrics are rendered).
  std::uint64_t acknowledgements_pending = 0;
  std::uint64_t state_store_failures = 0;           // writes the state store refused
  std::map<std::string, std::uint64_t> operations;  // RESERVE, CREATE, LAUNCH_GROUP, ...
  std::map<std::string, std::uint64_t> statuses;    // TASK_RUNNING, ...

  // One step evaluated against the offers at hand, in seconds.
  void observe_evaluation(double seconds);

  // Plan name -> status name, for the gauges.
  std::string render(const std::vector<std::pair<std::string, std::string>>& plans) const;

 private:
  static constexpr std::array<double, 8> kBuckets = {0.0001, 0.0005, 0.001, 0.005,
                                                     0.01,   0.05,   0.1,   0.5};
  std::array<std::uint64_t, kBuckets.size()> buckets_{};
  std::uint64_t evaluations_ = 0;
  double evaluation_seconds_ = 0;
};

}  // namespace steward::scheduler
