#include "scheduler/status_queue.hpp"

#include <gtest/gtest.h>

#include <string>

namespace steward::scheduler {
namespace {

mesos::TaskStatus status(int i) {
  mesos::TaskStatus s;
  s.task_id = "task-" + std::to_string(i);
  return s;
}

TEST(StatusQueue, TakesBoundedBatchesOldestFirst) {
  StatusQueue q(256);
  EXPECT_TRUE(q.push(status(0))) << "the first status asks for a flush";
  for (int i = 1; i < 600; ++i)
    EXPECT_FALSE(q.push(status(i))) << "a flush is already on its way";
  int next = 0;
  for (std::size_t expected : {256u, 256u, 88u}) {
    auto batch = q.take();
    ASSERT_EQ(batch.size(), expected);
    for (const auto& s : batch)
      EXPECT_EQ(s.task_id, "task-" + std::to_string(next++));
  }
  EXPECT_TRUE(q.empty());
  EXPECT_TRUE(q.take().empty());
  // Empty again: the next status asks for a flush again.
  EXPECT_TRUE(q.push(status(600)));
  EXPECT_EQ(q.size(), 1u);
}

TEST(StatusQueue, AZeroBoundStillMakesProgress) {
  StatusQueue q(0);
  q.push(status(0));
  q.push(status(1));
  EXPECT_EQ(q.take().size(), 1u);
  EXPECT_EQ(q.take().size(), 1u);
  EXPECT_TRUE(q.empty());
}

}  // namespace
}  // namespace steward::scheduler
