#include "cli/pod_exec.hpp"

#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <ostream>

namespace steward::cli {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

struct TaskProcess {
  pid_t pid = -1;
  std::vector<std::string> environment;
  std::string directory;
  uid_t uid = 0;
  gid_t gid = 0;
};

std::vector<std::string> split_nul(const std::string& text) {
  std::vector<std::string> out;
  std::size_t at = 0;
  while (at < text.size()) {
    std::size_t end = text.find('\0', at);
    if (end == std::string::npos) end = text.size();
    if (end > at) out.push_back(text.substr(at, end - at));
    at = end + 1;
  }
  return out;
}

// The task's own process: it leads its process group, and the executor gave it the task id.
std::optional<TaskProcess> find_task_process(const std::string& task_id) {
  const std::string needle = "MESOS_TASK_ID=" + task_id;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/proc", ec)) {
    const std::string name = entry.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    const pid_t pid = std::atoi(name.c_str());
    if (getpgid(pid) != pid) continue;
    std::ifstream in(entry.path() / "environ");
    std::vector<std::string> env = split_nul(std::string(std::istreambuf_iterator<char>(in), {}));
    if (std::find(env.begin(), env.end(), needle) == env.end()) continue;
    TaskProcess p;
    p.pid = pid;
    p.environment = std::move(env);
    p.directory = fs::read_symlink(entry.path() / "cwd", ec).string();
    std::ifstream status(entry.path() / "status");
    std::string line;
    while (std::getline(status, line)) {
      if (line.rfind("Uid:", 0) == 0) p.uid = static_cast<uid_t>(std::atol(line.c_str() + 4));
      if (line.rfind("Gid:", 0) == 0) p.gid = static_cast<gid_t>(std::atol(line.c_str() + 4));
    }
    return p;
  }
  return std::nullopt;
}

}  // namespace

int run_pod_exec(const PodExecOptions& o, std::ostream& out, std::ostream& err) {
  auto client = ServiceClient::locate(o.target, err);
  if (!client) return 1;
  auto a = client->get("/v1/pod/" + o.pod + "/info");
  if (a.status != 200) return report_failure(a, err);
  json info = json::parse(a.body, nullptr, false);
  std::string task_id;
  for (const json& entry : info.is_array() ? info : json::array()) {
    const std::string name = entry["info"].value("name", std::string());
    if (name == o.task || name == o.pod + "-" + o.task)
      task_id = entry["info"]["task_id"].value("value", std::string());
  }
  if (task_id.empty()) {
    err << "error: pod " << o.pod << " has no launched task " << o.task << "\n";
    return 1;
  }
  auto process = find_task_process(task_id);
  if (!process) {
    err << "error: task " << task_id
        << " is not running on this machine (pod exec reaches tasks of the embedded cluster)\n";
    return 1;
  }
  std::string command;
  for (const std::string& part : o.command)
    command += (command.empty() ? "" : " ") + part;
  out.flush();
  err.flush();
  pid_t child = fork();
  if (child < 0) {
    err << "error: cannot start the command\n";
    return 1;
  }
  if (child == 0) {
    if (chdir(process->directory.c_str()) != 0) _exit(126);
    if (geteuid() == 0 && process->uid != 0) {
      if (setgid(process->gid) != 0 || setuid(process->uid) != 0) _exit(126);
    }
    std::vector<char*> env;
    for (std::string& e : process->environment)
      env.push_back(e.data());
    env.push_back(nullptr);
    const char* argv[] = {"sh", "-c", command.c_str(), nullptr};
    execve("/bin/sh", const_cast<char* const*>(argv), env.data());
    _exit(127);
  }
  int status = 0;
  waitpid(child, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace steward::cli
