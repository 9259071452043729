#pragma once

// Fetches a task's URIs into its sandbox, as the Mesos fetcher does: local paths, file://
// and http:// (https is not served), archives (.tar, .tar.gz, .tgz, .tar.xz, .zip)
// extracted when `extract` is set, `executable` files made executable.

#include <string>

#include "mesos/task_info.hpp"

namespace steward::executor {

bool fetch_uri(const mesos::CommandInfo::Uri& uri, const std::string& sandbox, std::string& error);

}  // namespace steward::executor
