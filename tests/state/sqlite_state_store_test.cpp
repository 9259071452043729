#include "state/sqlite_state_store.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <sqlite3.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <future>
#include <nlohmann/json.hpp>

#include "mesos/task_info_json.hpp"
#include "mesos/task_status_json.hpp"
#include "state/locked_state_store.hpp"
#include "state/record_codec.hpp"

namespace steward::state {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

class SqliteStateStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("steward-state-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string dir() const { return dir_.string(); }

  static StoredTask sample(const std::string& name, const std::string& task_id) {
    StoredTask t;
    t.name = name;
    t.config_id = "config-1";
    t.info.name = name;
    t.info.task_id = task_id;
    t.info.agent_id = "S0";
    mesos::Resource cpus;
    cpus.name = "cpus";
    cpus.scalar = 0.5;
    mesos::ReservationInfo r;
    r.role = "hello-world-role";
    r.principal = "p";
    r.labels = {{"resource_id", std::string("rid-") + name}};
    cpus.reservations = {r};
    t.info.resources = {cpus};
    t.info.command = mesos::CommandInfo{};
    t.info.command->value = "echo hello";
    t.info.labels = {{"target_configuration", std::string("config-1")}};
    return t;
  }

  fs::path dir_;
};

TEST_F(SqliteStateStoreTest, EverythingSurvivesReopening) {
  mesos::TaskStatus status;
  status.task_id = "hello-0-server__1";
  status.state = mesos::TaskState::running;
  status.agent_id = "S0";
  status.timestamp = 1700000000.5;
  status.healthy = true;
  {
    SqliteStateStore store(dir());
    store.set_framework_id("M-0000");
    store.store_tasks(
        {sample("hello-0-server", "hello-0-server__1"), sample("world-0-server", "")});
    store.store_status("hello-0-server", status);
    store.set_goal_override("world-0-server",
                            {GoalOverride::Goal::paused, GoalOverride::Progress::in_progress});
    store.set_property("uninstalling", "false");
    store.set_property("binary", std::string("a\0b", 3));
    store.store_config("config-1", R"({"name":"hello-world"})");
    store.set_target_config("config-1");
  }
  SqliteStateStore store(dir());
  EXPECT_EQ(store.framework_id(), "M-0000");
  auto tasks = store.tasks();
  ASSERT_EQ(tasks.size(), 2u);
  EXPECT_EQ(tasks[0], sample("hello-0-server", "hello-0-server__1"));
  EXPECT_EQ(tasks[1].info.task_id, "") << "a footprint-only entry keeps its empty task id";
  EXPECT_EQ(store.status("hello-0-server"), status);
  EXPECT_FALSE(store.status("world-0-server"));
  EXPECT_EQ(store.goal_override("world-0-server").goal, GoalOverride::Goal::paused);
  EXPECT_EQ(store.goal_override("world-0-server").progress, GoalOverride::Progress::in_progress);
  EXPECT_EQ(store.goal_override("hello-0-server").goal, GoalOverride::Goal::none);
  EXPECT_EQ(store.property("binary"), std::string("a\0b", 3));
  EXPECT_EQ(store.property_keys(), (std::vector<std::string>{"binary", "uninstalling"}));
  EXPECT_EQ(store.target_config(), "config-1");
  EXPECT_EQ(store.config("config-1"), R"({"name":"hello-world"})");
}

TEST_F(SqliteStateStoreTest, ABatchReachesTheDiskWhole) {
  mesos::TaskStatus running;
  running.task_id = "t1";
  running.state = mesos::TaskState::running;
  {
    SqliteStateStore store(dir());
    store.begin_batch();
    store.store_tasks({sample("a-0-server", "t1")});  // a transaction of its own joins the batch
    store.store_status("a-0-server", running);
    store.set_property("p", "1");
    store.abort_batch();
    EXPECT_FALSE(store.task("a-0-server"));
    EXPECT_FALSE(store.status("a-0-server"));
    EXPECT_FALSE(store.property("p"));

    store.begin_batch();
    store.store_tasks({sample("a-0-server", "t1")});
    store.store_status("a-0-server", running);
    store.set_property("p", "1");
    store.commit_batch();
  }
  SqliteStateStore reopened(dir());
  EXPECT_TRUE(reopened.task("a-0-server"));
  ASSERT_TRUE(reopened.status("a-0-server"));
  EXPECT_EQ(reopened.status("a-0-server")->state, mesos::TaskState::running);
  EXPECT_EQ(reopened.property("p"), "1");
}

// Statuses and tasks are written through statements prepared once and reused: each call
// stores its own values, in and out of batches, and after an aborted one.
TEST_F(SqliteStateStoreTest, EachWriteOfAReusedStatementStoresItsOwnValues) {
  auto status = [](int i) {
    mesos::TaskStatus s;
    s.task_id = "t" + std::to_string(i);
    s.state = i % 2 ? mesos::TaskState::running : mesos::TaskState::finished;
    s.message = std::string(static_cast<std::size_t>(i), 'x');
    return s;
  };
  {
    SqliteStateStore store(dir());
    store.begin_batch();
    for (int i = 0; i < 10; ++i)
      store.store_status("p-" + std::to_string(i) + "-server", status(i + 100));
    store.abort_batch();
    for (int i = 0; i < 30; ++i) {
      if (i == 10) store.begin_batch();
      store.store_tasks({sample("p-" + std::to_string(i) + "-server", "t" + std::to_string(i))});
      store.store_status("p-" + std::to_string(i) + "-server", status(i));
      if (i == 19) store.commit_batch();
    }
  }
  SqliteStateStore reopened(dir());
  for (int i = 0; i < 30; ++i) {
    const std::string name = "p-" + std::to_string(i) + "-server";
    auto s = reopened.status(name);
    ASSERT_TRUE(s) << name;
    EXPECT_EQ(s->task_id, "t" + std::to_string(i));
    EXPECT_EQ(s->state, status(i).state);
    EXPECT_EQ(s->message, status(i).message);
    auto t = reopened.task(name);
    ASSERT_TRUE(t) << name;
    EXPECT_EQ(t->info.task_id, "t" + std::to_string(i));
  }
}

TEST_F(SqliteStateStoreTest, WritesOutsideABatchCommitAtOnce) {
  SqliteStateStore store(dir());
  store.commit_batch();  // no batch: nothing happens
  store.set_property("p", "2");
  store.abort_batch();  // no batch: nothing is dropped
  EXPECT_EQ(store.property("p"), "2");
}

// The page cache starts at SQLite's default and is set through the locked store too; what
// is stored reads the same at any size.
TEST_F(SqliteStateStoreTest, ThePageCacheIsSetInKib) {
  SqliteStateStore store(dir());
  EXPECT_GT(store.cache_kib(), 512);  // SQLite's default as built: 2,000 KiB in Debian's
  LockedStateStore locked(store);
  locked.set_cache_kib(512);
  EXPECT_EQ(locked.cache_kib(), 512);
  EXPECT_EQ(store.cache_kib(), 512);
  store.set_cache_kib(0);  // at least 1 KiB: 0 would mean SQLite's default again
  EXPECT_EQ(store.cache_kib(), 1);
  store.store_tasks({sample("hello-0-server", "T0")});
  EXPECT_EQ(store.task("hello-0-server")->info.task_id, "T0");
}

// A start reads every status and override at once; the bulk reads agree with the single ones.
TEST_F(SqliteStateStoreTest, StatusesAndOverridesReadInBulk) {
  SqliteStateStore store(dir());
  store.store_tasks({sample("a", "a__1"), sample("b", "b__1"), sample("c", "c__1")});
  mesos::TaskStatus s;
  s.task_id = "a__1";
  s.state = mesos::TaskState::running;
  store.store_status("a", s);
  s.task_id = "c__1";
  s.state = mesos::TaskState::failed;
  s.message = "exit 3";
  store.store_status("c", s);
  store.set_goal_override("b", {GoalOverride::Goal::paused, GoalOverride::Progress::in_progress});
  const auto statuses = store.statuses();
  ASSERT_EQ(statuses.size(), 2u);
  EXPECT_EQ(statuses.at("a"), *store.status("a"));
  EXPECT_EQ(statuses.at("c"), *store.status("c"));
  EXPECT_EQ(statuses.at("c").message, "exit 3");
  const auto overrides = store.goal_overrides();
  ASSERT_EQ(overrides.size(), 1u);
  EXPECT_EQ(overrides.at("b").goal, GoalOverride::Goal::paused);
  EXPECT_EQ(overrides.at("b").progress, GoalOverride::Progress::in_progress);
}

TEST_F(SqliteStateStoreTest, TasksAreReadAsRecordsInNameOrder) {
  SqliteStateStore store(dir());
  store.store_tasks({sample("c", "c__1"), sample("a", "a__1"), sample("b", "")});
  std::vector<StoredTask> seen;
  store.for_each_task_record([&](std::string name, std::string_view record, std::string config_id) {
    ASSERT_TRUE(is_record(record)) << name;
    std::string error;
    auto info = decode_task_record(record, error);
    ASSERT_TRUE(info) << error;
    seen.push_back({std::move(name), std::move(*info), std::move(config_id)});
  });
  EXPECT_EQ(seen,
            (std::vector<StoredTask>{sample("a", "a__1"), sample("b", ""), sample("c", "c__1")}));
  EXPECT_EQ(seen, store.tasks());
}

// Records the caller encoded are stored as they are, in one transaction, and replace what
// was stored under their names.
TEST_F(SqliteStateStoreTest, EncodedTasksAreStoredAsGiven) {
  {
    SqliteStateStore store(dir());
    store.store_tasks({sample("a", "old")});
    std::vector<EncodedTask> encoded;
    for (const StoredTask& t : {sample("a", "a__2"), sample("b", "b__1")})
      encoded.push_back({t.name, encode_record(t.info), "config-2"});
    store.store_task_records(encoded);
  }
  SqliteStateStore store(dir());
  StoredTask a = sample("a", "a__2"), b = sample("b", "b__1");
  a.config_id = b.config_id = "config-2";
  EXPECT_EQ(store.tasks(), (std::vector<StoredTask>{a, b}));
}

TEST_F(SqliteStateStoreTest, DeleteTaskTakesItsStatusAndOverride) {
  SqliteStateStore store(dir());
  store.store_tasks({sample("a", "a__1")});
  mesos::TaskStatus s;
  s.task_id = "a__1";
  store.store_status("a", s);
  store.set_goal_override("a",
                          {GoalOverride::Goal::decommissioned, GoalOverride::Progress::pending});
  store.delete_task("a");
  EXPECT_FALSE(store.task("a"));
  EXPECT_FALSE(store.status("a"));
  EXPECT_EQ(store.goal_override("a").goal, GoalOverride::Goal::none);
}

TEST_F(SqliteStateStoreTest, ASecondSchedulerForTheServiceIsRefused) {
  SqliteStateStore first(dir());
  try {
    SqliteStateStore second(dir());
    FAIL() << "the lock should have refused the second store";
  } catch (const StateError& e) {
    EXPECT_THAT(e.what(), HasSubstr("another scheduler (pid " + std::to_string(getpid()) + ")"));
    EXPECT_THAT(e.what(), HasSubstr("scheduler.lock"));
  }
  // The first one is unharmed, and once it is gone the service can be opened again.
  first.set_property("k", "v");
}

TEST_F(SqliteStateStoreTest, LockIsReleasedWhenTheStoreCloses) {
  { SqliteStateStore first(dir()); }
  SqliteStateStore again(dir());
  EXPECT_FALSE(again.framework_id());
}

TEST_F(SqliteStateStoreTest, NewerSchemaIsRefusedAndLeftAlone) {
  { SqliteStateStore store(dir()); }
  // Pretend a newer steward wrote it.
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((fs::path(dir()) / "state.db").c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, "PRAGMA user_version=99", nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(db);
  }
  try {
    SqliteStateStore store(dir());
    FAIL() << "a newer schema must be refused";
  } catch (const StateError& e) {
    EXPECT_THAT(e.what(), HasSubstr("schema version 99, newer than this program's 2"));
  }
}

TEST_F(SqliteStateStoreTest, AFileThatIsNotADatabaseIsAClearError) {
  fs::create_directories(dir());
  std::ofstream(fs::path(dir()) / "state.db") << std::string(4096, 'x');
  try {
    SqliteStateStore store(dir());
    FAIL() << "garbage must be refused";
  } catch (const StateError& e) {
    EXPECT_THAT(e.what(), HasSubstr("state.db"));
  }
  // Refusing did not leave the lock behind.
  fs::remove(fs::path(dir()) / "state.db");
  EXPECT_NO_THROW(SqliteStateStore store(dir()));
}

TEST_F(SqliteStateStoreTest, TargetMustExistAndCannotBeDeleted) {
  SqliteStateStore store(dir());
  EXPECT_THROW(store.set_target_config("nope"), StateError);
  store.store_config("c1", "{}");
  store.store_config("c2", "{}");
  store.set_target_config("c2");
  EXPECT_THROW(store.delete_config("c2"), StateError);
  store.delete_config("c1");
  EXPECT_EQ(store.config_ids(), std::vector<std::string>{"c2"});
}

TEST_F(SqliteStateStoreTest, WipeLeavesNothing) {
  SqliteStateStore store(dir());
  store.set_framework_id("F");
  store.store_tasks({sample("a", "a__1")});
  store.set_property("p", "v");
  store.store_config("c", "{}");
  store.set_target_config("c");
  store.wipe();
  EXPECT_FALSE(store.framework_id());
  EXPECT_TRUE(store.tasks().empty());
  EXPECT_TRUE(store.property_keys().empty());
  EXPECT_TRUE(store.config_ids().empty());
  EXPECT_FALSE(store.target_config());
}

TEST_F(SqliteStateStoreTest, ADamagedTaskRowIsReportedNotThrownAsSomethingElse) {
  {
    SqliteStateStore store(dir());
    store.store_tasks({sample("a", "a__1")});
  }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((fs::path(dir()) / "state.db").c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "UPDATE tasks SET info = '{not json' WHERE name = 'a'", nullptr,
                         nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  SqliteStateStore store(dir());
  try {
    store.tasks();
    FAIL() << "a damaged row must be reported";
  } catch (const StateError& e) {
    EXPECT_THAT(e.what(), HasSubstr("task a is damaged"));
  }
  try {
    store.for_each_task_record([](std::string, std::string_view, std::string) {});
    FAIL() << "a damaged row must be reported when read as a record too";
  } catch (const StateError& e) {
    EXPECT_THAT(e.what(), HasSubstr("task a is damaged"));
  }
}

// Runs one statement on the database behind a closed store.
void sql(const fs::path& dir, const std::string& statement,
         const std::vector<std::string>& texts = {}) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir / "state.db").c_str(), &db), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, statement.c_str(), -1, &stmt, nullptr), SQLITE_OK)
      << sqlite3_errmsg(db);
  for (std::size_t i = 0; i < texts.size(); ++i)
    sqlite3_bind_text(stmt, static_cast<int>(i + 1), texts[i].c_str(), -1, SQLITE_TRANSIENT);
  EXPECT_EQ(sqlite3_step(stmt), SQLITE_DONE) << sqlite3_errmsg(db);
  sqlite3_finalize(stmt);
  sqlite3_close(db);
}

