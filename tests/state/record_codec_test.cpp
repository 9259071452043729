#include "state/record_codec.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <limits>
#include <nlohmann/json.hpp>
#include <random>

#include "mesos/task_info_json.hpp"
#include "state/string_pool.hpp"

namespace steward::state {
namespace {

using ::testing::HasSubstr;

mesos::Resource full_resource(const std::string& name) {
  mesos::Resource r;
  r.name = name;
  r.type = mesos::Resource::Type::ranges;
  r.scalar = 0.125;
  r.ranges = {
      {31000, 31005},
      {std::numeric_limits<std::uint64_t>::max() - 1, std::numeric_limits<std::uint64_t>::max()}};
  r.set = {"a", "", "c"};
  mesos::ReservationInfo base;
  base.type = mesos::ReservationInfo::Type::static_reservation;
  base.role = "slave_public";
  mesos::ReservationInfo ours;
  ours.role = "slave_public/svc-role";
  ours.principal = "svc-principal";
  ours.labels = {{"resource_id", std::string("rid-") + name}, {"bare", std::nullopt}};
  r.reservations = {base, ours};
  r.allocation_role = "svc-role";
  mesos::DiskInfo disk;
  disk.persistence = mesos::DiskInfo::Persistence{"vol-1", "svc-principal"};
  disk.volume = mesos::DiskInfo::Volume{mesos::DiskInfo::Volume::Mode::ro, "data"};
  disk.source = mesos::DiskInfo::Source{mesos::DiskInfo::Source::Type::mount, "/mnt/d1", "fast"};
  r.disk = disk;
  return r;
}

mesos::CommandCheck full_check(mesos::CommandCheck::Type type) {
  mesos::CommandCheck c;
  c.type = type;
  c.command = "test -f ready";
  c.port = 8080;
  c.path = "/health";
  c.scheme = "https";
  c.environment = {{"A", "1"}, {"B", ""}};
  c.delay_seconds = 1.5;
  c.interval_seconds = 2.25;
  c.timeout_seconds = 3;
  c.grace_period_seconds = 4;
  c.consecutive_failures = 7;
  return c;
}

// Every field set, none to its default, so a field the codec forgot fails the round trip.
mesos::TaskInfo full_task() {
  mesos::TaskInfo t;
  t.name = "db-0-node";
  t.task_id = "svc__db-0-node__3f1c";
  t.agent_id = "agent-S7";
  t.resources = {full_resource("cpus"), full_resource("disk")};
  mesos::CommandInfo c;
  c.shell = false;
  c.value = "/bin/db";
  c.arguments = {"db", "--port", "9042", "caf\xc3\xa9", std::string("nul\0byte", 8)};
  c.environment = {{"TASK_NAME", "db-0-node"}, {"EMPTY", ""}};
  c.uris = {{"http://example.org/a.tgz", false, true}, {"file:///b", true, false}};
  c.user = "nobody";
  t.command = c;
  t.health_check = full_check(mesos::CommandCheck::Type::http);
  t.check = full_check(mesos::CommandCheck::Type::tcp);
  t.kill_grace_period_ns = -5;
  t.rlimits = {{"RLMT_NOFILE", 1024, std::nullopt}, {"RLMT_CORE", std::nullopt, 0}};
  t.labels = {{"goal_state", std::string("RUNNING")}, {"flag", std::nullopt}};
  mesos::ExecutorInfo e;
  e.executor_id = "db__exec-1";
  e.framework_id = "F-0000";
  e.name = "db";
  e.resources = {full_resource("mem")};
  t.executor = e;
  return t;
}

mesos::TaskStatus full_status() {
  mesos::TaskStatus s;
  s.task_id = "svc__db-0-node__3f1c";
  s.state = mesos::TaskState::gone_by_operator;
  s.message = "gone";
  s.source = mesos::TaskStatus::Source::executor;
  s.reason = "REASON_COMMAND_EXECUTOR_FAILED";
  s.agent_id = "agent-S7";
  s.executor_id = "db__exec-1";
  s.timestamp = 1700000000.123456;
  s.uuid = "AAECAwQFBgcICQoLDA0ODw==";
  s.healthy = false;
  s.check_exit_code = -2;
  s.check_succeeded = true;
  s.check_http_status = 503;
  s.labels = {{"k", std::string("v")}};
  s.ip_addresses = {"127.0.0.1", "::1"};
  return s;
}

TEST(RecordCodec, ATaskInfoRoundTripsWithEveryField) {
  const mesos::TaskInfo t = full_task();
  std::string error;
  auto back = decode_task_record(encode_record(t), error);
  ASSERT_TRUE(back) << error;
  EXPECT_EQ(*back, t);
}

TEST(RecordCodec, ADefaultTaskInfoRoundTrips) {
  // A footprint not launched yet: empty ids, nothing optional set.
  mesos::TaskInfo t;
  t.name = "db-1-node";
  std::string error;
  auto back = decode_task_record(encode_record(t), error);
  ASSERT_TRUE(back) << error;
  EXPECT_EQ(*back, t);
}

TEST(RecordCodec, ATaskStatusRoundTripsWithEveryField) {
  const mesos::TaskStatus s = full_status();
  std::string error;
  auto back = decode_status_record(encode_record(s), error);
  ASSERT_TRUE(back) << error;
  EXPECT_EQ(*back, s);
  EXPECT_EQ(*decode_status_record(encode_record(mesos::TaskStatus{}), error), mesos::TaskStatus{});
}

TEST(RecordCodec, ARecordIsSmallerThanTheJson) {
  const mesos::TaskInfo t = full_task();
  EXPECT_LT(encode_record(t).size(), mesos::to_json(t).dump().size() / 2);
}

TEST(RecordCodec, ItIsToldFromJsonText) {
  EXPECT_TRUE(is_record(encode_record(full_task())));
  EXPECT_TRUE(is_record(encode_record(full_status())));
  EXPECT_FALSE(is_record(mesos::to_json(full_task()).dump()));
  EXPECT_FALSE(is_record(""));
}

TEST(RecordCodec, EveryTruncationIsAnErrorNotAValue) {
  const std::string task = encode_record(full_task());
  for (std::size_t n = 0; n < task.size(); ++n) {
    std::string error;
    EXPECT_FALSE(decode_task_record(task.substr(0, n), error)) << "cut at " << n;
    EXPECT_FALSE(error.empty());
  }
  const std::string status = encode_record(full_status());
  for (std::size_t n = 0; n < status.size(); ++n) {
    std::string error;
    EXPECT_FALSE(decode_status_record(status.substr(0, n), error)) << "cut at " << n;
  }
}

TEST(RecordCodec, TrailingBytesAnotherKindAndAnotherVersionAreRefused) {
  std::string error;
  EXPECT_FALSE(decode_task_record(encode_record(full_task()) + "x", error));
  EXPECT_THAT(error, HasSubstr("after the last field"));
  EXPECT_FALSE(decode_task_record(encode_record(full_status()), error));
  EXPECT_THAT(error, HasSubstr("another kind"));
  std::string later = encode_record(full_task());
  later[2] = 9;
  EXPECT_FALSE(decode_task_record(later, error));
  EXPECT_THAT(error, HasSubstr("record format 9"));
  EXPECT_FALSE(decode_task_record("{\"name\":\"x\"}", error));
  EXPECT_THAT(error, HasSubstr("not a record"));
}

TEST(RecordCodec, AHugeCountIsDamageNotAnAllocation) {
  // Header, then the name's length as the largest varint there is.
  std::string bytes = encode_record(mesos::TaskInfo{}).substr(0, 3);
  bytes += std::string(9, '\xff') + '\x01';
  std::string error;
  EXPECT_FALSE(decode_task_record(bytes, error));
  EXPECT_THAT(error, HasSubstr("truncated"));
  // A varint longer than 64 bits.
  bytes = encode_record(mesos::TaskInfo{}).substr(0, 3) + std::string(10, '\xff') + '\x01';
  EXPECT_FALSE(decode_task_record(bytes, error));
  EXPECT_THAT(error, HasSubstr("out of range"));
}

TEST(RecordCodec, DamagedBytesGiveAValueOrAnErrorNeverACrash) {
  // Under the sanitizers, any read out of bounds or bad enum fails this test.
  std::mt19937 rng(42);
  const std::string task = encode_record(full_task());
  const std::string status = encode_record(full_status());
  int refused = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string bytes = i % 2 ? task : status;
    for (int flips = 1 + static_cast<int>(rng() % 4); flips > 0; --flips)
      bytes[3 + rng() % (bytes.size() - 3)] = static_cast<char>(rng());
    std::string error;
    const bool ok = i % 2 ? decode_task_record(bytes, error).has_value()
                          : decode_status_record(bytes, error).has_value();
    if (!ok) {
      ++refused;
      EXPECT_FALSE(error.empty());
    }
  }
  EXPECT_GT(refused, 0);
}

// What a split gives back: the rest decoded, with the three fields it left out set again.
std::optional<mesos::TaskInfo> join(const SplitTaskRecord& split) {
  std::string error;
  auto info = decode_task_rest(split.rest, error);
  if (!info) return std::nullopt;
  if (!info->name.empty() || !info->task_id.empty() || !info->agent_id.empty())
    return std::nullopt;  // the rest must leave them empty
  info->name = split.name;
  info->task_id = split.task_id;
  info->agent_id = split.agent_id;
  return info;
}

TEST(RecordCodec, ASplitRecordJoinsBackIntoTheTask) {
  mesos::TaskInfo bare;
  bare.name = "db-1-node";
  mesos::TaskInfo no_check = full_task();
  no_check.check.reset();
  no_check.resources.clear();
  for (const mesos::TaskInfo& t : {full_task(), bare, no_check}) {
    const std::string record = encode_record(t);
    std::string error;
    auto split = split_task_record(record, error);
    ASSERT_TRUE(split) << error;
    EXPECT_EQ(split->name, t.name);
    EXPECT_EQ(split->task_id, t.task_id);
    EXPECT_EQ(split->agent_id, t.agent_id);
    EXPECT_EQ(read_labels(split->rest, split->labels_at), t.labels);
    EXPECT_EQ(split->has_check, t.check.has_value());
    EXPECT_EQ(split->has_resources, !t.resources.empty());
    EXPECT_EQ(join(*split), t);
    // The rest holds no more than it must: the record less the three fields, and no larger.
    mesos::TaskInfo cold = t;
    cold.name.clear();
    cold.task_id.clear();
    cold.agent_id.clear();
    EXPECT_EQ(decode_task_rest(split->rest, error), cold);
    EXPECT_LE(split->rest.size(), encode_record(cold).size() + 8);
  }
}

// A string that another task's record held too is kept once, in the process's pool, and the
// rest refers to it; what one record alone holds (its ids) stays in the rest.
// A task whose strings, but for a few common words, no other test's tasks hold.
mesos::TaskInfo pooled_task(const std::string& tag, int index, const std::string& id) {
  mesos::TaskInfo t;
  t.name = tag + "-" + std::to_string(index) + "-node";
  t.task_id = id;
  t.agent_id = tag + "-agent";
  for (const char* name : {"cpus", "mem", "disk"}) {
    mesos::Resource r;
    r.name = name;
    r.scalar = 1;
    mesos::ReservationInfo ours;
    ours.role = tag + "-role";
    ours.principal = tag + "-principal";
    ours.labels = {{"resource_id", id + "-" + name}};
    r.reservations = {ours};
    t.resources.push_back(r);
  }
  mesos::CommandInfo c;
  c.value = "./" + tag + " --serve --data-dir data";
  c.environment = {{"FRAMEWORK_NAME", tag + "-service"}, {"TASK_ID", id}};
  t.command = c;
  t.labels = {{"goal_state", std::string("RUNNING")},
              {"target_configuration", tag + "-configuration"}};
  return t;
}

// A tag no earlier run in this process used: the pool is the process's, and keeps what it
// saw (gtest_repeat runs a test again in the same process).
std::string fresh_tag(const std::string& prefix) {
  static int runs = 0;
  return prefix + std::to_string(++runs);
}

TEST(RecordCodec, ARestRefersToTheStringsOtherRecordsRepeat) {
  const std::string tag = fresh_tag("pooled");
  const mesos::TaskInfo first = pooled_task(tag, 0, tag + "-first-task-id");
  const mesos::TaskInfo second = pooled_task(tag, 1, tag + "-second-task-id");
  std::string error;
  auto one = split_task_record(encode_record(first), error);
  ASSERT_TRUE(one) << error;
  const std::uint32_t kept = StringPool::shared().size();
  auto two = split_task_record(encode_record(second), error);
  ASSERT_TRUE(two) << error;
  // The role, principal, command and values of this tag that `first` held too are numbers
  // now (about 150 bytes of them, five new strings; the common keys may be kept already);
  // the ids stay.
  EXPECT_GE(StringPool::shared().size(), kept + 5);
  EXPECT_LT(two->rest.size() + 100, one->rest.size());
  EXPECT_EQ(join(*two), second);
  EXPECT_EQ(join(*one), first);
  EXPECT_EQ(read_labels(two->rest, two->labels_at), second.labels);
  EXPECT_EQ(find_label(two->rest, two->labels_at, "target_configuration").value,
            tag + "-configuration");
  // Its own ids are in the rest itself.
  EXPECT_NE(two->rest.find(tag + "-second-task-id-cpus"), std::string::npos);
  std::vector<std::string> ids;
  ASSERT_TRUE(for_each_resource_id(
      two->rest, [&](std::string_view id) { ids.emplace_back(id); }, error));
  EXPECT_THAT(ids, ::testing::ElementsAre(tag + "-second-task-id-cpus", tag + "-second-task-id-mem",
                                          tag + "-second-task-id-disk"));
  // The same task split again refers to the same strings and adds none of its own.
  const std::uint32_t after = StringPool::shared().size();
  auto three =
      split_task_record(encode_record(pooled_task(tag, 1, tag + "-second-task-id")), error);
  ASSERT_TRUE(three) << error;
  EXPECT_EQ(StringPool::shared().size(), after);
  EXPECT_EQ(three->rest, two->rest);
  // A string one task's record holds twice is not kept on that account.
  mesos::TaskInfo twice = full_task();
  twice.labels = {{"twice-key-1", std::string("twice, in one record")},
                  {"twice-key-2", std::string("twice, in one record")}};
  const std::uint32_t before_twice = StringPool::shared().size();
  auto twice_split = split_task_record(encode_record(twice), error);
  ASSERT_TRUE(twice_split) << error;
  EXPECT_NE(twice_split->rest.find("twice, in one record"), std::string::npos);
  for (std::uint32_t id = before_twice; id < StringPool::shared().size(); ++id)
    EXPECT_NE(StringPool::shared().find(id), "twice, in one record");
}

// The tasks of one pod hold its executor: the executor's id and its resources' ids are that
// pod's alone and stay in each task's rest, while what executors of other pods hold too (the
// framework id, roles) is kept once.
TEST(RecordCodec, APodsExecutorIdsAreNotKeptForItsTasksSharingThem) {
  const std::string tag = fresh_tag("executor");
  auto with_executor = [&](int pod, const std::string& task) {
    mesos::TaskInfo t = pooled_task(tag, pod, tag + "-" + task + "-id");
    t.name = tag + "-" + std::to_string(pod) + "-" + task;
    mesos::ExecutorInfo e;
    e.executor_id = tag + "__executor-of-pod-" + std::to_string(pod);
    e.framework_id = tag + "-framework-id";
    e.name = tag;
    mesos::Resource r;
    r.name = "cpus";
    r.scalar = 0.1;
    mesos::ReservationInfo ours;
    ours.role = tag + "-role";
    ours.principal = tag + "-principal";
    ours.labels = {{"resource_id", tag + "-executor-resource-of-pod-" + std::to_string(pod)}};
    r.reservations = {ours};
    e.resources = {r};
    t.executor = e;
    return t;
  };
  std::string error;
  const std::uint32_t before = StringPool::shared().size();
  // Two tasks of pod 0, split in turn, then again (a relaunch puts them again).
  for (int round = 0; round < 2; ++round) {
    for (const char* task : {"server", "sidecar"}) {
      auto split = split_task_record(encode_record(with_executor(0, task)), error);
      ASSERT_TRUE(split) << error;
      EXPECT_NE(split->rest.find(tag + "__executor-of-pod-0"), std::string::npos);
      EXPECT_NE(split->rest.find(tag + "-executor-resource-of-pod-0"), std::string::npos);
      EXPECT_EQ(decode_task_rest(split->rest, error)->executor, with_executor(0, task).executor);
    }
  }
  // A task of another pod: its executor's framework id is now a number in its rest.
  auto other = split_task_record(encode_record(with_executor(1, "server")), error);
  ASSERT_TRUE(other) << error;
  EXPECT_EQ(other->rest.find(tag + "-framework-id"), std::string::npos);
  EXPECT_NE(other->rest.find(tag + "__executor-of-pod-1"), std::string::npos);
  auto pool_holds = [&](const std::string& s) {
    for (std::uint32_t id = before; id < StringPool::shared().size(); ++id)
      if (StringPool::shared().find(id) == s) return true;
    return false;
  };
  EXPECT_TRUE(pool_holds(tag + "-framework-id"));
  EXPECT_FALSE(pool_holds(tag + "__executor-of-pod-0"));
  EXPECT_FALSE(pool_holds(tag + "-executor-resource-of-pod-0"));
}

// A rest is for memory, a record for the store: neither reads as the other, and a rest that
// names a string the pool does not hold is refused rather than read.
TEST(RecordCodec, ARestIsNeverReadAsARecordNorARecordAsARest) {
  const std::string record = encode_record(full_task());
  std::string error;
  auto split = split_task_record(record, error);
  ASSERT_TRUE(split) << error;
  EXPECT_FALSE(decode_task_record(split->rest, error));
  EXPECT_FALSE(split_task_record(split->rest, error));
  EXPECT_FALSE(decode_task_rest(record, error));
  EXPECT_FALSE(for_each_resource_id(
      record, [](std::string_view) {}, error));
  EXPECT_TRUE(for_each_resource_id(
      split->rest, [](std::string_view) {}, error))
      << error;
  // A rest whose first string is number 2^40 (odd: a number, not a length).
  std::string unknown = split->rest.substr(0, 3);
  for (std::uint64_t v = (std::uint64_t{1} << 41) + 1; v; v >>= 7)
    unknown += static_cast<char>((v >= 0x80 ? 0x80 : 0) | (v & 0x7F));
  unknown += split->rest.substr(4);
  EXPECT_FALSE(decode_task_rest(unknown, error));
  EXPECT_THAT(error, HasSubstr("a string the pool does not hold"));
}

// Labels are read in place from a split's rest: the first of a key, with or without a
// value, as label_of() reads a decoded task's; nothing from bytes that are not a rest.
TEST(RecordCodec, ASplitsLabelsAreFoundInPlace) {
  mesos::TaskInfo t = full_task();
  t.labels = {{"goal_state", std::string("RUNNING")},
              {"flag", std::nullopt},
              {"empty", std::string()},
              {"goal_state", std::string("FINISH")}};
  std::string error;
  auto split = split_task_record(encode_record(t), error);
  ASSERT_TRUE(split) << error;
  FoundLabel goal = find_label(split->rest, split->labels_at, "goal_state");
  EXPECT_TRUE(goal.found);
  EXPECT_TRUE(goal.has_value);
  EXPECT_EQ(goal.value, "RUNNING");
  FoundLabel flag = find_label(split->rest, split->labels_at, "flag");
  EXPECT_TRUE(flag.found);
  EXPECT_FALSE(flag.has_value);
  FoundLabel empty = find_label(split->rest, split->labels_at, "empty");
  EXPECT_TRUE(empty.found);
  EXPECT_TRUE(empty.has_value);
  EXPECT_EQ(empty.value, "");
  EXPECT_FALSE(find_label(split->rest, split->labels_at, "goal").found);
  EXPECT_FALSE(find_label(split->rest, split->labels_at, "").found);
  // An offset outside the record or other bytes find nothing, and read no label.
  EXPECT_FALSE(find_label(split->rest, split->rest.size() + 1, "goal_state").found);
  EXPECT_FALSE(find_label("", 0, "goal_state").found);
  EXPECT_TRUE(read_labels(split->rest, 0).empty());
  EXPECT_TRUE(read_labels(encode_record(full_status()), 3).empty());
  t.labels.clear();
  split = split_task_record(encode_record(t), error);
  ASSERT_TRUE(split) << error;
  EXPECT_FALSE(find_label(split->rest, split->labels_at, "goal_state").found);
  EXPECT_TRUE(read_labels(split->rest, split->labels_at).empty());
}

TEST(RecordCodec, ASplitAcceptsExactlyWhatADecodeAccepts) {
  // A record the split accepted but a decode would refuse would fail later, when the task is
  // launched or shown, instead of at the start; so every truncation and random damage is
  // tried on both, and whatever both accept must join back into what the decode gives.
  const std::string task = encode_record(full_task());
  for (std::size_t n = 0; n < task.size(); ++n) {
    std::string error;
    EXPECT_FALSE(split_task_record(task.substr(0, n), error)) << "cut at " << n;
    EXPECT_FALSE(error.empty());
  }
  std::string error;
  EXPECT_FALSE(split_task_record(task + "x", error));
  EXPECT_THAT(error, HasSubstr("after the last field"));
  EXPECT_FALSE(split_task_record(encode_record(full_status()), error));
  std::mt19937 rng(7);
  int refused = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string bytes = task;
    for (int flips = 1 + static_cast<int>(rng() % 4); flips > 0; --flips)
      bytes[3 + rng() % (bytes.size() - 3)] = static_cast<char>(rng());
    std::string decode_error, split_error;
    auto decoded = decode_task_record(bytes, decode_error);
    auto split = split_task_record(bytes, split_error);
    ASSERT_EQ(decoded.has_value(), split.has_value())
        << "decode: " << decode_error << "; split: " << split_error;
    if (!decoded) {
      ++refused;
      EXPECT_EQ(split_error, decode_error);
      continue;
    }
    // As bytes: a NaN made by the damage is unequal to itself.
    auto joined = join(*split);
    ASSERT_TRUE(joined);
    EXPECT_EQ(encode_record(*joined), encode_record(*decoded));
  }
  EXPECT_GT(refused, 0);
}

