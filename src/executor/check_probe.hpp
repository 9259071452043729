#pragma once

// `steward check http PORT PATH TIMEOUT` and `steward check tcp PORT TIMEOUT`: the probes
// the executor runs (as child processes, like Mesos' curl and mesos-tcp-connect) for HTTP
// and TCP checks against 127.0.0.1. HTTP prints the status code; the exit status is 0 when
// healthy (2xx or 3xx, or a TCP connection), 1 when not, 2 on bad arguments.

#include <iosfwd>
#include <string>
#include <vector>

namespace steward::executor {

int run_probe(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace steward::executor