std::string column_type(const fs::path& dir, const std::string& query,
                        const char* file = "state.db") {
  sqlite3* db = nullptr;
  std::string type;
  if (sqlite3_open_v2((dir / file).c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK)
    return "unopened";
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, query.c_str(), -1, &stmt, nullptr) == SQLITE_OK &&
      sqlite3_step(stmt) == SQLITE_ROW)
    type = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return type;
}

// Schema 1 kept JSON text; opening it rewrites every row that reads as a record, and a row
// that does not read stays as it was, reported by name when read.
TEST_F(SqliteStateStoreTest, ASchemaOneStoreIsUpgradedToRecordsOnOpening) {
  mesos::TaskStatus status;
  status.task_id = "a__1";
  status.state = mesos::TaskState::running;
  status.timestamp = 1700000000.25;
  status.healthy = true;
  { SqliteStateStore store(dir()); }
  const fs::path d = dir();
  EXPECT_FALSE(fs::exists(d / "state.db.schema1")) << "a new store has nothing to keep";
  sql(d, "INSERT INTO tasks (name, info, config_id) VALUES (?, ?, 'config-1')",
      {"a", mesos::to_json(sample("a", "a__1").info).dump()});
  sql(d, "INSERT INTO tasks (name, info, config_id) VALUES (?, ?, 'config-1')",
      {"b", mesos::to_json(sample("b", "").info).dump()});
  sql(d, "INSERT INTO tasks (name, info, config_id) VALUES ('c', '{not json', 'config-1')");
  sql(d, "INSERT INTO statuses (name, status) VALUES (?, ?)", {"a", mesos::to_json(status).dump()});
  sql(d, "PRAGMA user_version=1");
  ASSERT_EQ(column_type(d, "SELECT typeof(info) FROM tasks WHERE name = 'a'"), "text");
  {
    SqliteStateStore store(dir());
    EXPECT_EQ(store.task("a"), sample("a", "a__1"));
    EXPECT_EQ(store.task("b"), sample("b", ""));
    EXPECT_EQ(store.status("a"), status);
    try {
      store.task("c");
      FAIL() << "the damaged row must still be reported";
    } catch (const StateError& e) {
      EXPECT_THAT(e.what(), HasSubstr("task c is damaged: not JSON"));
    }
  }
  EXPECT_EQ(column_type(d, "SELECT typeof(info) FROM tasks WHERE name = 'a'"), "blob");
  EXPECT_EQ(column_type(d, "SELECT typeof(info) FROM tasks WHERE name = 'b'"), "blob");
  EXPECT_EQ(column_type(d, "SELECT typeof(status) FROM statuses WHERE name = 'a'"), "blob");
  EXPECT_EQ(column_type(d, "SELECT typeof(info) FROM tasks WHERE name = 'c'"), "text");
  EXPECT_EQ(column_type(d, "PRAGMA user_version"), "2");
  // The store as it was is kept for going back to an older steward.
  EXPECT_EQ(column_type(d, "SELECT typeof(info) FROM tasks WHERE name = 'a'", "state.db.schema1"),
            "text");
  EXPECT_EQ(column_type(d, "PRAGMA user_version", "state.db.schema1"), "1");
  // And the upgraded rows read back the same once more.
  SqliteStateStore store(dir());
  EXPECT_EQ(store.task("a"), sample("a", "a__1"));
  EXPECT_EQ(store.statuses().at("a"), status);
}

