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

#include <optional>
#include <string>
#include <string_view>

#include "mesos/task_info.hpp"
#include "mesos/task_status.hpp"

namespace steward::state {

std::string encode_record(const mesos::TaskInfo& task);
std::string encode_record(const mesos::TaskStatus& status);

// A value, or nothing with `error` saying what was wrong (truncated, a bad tag, trailing
// bytes). Never throws, whatever the bytes.
std::optional<mesos::TaskInfo> decode_task_record(std::string_view bytes, std::string& error);
std::optional<mesos::TaskStatus> decode_status_record(std::string_view bytes, std::string& error);

// Whether `bytes` starts like a record (as opposed to the JSON text of schema version 1).
bool is_record(std::string_view bytes);

}  // namespace steward::state
