#pragma once

// Faults put into a scheduler's own state store from a test: SQLite triggers that refuse chosen
// writes as a full disk would refuse any, at a point a test picks (RLIMIT_FSIZE refuses
// whatever write comes first). The store is the real one, in use by the scheduler: SQLite
// re-prepares its statements on the schema change.

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cstdlib>
#include <filesystem>
#include <string>

namespace steward::scheduler::testing {

// Runs `statement` on the SQLite database at `db` (waiting up to 10 s for the scheduler's
// write lock).
inline void run_sql(const std::filesystem::path& db, const std::string& statement) {
  sqlite3* handle = nullptr;
  ASSERT_EQ(sqlite3_open(db.c_str(), &handle), SQLITE_OK) << db;
  sqlite3_busy_timeout(handle, 10000);
  char* message = nullptr;
  EXPECT_EQ(sqlite3_exec(handle, statement.c_str(), nullptr, nullptr, &message), SQLITE_OK)
      << (message ? message : "");
  sqlite3_free(message);
  sqlite3_close(handle);
}

// Makes every write of a property whose key matches `pattern` (SQL LIKE) fail with `error`,
// until drop_refusal(db, name).
inline void refuse_properties(const std::filesystem::path& db, const std::string& name,
                              const std::string& pattern, const std::string& error) {
  run_sql(db, "CREATE TRIGGER " + name + " BEFORE INSERT ON properties WHEN NEW.key LIKE '" +
                  pattern + "' BEGIN SELECT RAISE(ABORT, '" + error + "'); END");
}

// Makes every row written into `table` (all of them INSERT OR REPLACE) fail with `error`,
// until drop_refusal(db, name).
inline void refuse_inserts(const std::filesystem::path& db, const std::string& name,
                           const std::string& table, const std::string& error) {
  run_sql(db, "CREATE TRIGGER " + name + " BEFORE INSERT ON " + table +
                  " BEGIN SELECT RAISE(ABORT, '" + error + "'); END");
}

inline void drop_refusal(const std::filesystem::path& db, const std::string& name) {
  run_sql(db, "DROP TRIGGER " + name);
}

// steward_state_store_failures_total in a scheduler's Prometheus text (0 when absent).
inline int store_failures(const std::string& prometheus) {
  const std::string name = "\nsteward_state_store_failures_total ";
  const auto at = prometheus.find(name);
  return at == std::string::npos ? 0 : std::atoi(prometheus.c_str() + at + name.size());
}

}  // namespace steward::scheduler::testing
