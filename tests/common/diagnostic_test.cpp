#include "common/diagnostic.hpp"

#include <gtest/gtest.h>

namespace steward {
namespace {

TEST(Diagnostics, RendersFileLineColumnPathAndFix) {
  Diagnostics d;
  d.error({"svc.yml", 12, 7}, "pods.world.tasks.server.cpus", "must be greater than 0, got -1",
          "write a positive number");
  d.warning({"svc.yml", 3, 0}, "", "template variable X is not set");
  d.sort();
  ASSERT_EQ(d.items().size(), 2u);
  EXPECT_EQ(d.items()[0].to_string(), "svc.yml:3: warning: template variable X is not set");
  EXPECT_EQ(d.items()[1].to_string(),
            "svc.yml:12:7: error: pods.world.tasks.server.cpus: must be greater than 0, got -1 "
            "(fix: write a positive number)");
  EXPECT_EQ(d.error_count(), 1u);
  EXPECT_EQ(d.warning_count(), 1u);
  EXPECT_TRUE(d.has_errors());
}

}  // namespace
}  // namespace steward
