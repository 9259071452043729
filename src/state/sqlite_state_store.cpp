#include "state/sqlite_state_store.hpp"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>

#include "mesos/task_info_json.hpp"
#include "mesos/task_status_json.hpp"
#include "state/record_codec.hpp"

namespace steward::state {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS tasks (name TEXT PRIMARY KEY, info TEXT NOT NULL, config_id TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS statuses (name TEXT PRIMARY KEY, status TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS goal_overrides (name TEXT PRIMARY KEY, goal TEXT NOT NULL, progress TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS properties (key TEXT PRIMARY KEY, value BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS configs (id TEXT PRIMARY KEY, spec TEXT NOT NULL);
)sql";

const char* goal_name(GoalOverride::Goal g) {
  switch (g) {
    case GoalOverride::Goal::paused:
      return "PAUSED";
    case GoalOverride::Goal::decommissioned:
      return "DECOMMISSIONED";
    default:
      return "NONE";
  }
}
const char* progress_name(GoalOverride::Progress p) {
  switch (p) {
    case GoalOverride::Progress::pending:
      return "PENDING";
    case GoalOverride::Progress::in_progress:
      return "IN_PROGRESS";
    default:
      return "COMPLETE";
  }
}

// A column's bytes, valid until the next step; "" for NULL.
std::string_view column_view(sqlite3_stmt* stmt, int column) {
  const void* data = sqlite3_column_blob(stmt, column);
  const int size = sqlite3_column_bytes(stmt, column);
  return data ? std::string_view(static_cast<const char*>(data), static_cast<std::size_t>(size))
              : std::string_view();
}

}  // namespace

// A prepared statement that finalizes itself; binds text by position from 1.
class SqliteStateStore::Statement {
 public:
  Statement(SqliteStateStore& store, const char* sql) : store_(store) {
    if (sqlite3_prepare_v2(store.db_, sql, -1, &stmt_, nullptr) != SQLITE_OK) store.fail(sql);
  }
  // A statement of the store's hot writes, prepared once and kept: preparing it again for
  // every status was about a quarter of storing one. `sql` must be a literal.
  struct Kept {};
  Statement(SqliteStateStore& store, const char* sql, Kept) : store_(store), kept_(true) {
    sqlite3_stmt*& slot = store.kept_[sql];
    if (slot == nullptr && sqlite3_prepare_v3(store.db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &slot,
                                              nullptr) != SQLITE_OK) {
      store.kept_.erase(sql);
      store.fail(sql);
    }
    stmt_ = slot;
  }
  ~Statement() {
    if (!kept_) {
      sqlite3_finalize(stmt_);
      return;
    }
    sqlite3_reset(stmt_);  // ready for the next use, whether this one finished or threw
    sqlite3_clear_bindings(stmt_);
  }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& bind(int index, const std::string& value) {
    if (sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()),
                          SQLITE_TRANSIENT) != SQLITE_OK)
      store_.fail("bind");
    return *this;
  }
  Statement& bind_blob(int index, const std::string& value) {
    if (sqlite3_bind_blob(stmt_, index, value.data(), static_cast<int>(value.size()),
                          SQLITE_TRANSIENT) != SQLITE_OK)
      store_.fail("bind");
    return *this;
  }
  // True while there is a row.
  bool step() {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    store_.fail("step");
  }
  void run() {
    while (step()) {
    }
  }
  std::string text(int column) { return std::string(view(column)); }
  // The column's bytes, valid until the next step.
  std::string_view view(int column) { return column_view(stmt_, column); }

 private:
  SqliteStateStore& store_;
  sqlite3_stmt* stmt_ = nullptr;
  bool kept_ = false;
};

void SqliteStateStore::close_db() {
  for (auto& [sql, stmt] : kept_)
    sqlite3_finalize(stmt);
  kept_.clear();
  if (db_) sqlite3_close(db_);
  db_ = nullptr;
}

void SqliteStateStore::fail(const std::string& what) {
  throw StateError("state store " + path_ + ": " + what + ": " +
                   (db_ ? sqlite3_errmsg(db_) : "not open"));
}

SqliteStateStore::SqliteStateStore(const std::string& dir) : dir_(dir) {
  std::error_code ec;
  fs::create_directories(dir_, ec);
  if (ec) throw StateError("cannot create the state directory " + dir_ + ": " + ec.message());
  path_ = (fs::path(dir_) / "state.db").string();
  // One scheduler per service: the lock is held as long as this store is open.
  const std::string lock_path = (fs::path(dir_) / "scheduler.lock").string();
  lock_fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (lock_fd_ < 0) throw StateError("cannot open " + lock_path + ": " + std::strerror(errno));
  if (flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    std::string holder;
    std::ifstream(lock_path) >> holder;
    ::close(lock_fd_);
    lock_fd_ = -1;
    throw StateError("another scheduler" + (holder.empty() ? "" : " (pid " + holder + ")") +
                     " is running this service (it holds " + lock_path +
                     "); stop it first, or give this one another name");
  }
  const std::string pid = std::to_string(getpid()) + "\n";
  if (ftruncate(lock_fd_, 0) == 0 && ::write(lock_fd_, pid.data(), pid.size()) < 0) {
    // The pid is only a courtesy for the message above.
  }

  try {
    if (sqlite3_open_v2(path_.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
        SQLITE_OK)
      fail("cannot open");
    sqlite3_busy_timeout(db_, 5000);
    // WAL with synchronous=FULL: every commit is on disk when the call returns.
    exec("PRAGMA journal_mode=WAL");
    exec("PRAGMA synchronous=FULL");
    int version = 0;
    {
      Statement s(*this, "PRAGMA user_version");
      if (s.step()) version = std::stoi(s.text(0).empty() ? "0" : s.text(0));
    }
    if (version > kSchemaVersion)
      throw StateError("state store " + path_ + " has schema version " + std::to_string(version) +
                       ", newer than this program's " + std::to_string(kSchemaVersion) +
                       "; run the newer steward, or restore a backup");
    if (version == 1) {
      // An older steward cannot read what the upgrade writes: keep the store as it was, so
      // that going back to it is a matter of putting this copy in place.
      const std::string copy = path_ + ".schema1";
      fs::remove(copy, ec);
      Statement(*this, "VACUUM INTO ?").bind(1, copy).run();
    }
    // One transaction: an upgrade lands whole or not at all (closing rolls it back).
    exec("BEGIN IMMEDIATE");
    exec(kSchema);
    if (version < 2) upgrade_records();
    exec(("PRAGMA user_version=" + std::to_string(kSchemaVersion)).c_str());
    exec("COMMIT");
  } catch (...) {
    close_db();
    ::close(lock_fd_);
    lock_fd_ = -1;
    throw;
  }
}

SqliteStateStore::~SqliteStateStore() {
  close_db();
  if (lock_fd_ >= 0) ::close(lock_fd_);  // releases the lock
}

template <typename Fn>
void SqliteStateStore::transaction(Fn&& fn) {
  if (in_batch_) {
    fn();  // part of the batch's transaction
    return;
  }
  exec("BEGIN IMMEDIATE");
  try {
    fn();
    exec("COMMIT");
  } catch (...) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
}

void SqliteStateStore::begin_batch() {
  if (in_batch_) return;
  exec("BEGIN IMMEDIATE");
  in_batch_ = true;
}

void SqliteStateStore::commit_batch() {
  if (!in_batch_) return;
  in_batch_ = false;
  try {
    exec("COMMIT");
  } catch (...) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
}

void SqliteStateStore::abort_batch() {
  if (!in_batch_) return;
  in_batch_ = false;
  sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
}

void SqliteStateStore::exec(const char* sql) {
  char* message = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &message) != SQLITE_OK) {
    std::string text = message ? message : "unknown error";
    sqlite3_free(message);
    throw StateError("state store " + path_ + ": " + text);
  }
}