// The resource ids a decoded task gives, as the scheduler read them before: Resource::label.
std::vector<std::string> decoded_ids(const mesos::TaskInfo& t) {
  std::vector<std::string> ids;
  for (const mesos::Resource& r : t.resources)
    if (auto id = r.label("resource_id")) ids.push_back(*id);
  if (t.executor)
    for (const mesos::Resource& r : t.executor->resources)
      if (auto id = r.label("resource_id")) ids.push_back(*id);
  return ids;
}

// The ids read off the rest of the record's split.
std::optional<std::vector<std::string>> scanned_ids(std::string_view record, std::string& error) {
  const std::optional<SplitTaskRecord> split = split_task_record(record, error);
  if (!split) return std::nullopt;
  std::vector<std::string> ids;
  if (!for_each_resource_id(
          split->rest, [&](std::string_view id) { ids.emplace_back(id); }, error))
    return std::nullopt;
  return ids;
}

TEST(RecordCodec, ResourceIdsAreReadOffARecordAsResourceLabelReadsThem) {
  mesos::TaskInfo t = full_task();
  // Read from the last reservation only, the first such label, "" without a value.
  mesos::Resource older_only = full_resource("gpus");
  older_only.reservations.front().labels = {{"resource_id", std::string("stale")}};
  older_only.reservations.back().labels = {{"other", std::string("x")}};
  mesos::Resource twice = full_resource("ports");
  twice.reservations.back().labels = {{"resource_id", std::nullopt},
                                      {"resource_id", std::string("second")}};
  mesos::Resource unreserved;
  unreserved.name = "cpus";
  t.resources.push_back(older_only);
  t.resources.push_back(twice);
  t.resources.push_back(unreserved);
  std::string error;
  auto ids = scanned_ids(encode_record(t), error);
  ASSERT_TRUE(ids) << error;
  EXPECT_EQ(*ids, (std::vector<std::string>{"rid-cpus", "rid-disk", "", "rid-mem"}));
  EXPECT_EQ(*ids, decoded_ids(t));
}

TEST(RecordCodec, ResourceIdsAreReadOnlyFromARecordThatDecodes) {
  const std::string task = encode_record(full_task());
  std::mt19937 rng(11);
  for (int i = 0; i < 20000; ++i) {
    std::string bytes = task;
    for (int flips = 1 + static_cast<int>(rng() % 4); flips > 0; --flips)
      bytes[3 + rng() % (bytes.size() - 3)] = static_cast<char>(rng());
    std::string decode_error, scan_error;
    auto decoded = decode_task_record(bytes, decode_error);
    auto ids = scanned_ids(bytes, scan_error);
    ASSERT_EQ(decoded.has_value(), ids.has_value()) << decode_error << "; " << scan_error;
    if (decoded) {
      EXPECT_EQ(*ids, decoded_ids(*decoded));
    }
  }
  std::string error;
  EXPECT_FALSE(scanned_ids(task.substr(0, task.size() - 1), error));
  EXPECT_THAT(error, HasSubstr("truncated"));
}

}  // namespace
}  // namespace steward::state
