#pragma once

// The cluster daemon's checkpoint on disk: a whole snapshot (`master/state.json`) and a
// journal of what changed since (`master/journal.jsonl`), so that a save writes what changed
// rather than everything the master holds (42 MB at 10,000 tasks, rewritten after every
// change, held the daemon's loop for a tenth of a second and acknowledgements for a second).
//
// The journal's first line names the snapshot it follows ({"generation": "<uuid>"}, the same
// uuid as the snapshot's "journal" field); each further line is one save's entry,
// {"master": <Master::write_journal_entry>, "processes": <ProcessRuntime::checkpoint>},
// written and fdatasync'd before the save counts as done. A new snapshot is written through
// a temporary file, fsync and rename, then its directory is synced, and only then is an
// empty journal of its generation put in place (the same way): a crash in between leaves a
// journal of the old generation, which the new snapshot already holds and which is ignored.
// A last line cut short (a crash while appending) is a save that never completed and is
// ignored; a damaged line before the last is refused.

#include <cstdint>
#include <functional>
#include <istream>
#include <nlohmann/json.hpp>
#include <string>

namespace steward::cluster {

class CheckpointJournal {
 public:
  // Snapshots are written again once the journal is this large and twice the snapshot: a
  // deploy that grows the state writes it whole a few times (growing by three each time),
  // and a restart reads at most three times the state.
  static constexpr std::uint64_t kMinJournalBytes = std::uint64_t{8} << 20;

  CheckpointJournal(std::string snapshot_file, std::string journal_file);
  ~CheckpointJournal();
  CheckpointJournal(const CheckpointJournal&) = delete;
  CheckpointJournal& operator=(const CheckpointJournal&) = delete;

  // Whether the next save must be a whole snapshot: this process wrote none yet (what it
  // restored may end in a cut line), an append failed, or the journal outgrew the snapshot.
  bool wants_snapshot() const;
  // The snapshot of `generation`, `snapshot_bytes` long, is in place: its directory is synced
  // and an empty journal of that generation replaces the old one.
  bool start(const std::string& generation, std::uint64_t snapshot_bytes, std::string& error);
  // One save's entry (one line of JSON, without its newline), on disk when this returns
  // true. `write` hands it over in pieces to the function it is given, which writes and
  // empties each (false when it could not). On a failure the journal is cut back to the
  // entry before and given up: the next save is a snapshot.
  using Put = std::function<bool(std::string&)>;
  bool append(const std::function<bool(const Put&)>& write, std::string& error);
  // The journal no longer follows what the master marked as written: the next save must be
  // a snapshot.
  void give_up() { close(); }
  std::uint64_t journal_bytes() const { return journal_bytes_; }

  // The checkpoint as the last completed save left it: the snapshot with the entries of its
  // journal applied. `found` is false (and the result true) when there is no snapshot.
  static bool load(const std::string& snapshot_file, const std::string& journal_file,
                   nlohmann::json& checkpoint, bool& found, std::string& error);
  // The same from the files' contents (`journal` null when there is none); `error` names the
  // journal's line, not the files.
  static bool read(std::istream& snapshot, std::istream* journal, nlohmann::json& checkpoint,
                   std::string& error);

 private:
  void close();

  std::string snapshot_file_;
  std::string journal_file_;
  int fd_ = -1;
  std::uint64_t journal_bytes_ = 0;
  std::uint64_t snapshot_bytes_ = 0;
};

}  // namespace steward::cluster