std::optional<std::string> SqliteStateStore::meta(const char* key) {
  Statement s(*this, "SELECT value FROM meta WHERE key = ?");
  s.bind(1, key);
  if (s.step()) return s.text(0);
  return std::nullopt;
}

void SqliteStateStore::set_meta(const char* key, const std::string& value) {
  Statement(*this, "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)")
      .bind(1, key)
      .bind(2, value)
      .run();
}

void SqliteStateStore::delete_meta(const char* key) {
  Statement(*this, "DELETE FROM meta WHERE key = ?").bind(1, key).run();
}

std::optional<std::string> SqliteStateStore::framework_id() {
  return meta("framework_id");
}
void SqliteStateStore::set_framework_id(const std::string& id) {
  set_meta("framework_id", id);
}
void SqliteStateStore::clear_framework_id() {
  delete_meta("framework_id");
}

void SqliteStateStore::store_tasks(const std::vector<StoredTask>& tasks) {
  std::vector<EncodedTask> encoded;
  encoded.reserve(tasks.size());
  for (const StoredTask& t : tasks)
    encoded.push_back({t.name, encode_record(t.info), t.config_id});
  store_task_records(encoded);
}

void SqliteStateStore::store_task_records(const std::vector<EncodedTask>& tasks) {
  transaction([&] {
    for (const EncodedTask& t : tasks)
      Statement(*this, "INSERT OR REPLACE INTO tasks (name, info, config_id) VALUES (?, ?, ?)",
                Statement::Kept{})
          .bind(1, t.name)
          .bind_blob(2, t.record)
          .bind(3, t.config_id)
          .run();
  });
}

