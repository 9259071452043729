#pragma once

// The stored form of a TaskInfo and a TaskStatus: a compact binary record instead of JSON.
// A scheduler's start decodes every task it has; with 10,000 tasks, parsing JSON was almost all
// of the time before its API answered (about 50 us a task), and a record reads in a few.
//
// Layout: a magic byte, the record kind, a format version, then the fields in declaration
// order: unsigned integers and lengths as LEB128 varints, signed ones zigzagged, doubles as
// their 8 IEEE bytes little-endian, strings as a length and bytes, an optional as a presence
// byte (0 or 1) and the value, a vector as a count and its items. Nothing is skipped and
// nothing may follow the last field, so a damaged record is an error, never a wrong value
// read past its end. Adding a field means a new format version that still reads the old one.

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mesos/task_info.hpp"
#include "mesos/task_status.hpp"

namespace steward::state {

std::string encode_record(const mesos::TaskInfo& task);
std::string encode_record(const mesos::TaskStatus& status);

// A value, or nothing with `error` saying what was wrong (truncated, a bad tag, trailing
// bytes). Never throws, whatever the bytes.
std::optional<mesos::TaskInfo> decode_task_record(std::string_view bytes, std::string& error);
std::optional<mesos::TaskStatus> decode_status_record(std::string_view bytes, std::string& error);

// A task record split for keeping in memory (scheduler/task_entry.hpp): the name and ids
// decoded, and `rest`, everything else, read without decoding it into a TaskInfo. It accepts
// exactly the records decode_task_record() accepts, and decode_task_rest() of `rest` then
// setting the three fields gives what decode_task_record() gives. The labels stay in `rest`,
// read in place (find_label): as strings of their own they took more than half a kilobyte
// per task in a dozen allocations.
//
// A rest is for this process's memory only, never to be stored: a string that records
// repeat is a number in the process's StringPool there (state/string_pool.hpp), which took
// a task of the scale benchmark from about 1,050 bytes to 530.
struct SplitTaskRecord {
  std::string name;
  std::string task_id;
  std::string agent_id;
  std::string rest;
  std::size_t labels_at = 0;   // where the labels start in `rest`
  bool has_check = false;      // a readiness check (TaskInfo::check)
  bool has_resources = false;  // resources of the task's own
};
std::optional<SplitTaskRecord> split_task_record(std::string_view bytes, std::string& error);
// The TaskInfo of a split's rest, its name and ids empty; nothing, with `error`, for bytes
// that are not one.
std::optional<mesos::TaskInfo> decode_task_rest(std::string_view rest, std::string& error);

// A label of a split record's rest, read in place from `labels_at`: whether it is there, and
// its value (a view into `rest`) when it has one. The first of that key, as
// label_of() reads a decoded task's. Nothing found in bytes that are not a split's rest.
struct FoundLabel {
  bool found = false;
  bool has_value = false;
  std::string_view value;
};
FoundLabel find_label(std::string_view rest, std::size_t labels_at, std::string_view key);
// Every label of a split record's rest; none in bytes that are not a split's rest.
std::vector<mesos::Label> read_labels(std::string_view rest, std::size_t labels_at);

// Calls `fn` with the resource_id of each resource of a split's rest that has one (the task's
// own, then its executor's), as Resource::label("resource_id") reads it, without decoding
// the rest: what a scheduler keeps is gathered from every task it has. False, with `error`,
// for bytes that are not a rest; `fn` may have been called for what came before the damage.
using ResourceIdFn = std::function<void(std::string_view)>;
bool for_each_resource_id(std::string_view rest, const ResourceIdFn& fn, std::string& error);

// Whether `bytes` starts like a record (as opposed to the JSON text of schema version 1).
bool is_record(std::string_view bytes);

}  // namespace steward::state
