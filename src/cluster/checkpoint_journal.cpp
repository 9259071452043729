#include "cluster/checkpoint_journal.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>

#include "cluster/journal_merge.hpp"

namespace steward::cluster {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

bool write_all(int fd, const char* data, std::size_t size) {
  while (size > 0) {
    const ssize_t n = ::write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

bool sync_directory(const std::string& file) {
  std::string dir = fs::path(file).parent_path().string();
  if (dir.empty()) dir = ".";
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return false;
  const bool ok = ::fsync(fd) == 0;
  ::close(fd);
  return ok;
}

std::string errno_text() {
  return std::strerror(errno);
}

}  // namespace

CheckpointJournal::CheckpointJournal(std::string snapshot_file, std::string journal_file)
    : snapshot_file_(std::move(snapshot_file)), journal_file_(std::move(journal_file)) {}

CheckpointJournal::~CheckpointJournal() {
  close();
}

void CheckpointJournal::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

bool CheckpointJournal::wants_snapshot() const {
  return fd_ < 0 || journal_bytes_ >= std::max(kMinJournalBytes, 2 * snapshot_bytes_);
}

bool CheckpointJournal::start(const std::string& generation, std::uint64_t snapshot_bytes,
                              std::string& error) {
  close();
  // The snapshot's rename must be on disk before the old journal goes: the other way round,
  // a crash could leave the old snapshot and a journal that does not follow it.
  if (!sync_directory(snapshot_file_)) {
    error = "cannot sync the directory of " + snapshot_file_ + ": " + errno_text();
    return false;
  }
  const std::string tmp = journal_file_ + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    error = "cannot write " + tmp + ": " + errno_text();
    return false;
  }
  const std::string header = json{{"generation", generation}}.dump() + "\n";
  if (!write_all(fd, header.data(), header.size()) || ::fsync(fd) != 0 ||
      ::rename(tmp.c_str(), journal_file_.c_str()) != 0 || !sync_directory(journal_file_)) {
    error = "cannot write " + journal_file_ + ": " + errno_text();
    ::close(fd);
    ::unlink(tmp.c_str());  // nothing left behind when the rename did not happen
    return false;
  }
  ::close(fd);
  fd_ = ::open(journal_file_.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  if (fd_ < 0) {
    error = "cannot open " + journal_file_ + ": " + errno_text();
    return false;
  }
  journal_bytes_ = header.size();
  snapshot_bytes_ = snapshot_bytes;
  return true;
}

bool CheckpointJournal::append(const std::function<bool(const Put&)>& write, std::string& error) {
  if (fd_ < 0) {
    error = "no journal is open";
    return false;
  }
  std::uint64_t written = 0;
  const Put put = [&](std::string& piece) {
    const bool ok = write_all(fd_, piece.data(), piece.size());
    written += piece.size();
    piece.clear();
    return ok;
  };
  // What was written of an entry that fails (or throws) is cut away, so that no later entry
  // follows a damaged line; whatever happens, the next save writes a snapshot and a new
  // journal (the master marked what it wrote as written).
  const auto give_up = [this] {
    [[maybe_unused]] const int cut = ::ftruncate(fd_, static_cast<off_t>(journal_bytes_));
    close();
  };
  std::string end = "\n";
  bool ok = false;
  try {
    ok = write(put) && put(end) && ::fdatasync(fd_) == 0;
  } catch (...) {
    give_up();
    throw;
  }
  if (!ok) {
    error = "cannot append to " + journal_file_ + ": " + errno_text();
    give_up();
    return false;
  }
  journal_bytes_ += written;
  return true;
}

bool CheckpointJournal::load(const std::string& snapshot_file, const std::string& journal_file,
                             json& checkpoint, bool& found, std::string& error) {
  found = false;
  // Only a file that is not there is missing: any other failure to look at one refuses the
  // start, rather than start from nothing and overwrite what is kept.
  const auto present = [&](const std::string& file) -> std::optional<bool> {
    std::error_code ec;
    const fs::file_status status = fs::status(file, ec);
    if (status.type() == fs::file_type::not_found) return false;
    if (ec) {
      error = "cannot read " + file + ": " + ec.message();
      return std::nullopt;
    }
    return true;
  };
  const std::optional<bool> has_snapshot = present(snapshot_file);
  if (!has_snapshot) return false;
  if (!*has_snapshot) return true;
  found = true;
  const std::optional<bool> has_journal = present(journal_file);
  if (!has_journal) return false;
  std::ifstream snapshot(snapshot_file);
  if (!snapshot.is_open()) {
    error = "cannot read " + snapshot_file + ": " + errno_text();
    return false;
  }
  std::ifstream journal;
  if (*has_journal) {
    journal.open(journal_file);
    if (!journal.is_open()) {
      error = "cannot read " + journal_file + ": " + errno_text();
      return false;
    }
  }
  if (read(snapshot, *has_journal ? &journal : nullptr, checkpoint, error)) return true;
  error = (error.rfind("line ", 0) == 0 ? journal_file + " " : snapshot_file + " ") + error;
  return false;
}

bool CheckpointJournal::read(std::istream& snapshot, std::istream* journal, json& checkpoint,
                             std::string& error) {
  checkpoint = json::parse(snapshot, nullptr, false);
  if (checkpoint.is_discarded() || !checkpoint.is_object()) {
    error = "is not valid JSON";
    return false;
  }
  const auto generation = checkpoint.find("journal");
  if (generation == checkpoint.end() || !generation->is_string()) return true;  // none kept
  if (journal == nullptr) return true;  // the snapshot was the last save
  std::istream& in = *journal;
  std::string line;
  if (!std::getline(in, line) || in.eof()) return true;  // a journal never started
  const json header = json::parse(line, nullptr, false);
  if (header.is_discarded() || !header.is_object() ||
      header.value("generation", json()) != *generation)
    return true;  // an older journal, which the snapshot already holds
  if (!checkpoint.contains("master")) {
    error = "has no master";
    return false;
  }
  JournalMerge merge(checkpoint["master"]);
  for (std::size_t number = 2; std::getline(in, line); ++number) {
    // A line without its newline was cut short by a crash while it was written: that save
    // never completed (its newline is written last), and nothing follows it.
    if (in.eof()) break;
    json entry = json::parse(line, nullptr, false);
    if (entry.is_discarded() || !entry.is_object()) {
      // What a crash may leave at the end: damaged lines (a file system may show stale
      // blocks past the last completed write) with no sound entry after them.
      bool sound_after = false;
      for (std::string next; !sound_after && std::getline(in, next);)
        sound_after = !in.eof() && json::accept(next);
      if (!sound_after) break;
      error = "line " + std::to_string(number) + " is damaged";
      return false;
    }
    std::string why;
    if (entry.contains("master") && !merge.apply(entry["master"], why)) {
      error = "line " + std::to_string(number) + ": " + why;
      return false;
    }
    if (entry.contains("processes")) checkpoint["processes"] = std::move(entry["processes"]);
  }
  merge.finish();
  return true;
}

}  // namespace steward::cluster