namespace {
// A record, or the JSON text of schema version 1 (a row the upgrade could not read stays so).
template <typename Record, typename FromJson>
auto read_stored(std::string_view bytes, std::string& error, Record record, FromJson from_json)
    -> decltype(record(bytes, error)) {
  if (is_record(bytes)) return record(bytes, error);
  json j = json::parse(bytes, nullptr, false);
  if (j.is_discarded()) {
    error = "not JSON";
    return std::nullopt;
  }
  return from_json(j, error);
}

std::optional<mesos::TaskInfo> read_task_info(std::string_view bytes, std::string& error) {
  return read_stored(bytes, error, decode_task_record, [](const json& j, std::string& e) {
    return mesos::task_info_from_json(j, e, false);
  });
}

std::optional<mesos::TaskStatus> read_task_status(std::string_view bytes, std::string& error) {
  return read_stored(bytes, error, decode_status_record, [](const json& j, std::string& e) {
    return mesos::task_status_from_json(j, e);
  });
}

StoredTask decode_task(std::string name, std::string_view info, std::string config,
                       const std::string& path) {
  std::string error;
  auto task = read_task_info(info, error);
  if (!task) throw StateError("state store " + path + ": task " + name + " is damaged: " + error);
  return {std::move(name), std::move(*task), std::move(config)};
}
}  // namespace

std::vector<StoredTask> SqliteStateStore::tasks() {
  std::vector<StoredTask> out;
  {
    // Sized once: growing a vector of thousands of TaskInfos copies and frees megabytes.
    Statement count(*this, "SELECT count(*) FROM tasks");
    if (count.step()) out.reserve(std::stoul(count.text(0)));
  }
  Statement s(*this, "SELECT name, info, config_id FROM tasks ORDER BY name");
  while (s.step())
    out.push_back(decode_task(s.text(0), s.view(1), s.text(2), path_));
  return out;
}

void SqliteStateStore::for_each_task_record(const TaskRecordFn& fn) {
  Statement s(*this, "SELECT name, info, config_id FROM tasks ORDER BY name");
  while (s.step()) {
    std::string_view bytes = s.view(1);
    if (is_record(bytes)) {
      fn(s.text(0), bytes, s.text(2));
      continue;
    }
    const StoredTask task = decode_task(s.text(0), bytes, s.text(2), path_);
    fn(task.name, encode_record(task.info), task.config_id);
  }
}

std::optional<StoredTask> SqliteStateStore::task(const std::string& name) {
  Statement s(*this, "SELECT name, info, config_id FROM tasks WHERE name = ?");
  s.bind(1, name);
  if (s.step()) return decode_task(s.text(0), s.view(1), s.text(2), path_);
  return std::nullopt;
}

void SqliteStateStore::delete_task(const std::string& name) {
  transaction([&] {
    for (const char* sql :
         {"DELETE FROM tasks WHERE name = ?", "DELETE FROM statuses WHERE name = ?",
          "DELETE FROM goal_overrides WHERE name = ?"})
      Statement(*this, sql).bind(1, name).run();
  });
}

void SqliteStateStore::store_status(const std::string& name, const mesos::TaskStatus& status) {
  Statement(*this, "INSERT OR REPLACE INTO statuses (name, status) VALUES (?, ?)",
            Statement::Kept{})
      .bind(1, name)
      .bind_blob(2, encode_record(status))
      .run();
}

