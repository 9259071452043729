#include "cluster/save_budget.hpp"

#include <gtest/gtest.h>

namespace steward::cluster {
namespace {

TEST(SaveBudget, ASmallClustersHandOffSavesSeveralTimesInARow) {
  SaveBudget budget(10, 0.02);
  double now = 100;
  int saved = 0;
  // Saves of 3 ms, one right after another: the bank of 20 ms (and what refills meanwhile,
  // 0.3 ms a save) lets eight go.
  while (budget.may_save(now) && saved < 100) {
    budget.spent(0.003);
    now += 0.003;
    ++saved;
  }
  EXPECT_EQ(saved, 8);
  // Then they are spaced: ten times what is owed.
  const double wait = budget.wait();
  EXPECT_GT(wait, 0.0);
  EXPECT_LE(wait, 0.03 + 1e-9);
  EXPECT_FALSE(budget.may_save(now + wait / 2));
  EXPECT_TRUE(budget.may_save(now + wait));
}

TEST(SaveBudget, ALargeSaveIsSpacedByTenTimesItsCost) {
  SaveBudget budget(10, 0.02);
  ASSERT_TRUE(budget.may_save(0));
  budget.spent(0.25);  // a cluster of 10,000 tasks
  EXPECT_NEAR(budget.wait(), 2.3, 1e-9);
  EXPECT_FALSE(budget.may_save(1.0));
  EXPECT_FALSE(budget.may_save(2.25));
  EXPECT_TRUE(budget.may_save(2.3));
  budget.spent(0.25);
  // Nothing banked any more: the next waits the whole ten times.
  EXPECT_NEAR(budget.wait(), 2.5, 1e-9);
}

TEST(SaveBudget, SavingAsOftenAsAllowedTakesATenthOfTheTime) {
  SaveBudget budget(10, 0.02);
  double now = 0;
  double saving = 0;
  const double end = 100;
  while (now < end) {
    if (budget.may_save(now)) {
      budget.spent(0.004);
      saving += 0.004;
      now += 0.004;
    } else {
      now += budget.wait() > 0 ? budget.wait() : 0.001;
    }
  }
  EXPECT_LE(saving, end / 10 + 0.02 + 0.004);
  EXPECT_GE(saving, end / 10 - 0.01);
}

TEST(SaveBudget, IdleTimeBanksNoMoreThanTheBurst) {
  SaveBudget budget(10, 0.02);
  ASSERT_TRUE(budget.may_save(0));
  // An hour idle, then saves of 5 ms at one instant: the bank lets five go (the fifth starts
  // with it at 0), not an hour's worth.
  int saved = 0;
  double now = 3600;
  while (budget.may_save(now) && saved < 100) {
    budget.spent(0.005);
    ++saved;
  }
  EXPECT_EQ(saved, 5);
}

TEST(SaveBudget, TheDaemonsBudgetBanksATenthOfASecond) {
  SaveBudget budget;
  ASSERT_TRUE(budget.may_save(0));
  budget.spent(0.1);
  EXPECT_EQ(budget.wait(), 0.0);
  EXPECT_TRUE(budget.may_save(0));
  budget.spent(0.001);
  EXPECT_NEAR(budget.wait(), 0.01, 1e-9);
}

}  // namespace
}  // namespace steward::cluster
