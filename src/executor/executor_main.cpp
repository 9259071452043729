#include "executor/executor_main.hpp"

#include <signal.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <ostream>
#include <thread>

#include "common/event_loop.hpp"
#include "common/exit_watcher.hpp"
#include "common/process.hpp"
#include "executor/pod_executor.hpp"
#include "executor/update_sender.hpp"
#include "mesos/call_queue.hpp"
#include "mesos/executor_api.hpp"
#include "mesos/scheduler_client.hpp"

namespace steward::executor {

namespace {

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string env_or(const char* name, const std::string& fallback = {}) {
  const char* v = std::getenv(name);
  return v && *v ? std::string(v) : fallback;
}

// Where the cluster listens now: it may come back on another port after a restart.
bool cluster_address(const std::string& file, std::string& host, int& port) {
  std::ifstream in(file);
  if (!in) return false;
  nlohmann::json j = nlohmann::json::parse(in, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return false;
  host = j.value("host", "127.0.0.1");
  port = j.value("port", 0);
  return port > 0;
}

}  // namespace

int run_executor(std::ostream& log) {
  signal(SIGPIPE, SIG_IGN);
  const std::string cluster_file = env_or("STEWARD_CLUSTER_FILE");
  const std::string agent_id = env_or("MESOS_AGENT_ID");
  ExecutorOptions options;
  options.framework_id = env_or("MESOS_FRAMEWORK_ID");
  options.executor_id = env_or("MESOS_EXECUTOR_ID");
  options.agent_id = agent_id;
  options.sandbox = env_or("MESOS_SANDBOX", ".");
  options.framework_user = env_or("STEWARD_FRAMEWORK_USER");
  {
    std::error_code ec;
    options.program = std::filesystem::read_symlink("/proc/self/exe", ec).string();
  }
  const double recovery_timeout = std::atof(env_or("MESOS_RECOVERY_TIMEOUT", "900").c_str());
  if (cluster_file.empty() || agent_id.empty() || options.framework_id.empty() ||
      options.executor_id.empty()) {
    log << "steward executor: started without its agent's environment "
           "(STEWARD_CLUSTER_FILE, MESOS_AGENT_ID, MESOS_FRAMEWORK_ID, MESOS_EXECUTOR_ID)\n";
    return 2;
  }
  // Tasks get the agent's environment minus the executor's own settings.
  for (const auto& [k, v] : current_environment())
    if (k.rfind("STEWARD_", 0) != 0) options.environment.emplace_back(k, v);
  const std::string api_path = "/agents/" + agent_id + "/api/v1/executor";

  std::mutex mutex;
  std::condition_variable done_cv;
  bool done = false;
  auto finish = [&] {
    std::lock_guard lock(mutex);
    done = true;
    done_cv.notify_all();
  };

  // Updates go out in order from a queue of their own, so that the loop never waits for the
  // agent: a task starts right after its STARTING is queued, not once the agent has it. Each
  // travels on a connection of its own (a kept one would hold one of the cluster's workers
  // for its keep-alive time, and hundreds of executors would hold them all), to where the
  // cluster listens now: it may have restarted on another port since the last. One that
  // gets no answer is tried again before the next goes (UpdateSender).
  UpdateSender sender([&](const std::string& body) {
    std::string host;
    int port = 0;
    if (!cluster_address(cluster_file, host, port)) {
      mesos::SchedulerClient::Response r;
      r.error = "no cluster address in " + cluster_file;
      return r;
    }
    return mesos::SchedulerClient(host, port, api_path)
        .request("POST", api_path, body, {{"Content-Type", "application/json"}});
  });
  mesos::CallQueue updates([&](const std::string& body) { return sender.send(body); }, nullptr);
  // Whatever is still queued at the end was acknowledged already (the executor ends only
  // then), or has nobody to go to (an orphaned executor, or a way out by an exception): an
  // update being tried again must not hold the exit. (Destroyed before `updates`, whose
  // destructor waits for the update under way.)
  struct StopSending {
    UpdateSender& sender;
    ~StopSending() { sender.stop(); }
  } stop_sending{sender};
  auto send = [&](const mesos::TaskStatus& status) {
    mesos::ExecutorCall call;
    call.type = mesos::ExecutorCall::Type::update;
    call.framework_id = options.framework_id;
    call.executor_id = options.executor_id;
    call.status = status;
    updates.push(mesos::encode(call), "UPDATE");
  };

  std::unique_ptr<PodExecutor> executor;
  bool orphaned = false;  // loop thread only
  EventLoop loop(std::chrono::milliseconds(50), [&] {
    if (!executor) return;
    executor->tick(now_seconds());
    if (executor->finished() || (orphaned && executor->live_tasks() == 0)) finish();
  });
  // A task or check that ends is reported at once rather than at the next tick: a `prepare`
  // whose end starts its pod's `server`, a readiness check whose pass completes a step.
  ExitWatcher exits([&] { loop.tick_soon(); });
  options.started = [&](pid_t pid) { exits.watch(pid); };
  executor = std::make_unique<PodExecutor>(options, send);
  loop.start();

  std::atomic<bool> stopping{false};
  // The connection thread waits on this while subscribed; stopping wakes it at once.
  std::mutex wake_mutex;
  std::condition_variable wake_cv;
  std::thread connection([&] {
    double disconnected_since = now_seconds();
    double backoff = 0.2;
    while (!stopping) {
      std::string host;
      int port = 0;
      bool closed = false;
      std::unique_ptr<mesos::SchedulerClient> client;
      bool subscribed = false;
      if (cluster_address(cluster_file, host, port)) {
        client = std::make_unique<mesos::SchedulerClient>(host, port, api_path);
        mesos::ExecutorCall call;
        call.type = mesos::ExecutorCall::Type::subscribe;
        call.framework_id = options.framework_id;
        call.executor_id = options.executor_id;
        auto r = client->subscribe(
            mesos::encode(call),
            [&](std::string record) {
              std::string error;
              auto event = mesos::decode_executor_event(record, error);
              if (!event) {
                log << "steward executor: bad event: " << error << std::endl;
                return;
              }
              loop.post([&, e = std::move(*event)] {
                double now = now_seconds();
                switch (e.type) {
                  case mesos::ExecutorEvent::Type::subscribed:
                    executor->resend_unacknowledged();
                    break;
                  case mesos::ExecutorEvent::Type::launch_group:
                    executor->launch_group(e.tasks, e.volumes, now);
                    break;
                  case mesos::ExecutorEvent::Type::kill:
                    executor->kill(e.task_id, e.kill_grace_period_ns, now);
                    break;
                  case mesos::ExecutorEvent::Type::acknowledged:
                    executor->acknowledged(e.task_id, e.uuid);
                    // The last acknowledgement of the last task: exit now, not a tick later;
                    // checked behind the events already queued (a launch among them keeps
                    // the executor), as the tick checks.
                    loop.post([&] {
                      if (executor->finished()) finish();
                    });
                    break;
                  case mesos::ExecutorEvent::Type::shutdown:
                    executor->shutdown(now);
                    break;
                  default:
                    break;
                }
              });
            },
            [&](std::string) {
              std::lock_guard lock(wake_mutex);
              closed = true;
              wake_cv.notify_all();
            });
        if (r.status == 200) {
          subscribed = true;
          backoff = 0.2;
          std::unique_lock lock(wake_mutex);
          while (!closed && !stopping)
            wake_cv.wait_for(lock, std::chrono::milliseconds(200));
        } else if (r.status == 404 || r.status == 410) {
          // The agent does not know this executor any more: nothing to report to.
          // Nobody will acknowledge this executor's updates: kill its tasks and exit once
          // they are gone, without waiting for acknowledgements.
          log << "steward executor: the agent refused the subscription: " << r.body << std::endl;
          loop.post([&] {
            executor->shutdown(now_seconds());
            orphaned = true;
          });
        }
      }
      if (client) client->disconnect();
      if (stopping) break;
      if (subscribed) disconnected_since = now_seconds();
      if (now_seconds() - disconnected_since > recovery_timeout) {
        log << "steward executor: no agent for " << recovery_timeout << " s; killing the tasks"
            << std::endl;
        loop.post([&] { executor->shutdown(now_seconds()); });
        disconnected_since = now_seconds();  // give the kill time before trying again
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(static_cast<int>(backoff * 1000)));
      backoff = std::min(backoff * 2, 2.0);
    }
  });

  {
    std::unique_lock lock(mutex);
    done_cv.wait(lock, [&] { return done; });
  }
  {
    std::lock_guard lock(wake_mutex);
    stopping = true;
  }
  wake_cv.notify_all();
  connection.join();
  loop.stop();
  return 0;
}

}  // namespace steward::executor