namespace {
mesos::TaskStatus decode_status(const std::string& name, std::string_view bytes,
                                const std::string& path) {
  std::string error;
  auto status = read_task_status(bytes, error);
  if (!status)
    throw StateError("state store " + path + ": the status of " + name + " is damaged: " + error);
  return std::move(*status);
}
}  // namespace

// Schema 1 kept TaskInfos and TaskStatuses as JSON text; 2 keeps records. Every row that reads
// is rewritten, in the opening transaction; one that does not stays as it was, to be reported
// with its task's name when it is read, as before.
void SqliteStateStore::upgrade_records() {
  std::vector<std::pair<std::string, std::string>> tasks, statuses;
  {
    Statement s(*this, "SELECT name, info FROM tasks WHERE typeof(info) = 'text'");
    std::string error;
    while (s.step())
      if (auto t = read_task_info(s.view(1), error))
        tasks.emplace_back(s.text(0), encode_record(*t));
  }
  {
    Statement s(*this, "SELECT name, status FROM statuses WHERE typeof(status) = 'text'");
    std::string error;
    while (s.step())
      if (auto st = read_task_status(s.view(1), error))
        statuses.emplace_back(s.text(0), encode_record(*st));
  }
  for (const auto& [name, record] : tasks)
    Statement(*this, "UPDATE tasks SET info = ? WHERE name = ?")
        .bind_blob(1, record)
        .bind(2, name)
        .run();
  for (const auto& [name, record] : statuses)
    Statement(*this, "UPDATE statuses SET status = ? WHERE name = ?")
        .bind_blob(1, record)
        .bind(2, name)
        .run();
}

std::optional<mesos::TaskStatus> SqliteStateStore::status(const std::string& name) {
  Statement s(*this, "SELECT status FROM statuses WHERE name = ?");
  s.bind(1, name);
  if (!s.step()) return std::nullopt;
  return decode_status(name, s.view(0), path_);
}

std::map<std::string, mesos::TaskStatus> SqliteStateStore::statuses() {
  std::map<std::string, mesos::TaskStatus> out;
  Statement s(*this, "SELECT name, status FROM statuses ORDER BY name");
  while (s.step()) {
    std::string name = s.text(0);
    out.emplace_hint(out.end(), name, decode_status(name, s.view(1), path_));
  }
  return out;
}

void SqliteStateStore::set_cache_kib(int kib) {
  exec(("PRAGMA cache_size=-" + std::to_string(std::max(kib, 1))).c_str());
}

int SqliteStateStore::cache_kib() {
  const auto pragma = [this](const char* sql) {
    Statement s(*this, sql);
    return s.step() ? std::stoll(s.text(0)) : 0;
  };
  const long long size = pragma("PRAGMA cache_size");  // < 0: KiB; > 0: pages
  if (size <= 0) return static_cast<int>(-size);
  return static_cast<int>(size * pragma("PRAGMA page_size") / 1024);
}

void SqliteStateStore::for_each_status_apart(const StatusFn& fn) const {
  // Handles closed on every way out, the thrown ones included.
  std::unique_ptr<sqlite3, int (*)(sqlite3*)> db(nullptr, sqlite3_close);
  std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> stmt(nullptr, sqlite3_finalize);
  auto failed = [&](const char* what) {
    return StateError("state store " + path_ + ": " + what + ": " +
                      (db ? sqlite3_errmsg(db.get()) : "out of memory"));
  };
  sqlite3* opened = nullptr;
  const int rc_open = sqlite3_open_v2(path_.c_str(), &opened, SQLITE_OPEN_READONLY, nullptr);
  db.reset(opened);  // closed even when the open failed
  if (rc_open != SQLITE_OK) throw failed("cannot open");
  sqlite3_busy_timeout(db.get(), 5000);
  sqlite3_stmt* prepared = nullptr;
  if (sqlite3_prepare_v2(db.get(), "SELECT name, status FROM statuses ORDER BY name", -1, &prepared,
                         nullptr) != SQLITE_OK)
    throw failed("cannot read the statuses");
  stmt.reset(prepared);
  int rc;
  while ((rc = sqlite3_step(stmt.get())) == SQLITE_ROW) {
    std::string name(column_view(stmt.get(), 0));
    mesos::TaskStatus status = decode_status(name, column_view(stmt.get(), 1), path_);
    fn(std::move(name), std::move(status));
  }
  if (rc != SQLITE_DONE) throw failed("cannot read the statuses");
}

