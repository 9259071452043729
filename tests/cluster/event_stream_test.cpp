#include "cluster/event_stream.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>

namespace steward::cluster {
namespace {

using std::chrono::milliseconds;

TEST(EventStream, EverythingQueuedIsTakenAtOnceInOrder) {
  EventStream stream("s");
  stream.push("one;");
  stream.push("two;");
  stream.push("three;");
  std::string out;
  ASSERT_TRUE(stream.pop_into(out, milliseconds(0), 1024));
  EXPECT_EQ(out, "one;two;three;");
  // Nothing left: the next wait runs out empty-handed and leaves `out` alone.
  EXPECT_FALSE(stream.pop_into(out, milliseconds(0), 1024));
  EXPECT_EQ(out, "one;two;three;");
}

TEST(EventStream, TakingStopsAtTheLimitButNeverTakesNothing) {
  EventStream stream("s");
  stream.push(std::string(10, 'a'));
  stream.push(std::string(10, 'b'));
  stream.push(std::string(10, 'c'));
  stream.push(std::string(40, 'd'));
  std::string out;
  ASSERT_TRUE(stream.pop_into(out, milliseconds(0), 25));
  EXPECT_EQ(out, std::string(10, 'a') + std::string(10, 'b'));  // a third would pass 25
  out.clear();
  ASSERT_TRUE(stream.pop_into(out, milliseconds(0), 25));
  EXPECT_EQ(out, std::string(10, 'c'));  // the next would pass it
  out.clear();
  ASSERT_TRUE(stream.pop_into(out, milliseconds(0), 25));
  EXPECT_EQ(out, std::string(40, 'd'));  // larger than the limit: alone
}

TEST(EventStream, AWaitEndsWithThePushAndAClosedStreamDrainsFirst) {
  EventStream stream("s");
  std::thread pusher([&] { stream.push("late"); });
  std::string out;
  // Waits (up to a deadline far longer than the push takes) and returns with it.
  ASSERT_TRUE(stream.pop_into(out, milliseconds(10000), 1024));
  EXPECT_EQ(out, "late");
  pusher.join();

  stream.push("last");
  stream.close();
  stream.push("dropped");  // after the close: not queued
  EXPECT_FALSE(stream.finished());
  out.clear();
  ASSERT_TRUE(stream.pop_into(out, milliseconds(0), 1024));
  EXPECT_EQ(out, "last");
  EXPECT_TRUE(stream.finished());
  EXPECT_FALSE(stream.pop_into(out, milliseconds(10000), 1024));  // closed: no wait
}

}  // namespace
}  // namespace steward::cluster
