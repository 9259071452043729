#include "scheduler/scheduler_metrics.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace steward::scheduler {
namespace {

using ::testing::HasSubstr;

TEST(SchedulerMetrics, RendersPrometheusText) {
  SchedulerMetrics m;
  m.offers_received = 7;
  m.offers_declined_long = 2;
  m.operations["RESERVE"] = 3;
  m.statuses["TASK_RUNNING"] = 5;
  m.acknowledgements_pending = 4;
  m.observe_evaluation(0.0003);
  m.observe_evaluation(0.02);
  const std::string text = m.render({{"deploy", "COMPLETE"}});
  EXPECT_THAT(text, HasSubstr("# TYPE steward_offers_received_total counter\n"
                              "steward_offers_received_total 7\n"));
  EXPECT_THAT(text, HasSubstr("steward_offers_declined_total{duration=\"long\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("steward_operations_total{type=\"RESERVE\"} 3\n"));
  EXPECT_THAT(text, HasSubstr("steward_task_statuses_total{state=\"TASK_RUNNING\"} 5\n"));
  EXPECT_THAT(text, HasSubstr("steward_plan_status{plan=\"deploy\",status=\"COMPLETE\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("# TYPE steward_acknowledgements_pending gauge\n"
                              "steward_acknowledgements_pending 4\n"));
  // Cumulative buckets: 0.0003 s is under 0.0005, 0.02 s only from 0.05 on.
  EXPECT_THAT(text, HasSubstr("steward_offer_evaluation_seconds_bucket{le=\"0.0001\"} 0\n"));
  EXPECT_THAT(text, HasSubstr("steward_offer_evaluation_seconds_bucket{le=\"0.0005\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("steward_offer_evaluation_seconds_bucket{le=\"0.01\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("steward_offer_evaluation_seconds_bucket{le=\"0.05\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("steward_offer_evaluation_seconds_bucket{le=\"+Inf\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("steward_offer_evaluation_seconds_count 2\n"));
}

}  // namespace
}  // namespace steward::scheduler