void SqliteStateStore::set_goal_override(const std::string& name, const GoalOverride& value) {
  Statement(*this, "INSERT OR REPLACE INTO goal_overrides (name, goal, progress) VALUES (?, ?, ?)")
      .bind(1, name)
      .bind(2, goal_name(value.goal))
      .bind(3, progress_name(value.progress))
      .run();
}

namespace {
GoalOverride decode_override(const std::string& goal, const std::string& progress) {
  GoalOverride out;
  out.goal = goal == "PAUSED"           ? GoalOverride::Goal::paused
             : goal == "DECOMMISSIONED" ? GoalOverride::Goal::decommissioned
                                        : GoalOverride::Goal::none;
  out.progress = progress == "PENDING"       ? GoalOverride::Progress::pending
                 : progress == "IN_PROGRESS" ? GoalOverride::Progress::in_progress
                                             : GoalOverride::Progress::complete;
  return out;
}
}  // namespace

GoalOverride SqliteStateStore::goal_override(const std::string& name) {
  Statement s(*this, "SELECT goal, progress FROM goal_overrides WHERE name = ?");
  s.bind(1, name);
  if (!s.step()) return {};
  return decode_override(s.text(0), s.text(1));
}

std::map<std::string, GoalOverride> SqliteStateStore::goal_overrides() {
  std::map<std::string, GoalOverride> out;
  Statement s(*this, "SELECT name, goal, progress FROM goal_overrides ORDER BY name");
  while (s.step())
    out.emplace_hint(out.end(), s.text(0), decode_override(s.text(1), s.text(2)));
  return out;
}

void SqliteStateStore::set_property(const std::string& key, const std::string& value) {
  Statement(*this, "INSERT OR REPLACE INTO properties (key, value) VALUES (?, ?)")
      .bind(1, key)
      .bind_blob(2, value)
      .run();
}

std::optional<std::string> SqliteStateStore::property(const std::string& key) {
  Statement s(*this, "SELECT value FROM properties WHERE key = ?");
  s.bind(1, key);
  if (s.step()) return s.text(0);
  return std::nullopt;
}

std::vector<std::string> SqliteStateStore::property_keys() {
  std::vector<std::string> out;
  Statement s(*this, "SELECT key FROM properties ORDER BY key");
  while (s.step())
    out.push_back(s.text(0));
  return out;
}

void SqliteStateStore::delete_property(const std::string& key) {
  Statement(*this, "DELETE FROM properties WHERE key = ?").bind(1, key).run();
}

void SqliteStateStore::store_config(const std::string& id, const std::string& spec_json) {
  Statement(*this, "INSERT OR REPLACE INTO configs (id, spec) VALUES (?, ?)")
      .bind(1, id)
      .bind(2, spec_json)
      .run();
}

std::optional<std::string> SqliteStateStore::config(const std::string& id) {
  Statement s(*this, "SELECT spec FROM configs WHERE id = ?");
  s.bind(1, id);
  if (s.step()) return s.text(0);
  return std::nullopt;
}

std::vector<std::string> SqliteStateStore::config_ids() {
  std::vector<std::string> out;
  Statement s(*this, "SELECT id FROM configs ORDER BY id");
  while (s.step())
    out.push_back(s.text(0));
  return out;
}

void SqliteStateStore::delete_config(const std::string& id) {
  if (target_config() == id)
    throw StateError("configuration " + id + " is the target and cannot be deleted");
  Statement(*this, "DELETE FROM configs WHERE id = ?").bind(1, id).run();
}

void SqliteStateStore::set_target_config(const std::string& id) {
  if (!config(id)) throw StateError("no configuration " + id + " to make the target");
  set_meta("target_config", id);
}

std::optional<std::string> SqliteStateStore::target_config() {
  return meta("target_config");
}

void SqliteStateStore::wipe() {
  transaction([&] {
    exec(
        "DELETE FROM meta; DELETE FROM tasks; DELETE FROM statuses; DELETE FROM goal_overrides;"
        "DELETE FROM properties; DELETE FROM configs;");
  });
}

}  // namespace steward::state
