#pragma once

// Starting a child process the way the executor needs: in a process group of its own (so a
// kill reaches everything it started), in a given directory, with a given environment and
// output files, optionally as another user. Failures to start (no such program, no such
// user) come back as an error, not as a child that exits 127.

#include <sys/types.h>

#include <cstddef>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace steward {

struct ProcessSpec {
  bool shell = true;
  std::string command;                 // with shell: run by /bin/sh -c
  std::vector<std::string> arguments;  // without shell: argv, argv[0] is the program
  std::vector<std::pair<std::string, std::string>> environment;  // the whole environment
  std::string working_directory;
  std::string stdout_path;  // appended to; empty: /dev/null
  std::string stderr_path;
  std::string user;          // switch to this user (only when running as root); empty: stay
  bool new_session = false;  // setsid() instead of only a new process group
  struct Limit {
    int resource;  // RLIMIT_NOFILE, ...
    unsigned long long soft;
    unsigned long long hard;
  };
  std::vector<Limit> limits;  // setrlimit() in the child before exec
};

// The child's pid, or nullopt with `error` set.
std::optional<pid_t> spawn(const ProcessSpec& spec, std::string& error);

// SIGTERM or SIGKILL to the whole process group led by `pid`.
void signal_group(pid_t pid, int signal);

// `signal` to every process of the session led by `sid` (a task's own process group lives
// inside its executor's session, so this reaches all of them).
void signal_session(pid_t sid, int signal);
// What /proc/<pid>/stat says of a process; nullopt when it does not exist (or /proc cannot
// be read).
struct ProcessStat {
  std::string state;  // R, S, D, Z, X, ...
  pid_t session = 0;
  long threads = 0;
  // A zombie (or dead) with no thread still running: a leader that ended before its other
  // threads shows as a zombie too.
  bool exited() const { return (state == "Z" || state == "X") && threads <= 1; }
};
std::optional<ProcessStat> process_stat(pid_t pid);
// How many processes of each of `sids` have not exited (zombies do not count), from one
// pass over /proc; a session that is empty, even after its leader is gone, maps to 0.
std::map<pid_t, std::size_t> session_sizes(const std::set<pid_t>& sids);

// The environment of this process, as pairs.
std::vector<std::pair<std::string, std::string>> current_environment();

// Sets or replaces `key` in `env`.
void set_env(std::vector<std::pair<std::string, std::string>>& env, const std::string& key,
             const std::string& value);

}  // namespace steward
