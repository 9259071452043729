#include "cluster/checkpoint_journal.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <new>

namespace steward::cluster {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string read(const fs::path& file) {
  std::ifstream in(file);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void write(const fs::path& file, const std::string& text) {
  std::ofstream(file) << text;
}

json task(const std::string& id, const std::string& state) {
  return {{"framework_id", "F"}, {"info", {{"task_id", {{"value", id}}}}}, {"state", state}};
}

// Two entries: a task changed, a task gone, a new one, an executor's tasks, the counters.
json first_entry() {
  return {{"master",
           {{"tasks", {{"F/a", task("a", "TASK_RUNNING")}, {"F/b", nullptr}}},
            {"head", {{"counters", {{"offer", 2}}}}}}},
          {"processes", {{"n", 1}}}};
}
json second_entry() {
  return {{"master",
           {{"tasks", {{"F/c", task("c", "TASK_STARTING")}}},
            {"agents", {{"S0", {{"id", "S0"}, {"state", "stopped"}}}}},
            {"executors",
             {{"S0",
               {{"F/e",
                 {{"info", {{"framework_id", {{"value", "F"}}}, {"executor_id", {{"value", "e"}}}}},
                  {"tasks", {"a", "c"}}}}}}}},
            {"head", {{"counters", {{"offer", 3}}}}}}},
          {"processes", {{"n", 2}}}};
}

class CheckpointJournalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        fs::path(::testing::TempDir()) /
        ("journal-" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string snapshot_file() const { return (dir_ / "state.json").string(); }
  std::string journal_file() const { return (dir_ / "journal.jsonl").string(); }

  // A snapshot of two tasks and one agent with one executor, of generation `generation`.
  void write_snapshot(const std::string& generation) {
    json master = {
        {"tasks", {task("a", "TASK_STAGING"), task("b", "TASK_RUNNING")}},
        {"agents",
         {{{"id", "S0"},
           {"executors",
            {{{"info", {{"framework_id", {{"value", "F"}}}, {"executor_id", {{"value", "e"}}}}},
              {"tasks", {"a"}}}}}}}},
        {"counters", {{"offer", 1}}}};
    write(snapshot_file(),
          json{{"master", master}, {"processes", {{"n", 0}}}, {"journal", generation}}.dump());
  }

  // A snapshot of generation G1 and its journal, started, with the first entry if asked.
  CheckpointJournal& started(bool with_first_entry = true, std::uint64_t snapshot_bytes = 1000) {
    write_snapshot("G1");
    journal_ = std::make_unique<CheckpointJournal>(snapshot_file(), journal_file());
    std::string error;
    EXPECT_TRUE(journal_->start("G1", snapshot_bytes, error)) << error;
    if (with_first_entry) append(*journal_, first_entry());
    return *journal_;
  }

  bool append(CheckpointJournal& journal, const json& entry) {
    std::string error;
    const bool ok = journal.append(
        [&](const CheckpointJournal::Put& put) {
          std::string text = entry.dump();
          return put(text);
        },
        error);
    EXPECT_TRUE(ok) << error;
    return ok;
  }

  json load(bool expect_ok = true) {
    json checkpoint;
    bool found = false;
    error_.clear();
    EXPECT_EQ(CheckpointJournal::load(snapshot_file(), journal_file(), checkpoint, found, error_),
              expect_ok)
        << error_;
    EXPECT_TRUE(found);
    return checkpoint;
  }

  fs::path dir_;
  std::string error_;
  std::unique_ptr<CheckpointJournal> journal_;
};

TEST_F(CheckpointJournalTest, EntriesAppliedToTheirSnapshotGiveTheLastSave) {
  write_snapshot("G1");
  CheckpointJournal journal(snapshot_file(), journal_file());
  EXPECT_TRUE(journal.wants_snapshot()) << "nothing written by this process yet";
  std::string error;
  ASSERT_TRUE(journal.start("G1", 1000, error)) << error;
  EXPECT_FALSE(journal.wants_snapshot());
  ASSERT_TRUE(append(journal, first_entry()));
  ASSERT_TRUE(append(journal, second_entry()));
  EXPECT_EQ(journal.journal_bytes(), fs::file_size(journal_file()));

  const json c = load();
  ASSERT_EQ(c["master"]["tasks"].size(), 2u) << c.dump();
  EXPECT_EQ(c["master"]["tasks"][0], task("a", "TASK_RUNNING"));
  EXPECT_EQ(c["master"]["tasks"][1], task("c", "TASK_STARTING"));
  ASSERT_EQ(c["master"]["agents"].size(), 1u);
  EXPECT_EQ(c["master"]["agents"][0]["state"], "stopped");
  ASSERT_EQ(c["master"]["agents"][0]["executors"].size(), 1u);
  EXPECT_EQ(c["master"]["agents"][0]["executors"][0]["tasks"], json({"a", "c"}));
  EXPECT_EQ(c["master"]["counters"]["offer"], 3);
  EXPECT_EQ(c["processes"]["n"], 2);
}

TEST_F(CheckpointJournalTest, ALastLineCutShortIsASaveThatNeverCompleted) {
  CheckpointJournal& journal = started();
  const std::string second = second_entry().dump();
  // Cut anywhere, even after the whole JSON but before its newline.
  for (std::size_t cut : {std::size_t{1}, second.size() / 2, second.size()}) {
    std::ofstream(journal_file(), std::ios::app) << second.substr(0, cut);
    const json c = load();
    EXPECT_EQ(c["master"]["counters"]["offer"], 2) << cut;
    EXPECT_EQ(c["processes"]["n"], 1) << cut;
    fs::resize_file(journal_file(), journal.journal_bytes());
  }
  // Ended by its newline but damaged (a block of zeros), as the last line: ignored too.
  std::ofstream(journal_file(), std::ios::app) << std::string(10, '\0') << "\n";
  EXPECT_EQ(load()["processes"]["n"], 1);
}

TEST_F(CheckpointJournalTest, ADamagedLineBeforeTheLastIsRefusedWithItsNumber) {
  CheckpointJournal& journal = started(false);
  std::string error;
  std::ofstream(journal_file(), std::ios::app) << "{\"master\": {\"tasks\": \n";
  ASSERT_TRUE(append(journal, second_entry()));
  load(false);
  EXPECT_NE(error_.find("line 2 is damaged"), std::string::npos) << error_;
  // An entry of the wrong shape, too.
  ASSERT_TRUE(journal.start("G1", 1000, error)) << error;
  ASSERT_TRUE(append(journal, {{"master", {{"tasks", json::array()}}}}));
  load(false);
  EXPECT_NE(error_.find("line 2: a journal entry's tasks is not an object"), std::string::npos)
      << error_;
}

// A crash after a new snapshot's rename and before its journal leaves the older journal,
// which that snapshot already holds.
TEST_F(CheckpointJournalTest, AJournalOfAnotherGenerationIsIgnored) {
  started();
  EXPECT_EQ(load()["processes"]["n"], 1);
  write_snapshot("G2");
  const json c = load();
  EXPECT_EQ(c["processes"]["n"], 0);
  EXPECT_EQ(c["master"]["tasks"].size(), 2u);
  // A snapshot that names no journal (an older build's) takes none either.
  json old = json::parse(read(snapshot_file()));
  old.erase("journal");
  write(snapshot_file(), old.dump());
  EXPECT_EQ(load()["processes"]["n"], 0);
}

TEST_F(CheckpointJournalTest, NoSnapshotIsNothingFoundAndADamagedOneIsRefused) {
  json checkpoint;
  bool found = true;
  std::string error;
  EXPECT_TRUE(CheckpointJournal::load(snapshot_file(), journal_file(), checkpoint, found, error));
  EXPECT_FALSE(found);
  write(snapshot_file(), "{\"master\":");
  EXPECT_FALSE(CheckpointJournal::load(snapshot_file(), journal_file(), checkpoint, found, error));
  EXPECT_NE(error.find("not valid JSON"), std::string::npos) << error;
}

// An entry that cannot be written whole is cut away, and the next save is a snapshot.
TEST_F(CheckpointJournalTest, AFailedAppendLeavesTheJournalAsItWasAndWantsASnapshot) {
  CheckpointJournal& journal = started();
  std::string error;
  const std::string before = read(journal_file());
  const bool ok = journal.append(
      [](const CheckpointJournal::Put& put) {
        std::string piece = "{\"master\":{\"tasks\":{";
        put(piece);
        return false;  // the rest could not be written
      },
      error);
  EXPECT_FALSE(ok);
  EXPECT_EQ(read(journal_file()), before);
  EXPECT_TRUE(journal.wants_snapshot());
  EXPECT_EQ(load()["processes"]["n"], 1);
}

// A journal that cannot be started (here a directory stands where it goes) says why, and
// leaves no temporary file behind.
TEST_F(CheckpointJournalTest, AStartThatFailsLeavesNoTemporaryFile) {
  write_snapshot("G1");
  fs::create_directories(fs::path(journal_file()) / "in-the-way");
  CheckpointJournal journal(snapshot_file(), journal_file());
  std::string error;
  EXPECT_FALSE(journal.start("G1", 1000, error));
  EXPECT_NE(error.find("cannot write " + journal_file()), std::string::npos) << error;
  EXPECT_FALSE(fs::exists(journal_file() + ".tmp"));
  EXPECT_TRUE(journal.wants_snapshot());
}

// A writer that throws halfway (out of memory) leaves the journal as a failure does.
TEST_F(CheckpointJournalTest, AnAppendThatThrowsIsCutBackToo) {
  CheckpointJournal& journal = started();
  std::string error;
  const std::string before = read(journal_file());
  EXPECT_THROW(journal.append(
                   [](const CheckpointJournal::Put& put) -> bool {
                     std::string piece = "{\"master\":{\"tasks\":{";
                     put(piece);
                     throw std::bad_alloc();
                   },
                   error),
               std::bad_alloc);
  EXPECT_EQ(read(journal_file()), before);
  EXPECT_TRUE(journal.wants_snapshot());
}

// A file system may show stale blocks past the last completed write after a crash: damaged
// lines at the end, with no sound entry after them, are a save that never completed.
TEST_F(CheckpointJournalTest, DamagedLinesAtTheEndAreASaveThatNeverCompleted) {
  started();
  std::ofstream(journal_file(), std::ios::app) << "{\"mas\n\n" << std::string(8, 'x') << "\n";
  EXPECT_EQ(load()["processes"]["n"], 1);
  // With a sound entry after them, they are damage, not a crash's tail.
  std::ofstream(journal_file(), std::ios::app) << second_entry().dump() << "\n";
  load(false);
  EXPECT_NE(error_.find("line 3 is damaged"), std::string::npos) << error_;
}

// Only a file that is not there is missing: one that cannot be looked at refuses the start
// rather than have the cluster start from nothing and overwrite it.
TEST_F(CheckpointJournalTest, AFileThatCannotBeReadIsNotTakenForMissing) {
  write_snapshot("G1");
  fs::create_symlink("journal.jsonl", journal_file());  // a loop
  json checkpoint;
  bool found = false;
  std::string error;
  EXPECT_FALSE(CheckpointJournal::load(snapshot_file(), journal_file(), checkpoint, found, error));
  EXPECT_NE(error.find("cannot read " + journal_file()), std::string::npos) << error;
  fs::remove(journal_file());
  fs::remove(snapshot_file());
  fs::create_symlink("state.json", snapshot_file());
  EXPECT_FALSE(CheckpointJournal::load(snapshot_file(), journal_file(), checkpoint, found, error));
  EXPECT_NE(error.find("cannot read " + snapshot_file()), std::string::npos) << error;
}

TEST_F(CheckpointJournalTest, AJournalOutgrowingItsSnapshotWantsANewOne) {
  CheckpointJournal& journal = started(false, CheckpointJournal::kMinJournalBytes);
  const std::string big(std::size_t{1} << 20, 'x');
  std::uint64_t appended = 0;
  while (!journal.wants_snapshot()) {
    ASSERT_TRUE(append(journal, {{"processes", {{"pad", big}}}}));
    ++appended;
    ASSERT_LT(appended, 100u);
  }
  // Twice the snapshot: 16 MB of 1 MB entries.
  EXPECT_EQ(appended, 16u);
}

}  // namespace
}  // namespace steward::cluster
