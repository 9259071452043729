#pragma once

// `steward check http PORT PATH TIMEOUT` and `steward check tcp PORT TIMEOUT`: the probes
// the executor runs (as child processes, like Mesos' curl and mesos-tcp-connect) for HTTP
// and TCP checks against 127.0.0.1. HTTP prints the status code; the exit status is 0 when
// healthy (2xx or 3xx, or a TCP connection), 1 when not, 2 on bad arguments.

#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace steward::executor {

int run_probe(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

// The status code an HTTP probe printed into `path`, read back by the executor (root, maybe)
// from the task's sandbox, where the task could have swapped the file: no link followed, no
// FIFO waited on, only a regular file's first bytes. Nothing when there is none.
std::optional<int> read_http_status(const std::string& path);

}  // namespace steward::executor
