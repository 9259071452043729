#include "scheduler/task_entry.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "state/record_codec.hpp"

namespace steward::scheduler {
namespace {

using ::testing::HasSubstr;

mesos::Resource reserved(const std::string& name, double amount, const std::string& id) {
  mesos::Resource r;
  r.name = name;
  r.scalar = amount;
  mesos::ReservationInfo ours;
  ours.role = "svc-role";
  ours.principal = "svc-principal";
  ours.labels = {{"resource_id", id}};
  r.reservations = {ours};
  r.allocation_role = "svc-role";
  return r;
}

state::StoredTask launched() {
  state::StoredTask t;
  t.name = "db-2-node";
  t.config_id = "config-7";
  t.info.name = "db-2-node";
  t.info.task_id = "db-2-node__5e1f";
  t.info.agent_id = "agent-S3";
  t.info.resources = {reserved("cpus", 0.5, "rid-1"), reserved("mem", 256, "rid-2")};
  t.info.command = mesos::CommandInfo{};
  t.info.command->value = "./db serve";
  t.info.command->environment = {{"TASK_NAME", "db-2-node"}};
  mesos::CommandCheck check;
  check.command = "test -f ready";
  t.info.check = check;
  t.info.labels = {{"target_configuration", std::string("config-7")},
                   {"task_type", std::string("node")},
                   {"index", std::string("2")},
                   {"permanently-failed", std::nullopt}};
  mesos::ExecutorInfo e;
  e.executor_id = "db__exec";
  e.framework_id = "F-0001";
  e.name = "db";
  e.resources = {reserved("cpus", 0.1, "rid-3")};
  t.info.executor = e;
  return t;
}

TEST(TaskEntry, KeepsTheFieldsItsLoopsReadAndGivesTheWholeTaskBack) {
  const state::StoredTask t = launched();
  const TaskEntry entry(t);
  EXPECT_EQ(entry.name(), "db-2-node");
  EXPECT_EQ(entry.info_name(), "db-2-node");
  EXPECT_EQ(entry.config_id(), "config-7");
  EXPECT_EQ(entry.task_id(), "db-2-node__5e1f");
  EXPECT_EQ(entry.agent_id(), "agent-S3");
  EXPECT_EQ(entry.labels(), t.info.labels);
  EXPECT_TRUE(entry.has_check());
  EXPECT_TRUE(entry.has_resources());
  EXPECT_EQ(entry.label("task_type"), "node");
  EXPECT_EQ(entry.label("permanently-failed"), "");
  EXPECT_TRUE(entry.has_label("permanently-failed"));
  EXPECT_FALSE(entry.has_label("goal_state"));
  EXPECT_EQ(entry.pod(), std::make_pair(std::string("db"), 2));
  EXPECT_EQ(entry.info(), t.info);
  EXPECT_EQ(entry.stored(), t);
  std::vector<std::string> ids;
  entry.for_each_resource_id([&](std::string_view id) { ids.emplace_back(id); });
  EXPECT_EQ(ids, (std::vector<std::string>{"rid-1", "rid-2", "rid-3"}));
}

TEST(TaskEntry, AFootprintWithoutChecksOrResourcesSaysSo) {
  state::StoredTask t;
  t.name = "db-0-node";
  t.info.name = "db-0-node";
  const TaskEntry entry(t);
  EXPECT_TRUE(entry.task_id().empty());
  EXPECT_FALSE(entry.has_check());
  EXPECT_FALSE(entry.has_resources());
  EXPECT_EQ(entry.pod(), std::make_pair(std::string("db-0-node"), 0));  // no labels to split by
  EXPECT_EQ(entry.stored(), t);
}

TEST(TaskEntry, AStoredNameThatDiffersFromTheTaskInfosIsKeptApart) {
  state::StoredTask t = launched();
  t.info.name = "db-2-other";
  const TaskEntry entry(t);
  EXPECT_EQ(entry.name(), "db-2-node");
  EXPECT_EQ(entry.info_name(), "db-2-other");
  // The pod is read off the TaskInfo's name, which does not end in -2-node.
  EXPECT_EQ(entry.pod(), std::make_pair(std::string("db-2-other"), 0));
  EXPECT_EQ(entry.stored(), t);
}

// Entries of one configuration share its id, whatever was made between them (entries of two
// configurations interleave during a rollout); another configuration's entry has its own, and
// copies of an entry keep theirs.
TEST(TaskEntry, EntriesOfOneConfigurationShareItsId) {
  state::StoredTask t = launched();
  const TaskEntry a(t);
  t.config_id = "config-8";
  const TaskEntry c(t);
  t.config_id = "config-7";
  t.name = t.info.name = "db-3-node";
  const TaskEntry b(t);
  const TaskEntry copy = a;  // NOLINT(performance-unnecessary-copy-initialization)
  EXPECT_EQ(&a.config_id(), &b.config_id());
  EXPECT_EQ(&a.config_id(), &copy.config_id());
  EXPECT_NE(&a.config_id(), &c.config_id());
  EXPECT_EQ(c.config_id(), "config-8");
  EXPECT_EQ(a.config_id(), "config-7");
  EXPECT_EQ(b.stored().config_id, "config-7");
}

TEST(TaskEntry, IsReadFromAStoredRecordOrRefusesADamagedOne) {
  const state::StoredTask t = launched();
  const std::string record = state::encode_record(t.info);
  std::string error;
  auto entry = TaskEntry::from_record(t.name, record, t.config_id, error);
  ASSERT_TRUE(entry) << error;
  EXPECT_EQ(entry->stored(), t);
  EXPECT_FALSE(TaskEntry::from_record(t.name, record.substr(0, record.size() - 1), "", error));
  EXPECT_THAT(error, HasSubstr("truncated"));
}

}  // namespace
}  // namespace steward::scheduler