TEST_F(SqliteStateStoreTest, ADamagedRecordIsReportedWithItsName) {
  mesos::TaskStatus status;
  status.task_id = "a__1";
  {
    SqliteStateStore store(dir());
    store.store_tasks({sample("a", "a__1")});
    store.store_status("a", status);
  }
  // Cut both records short.
  sql(dir(), "UPDATE tasks SET info = substr(info, 1, 20)");
  sql(dir(), "UPDATE statuses SET status = substr(status, 1, 5)");
  SqliteStateStore store(dir());
  try {
    store.tasks();
    FAIL() << "a damaged record must be reported";
  } catch (const StateError& e) {
    EXPECT_THAT(e.what(), HasSubstr("task a is damaged: truncated"));
  }
  try {
    store.statuses();
    FAIL() << "a damaged record must be reported";
  } catch (const StateError& e) {
    EXPECT_THAT(e.what(), HasSubstr("the status of a is damaged: truncated"));
  }
  try {
    store.for_each_status_apart([](std::string, const mesos::TaskStatus&) {});
    FAIL() << "a damaged record must be reported on a connection of its own too";
  } catch (const StateError& e) {
    EXPECT_THAT(e.what(), HasSubstr("the status of a is damaged: truncated"));
  }
}

// Statuses read on a connection of their own, on another thread, while this store writes:
// what was committed, the same as statuses() gives.
TEST_F(SqliteStateStoreTest, StatusesReadApartWhileTheStoreIsInUse) {
  SqliteStateStore store(dir());
  mesos::TaskStatus s;
  s.state = mesos::TaskState::running;
  for (int i = 0; i < 200; ++i) {
    s.task_id = "t" + std::to_string(i) + "__1";
    store.store_status("t" + std::to_string(i), s);
  }
  // One at a time, in name order (what a start relies on to append each).
  std::vector<std::string> names;
  auto apart = std::async(std::launch::async, [&] {
    std::map<std::string, mesos::TaskStatus> read;
    store.for_each_status_apart([&](std::string name, mesos::TaskStatus status) {
      names.push_back(name);
      read.emplace(std::move(name), std::move(status));
    });
    return read;
  });
  store.begin_batch();
  s.task_id = "late__1";
  store.store_status("late", s);  // not committed while the other connection reads
  const auto read = apart.get();
  store.abort_batch();
  EXPECT_EQ(read.size(), 200u);
  EXPECT_EQ(read.count("late"), 0u);
  EXPECT_EQ(read, store.statuses());
  EXPECT_EQ(names.size(), 200u);
  EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
}

}  // namespace
}  // namespace steward::state
