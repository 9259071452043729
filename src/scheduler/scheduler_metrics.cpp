#include "scheduler/scheduler_metrics.hpp"

#include <cstdio>
#include <sstream>

namespace steward::scheduler {

namespace {

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

void counter(std::ostringstream& out, const char* name, const char* help, std::uint64_t value) {
  out << "# HELP " << name << " " << help << "\n# TYPE " << name << " counter\n"
      << name << " " << value << "\n";
}

}  // namespace

void SchedulerMetrics::observe_evaluation(double seconds) {
  ++evaluations_;
  evaluation_seconds_ += seconds;
  for (std::size_t i = 0; i < kBuckets.size(); ++i)
    if (seconds <= kBuckets[i]) ++buckets_[i];
}

std::string SchedulerMetrics::render(
    const std::vector<std::pair<std::string, std::string>>& plans) const {
  std::ostringstream out;
  counter(out, "steward_offers_received_total", "Offers received from the master.",
          offers_received);
  counter(out, "steward_offers_processed_total", "Offers evaluated after reconciliation.",
          offers_processed);
  out << "# HELP steward_offers_declined_total Offers declined, long (idle) or short.\n"
         "# TYPE steward_offers_declined_total counter\n"
      << "steward_offers_declined_total{duration=\"long\"} " << offers_declined_long << "\n"
      << "steward_offers_declined_total{duration=\"short\"} " << offers_declined_short << "\n";
  out << "# HELP steward_operations_total Offer operations sent, by type.\n"
         "# TYPE steward_operations_total counter\n";
  for (const auto& [type, n] : operations)
    out << "steward_operations_total{type=\"" << type << "\"} " << n << "\n";
  out << "# HELP steward_task_statuses_total Task status updates received, by state.\n"
         "# TYPE steward_task_statuses_total counter\n";
  for (const auto& [state, n] : statuses)
    out << "steward_task_statuses_total{state=\"" << state << "\"} " << n << "\n";
  counter(out, "steward_revives_total", "REVIVE calls sent.", revives);
  counter(out, "steward_suppresses_total", "SUPPRESS calls sent.", suppresses);
  counter(out, "steward_state_store_failures_total",
          "Writes the state store refused (a full disk): each is tried again.",
          state_store_failures);
  out << "# HELP steward_acknowledgements_pending Status acknowledgements queued to the "
         "master and not yet answered.\n# TYPE steward_acknowledgements_pending gauge\n"
      << "steward_acknowledgements_pending " << acknowledgements_pending << "\n";
  out << "# HELP steward_plan_status 1 for each plan's current status.\n"
         "# TYPE steward_plan_status gauge\n";
  for (const auto& [plan, status] : plans)
    out << "steward_plan_status{plan=\"" << plan << "\",status=\"" << status << "\"} 1\n";
  out << "# HELP steward_offer_evaluation_seconds Time to evaluate one step against the "
         "offers at hand.\n# TYPE steward_offer_evaluation_seconds histogram\n";
  for (std::size_t i = 0; i < kBuckets.size(); ++i)
    out << "steward_offer_evaluation_seconds_bucket{le=\"" << number(kBuckets[i]) << "\"} "
        << buckets_[i] << "\n";
  out << "steward_offer_evaluation_seconds_bucket{le=\"+Inf\"} " << evaluations_ << "\n"
      << "steward_offer_evaluation_seconds_sum " << number(evaluation_seconds_) << "\n"
      << "steward_offer_evaluation_seconds_count " << evaluations_ << "\n";
  return out.str();
}

}  // namespace steward::scheduler
