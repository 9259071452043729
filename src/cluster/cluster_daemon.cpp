#include "cluster/cluster_daemon.hpp"

#include <signal.h>
#include <unistd.h>
#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "cluster/checkpoint_journal.hpp"
#include "cluster/master.hpp"
#include "cluster/master_state.hpp"
#include "cluster/process_runtime.hpp"
#include "cluster/save_budget.hpp"
#include "cluster/save_failures.hpp"
#include "cluster/simulated_runtime.hpp"
#include "common/allocator.hpp"
#include "common/event_loop.hpp"
#include "common/http_server.hpp"
#include "common/json_document.hpp"
#include "common/process.hpp"
#include "common/strings.hpp"
#include "common/uuid.hpp"
#include "mesos/call_json.hpp"
#include "mesos/executor_api.hpp"
#include "mesos/task_info_json.hpp"

namespace steward::cluster {

using nlohmann::json;
namespace fs = std::filesystem;

namespace {

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// The loop's clock, `seconds` from now.
std::chrono::steady_clock::time_point steady_after(double seconds) {
  return std::chrono::steady_clock::now() +
         std::chrono::duration_cast<std::chrono::steady_clock::duration>(
             std::chrono::duration<double>(std::max(0.0, seconds)));
}

void reply(HttpServer::Response& res, int status, const std::string& message) {
  res.status = status;
  if (!message.empty()) res.set_content(message, "text/plain");
}

void reply_json(HttpServer::Response& res, int status, const json& body) {
  res.status = status;
  res.set_content(body.dump(-1, ' ', false, json::error_handler_t::replace), "application/json");
}

// The master id survives restarts so that agent and framework ids stay the same.
std::string load_master_id(const std::string& data_dir) {
  fs::path file = fs::path(data_dir) / "master" / "id";
  std::ifstream in(file);
  std::string id;
  if (in && std::getline(in, id) && !id.empty()) return id;
  id = new_id();
  fs::create_directories(file.parent_path());
  std::ofstream out(file.string() + ".tmp");
  out << id << "\n";
  out.close();
  fs::rename(file.string() + ".tmp", file);
  return id;
}

// Content-Type must be exactly application/json, as the Mesos master compares it.
bool check_content_type(const HttpServer::Request& req, HttpServer::Response& res) {
  if (!req.has_header("Content-Type")) {
    reply(res, 400, "Expecting 'Content-Type' to be present");
    return false;
  }
  if (req.header("Content-Type") != "application/json") {
    reply(res, 415,
          "Expecting 'Content-Type' of application/json (application/x-protobuf is not served "
          "by the embedded cluster)");
    return false;
  }
  return true;
}

// The body of a v1 call: the right Content-Type and a JSON object, or an answered 4xx.
std::optional<json> read_call(const HttpServer::Request& req, HttpServer::Response& res) {
  if (!check_content_type(req, res)) return std::nullopt;
  json j = json::parse(req.body, nullptr, false);
  if (j.is_discarded()) {
    reply(res, 400, "Failed to parse body into JSON: not valid JSON");
    return std::nullopt;
  }
  if (!j.is_object()) {
    reply(res, 400, "Failed to parse body into JSON: expected an object");
    return std::nullopt;
  }
  return j;
}

// The body of a v1 call parsed into `doc`, with read_call's checks and answers.
bool read_document(const HttpServer::Request& req, HttpServer::Response& res, JsonDocument& doc) {
  if (!check_content_type(req, res)) return false;
  if (!doc.parse(req.body)) {
    reply(res, 400, "Failed to parse body into JSON: not valid JSON");
    return false;
  }
  if (!doc.root().is_object()) {
    reply(res, 400, "Failed to parse body into JSON: expected an object");
    return false;
  }
  return true;
}

// What read_accept found in a call's body.
enum class AcceptBody { other, answered, accept };

// An ACCEPT's body parsed into `doc` (megabytes for a launch pass: nlohmann's tree made its
// parse the largest part of the cluster's CPU in a deploy), or a 4xx answered. `other` for
// any other call, and for an ACCEPT whose text spells its type with escapes (read_call's
// tree then finds it).
AcceptBody read_accept(const HttpServer::Request& req, HttpServer::Response& res,
                       JsonDocument& doc) {
  if (!mentions(req.body, "\"ACCEPT\"")) return AcceptBody::other;
  if (!read_document(req, res, doc)) return AcceptBody::answered;
  auto type = doc.root().find("type");
  return type != doc.root().end() && *type == "ACCEPT" ? AcceptBody::accept : AcceptBody::other;
}

constexpr int kMaxStreams = 224;
// The largest call body that may join a batch of acknowledgements (is_acknowledge).
constexpr std::size_t kAcknowledgeBytes = 16 * 1024;
// Events queued for one subscriber go out together up to this much (a record larger than it
// goes alone): large enough for hundreds of updates, small enough to keep a send short.
constexpr std::size_t kEventChunkBytes = 256 * 1024;

std::string type_of(const json& call) {
  auto it = call.find("type");
  return it != call.end() && it->is_string() ? it->get<std::string>() : "";
}

// Answers with a chunked RecordIO stream fed by `stream`; `closed` runs (on the connection's
// thread) once the connection is over.
void stream_events(HttpServer::Response& res, const std::shared_ptr<EventStream>& stream,
                   std::atomic<int>& open_streams, std::function<void()> closed) {
  ++open_streams;
  res.stream(
      "application/json",
      [stream](std::string& out) {
        // A short wait, so that a client gone or the server stopping is seen soon.
        // What has queued goes out as one chunk (RecordIO frames each record within it).
        if (stream->pop_into(out, std::chrono::milliseconds(200), kEventChunkBytes)) return true;
        return !stream->finished();
      },
      [stream, &open_streams, closed = std::move(closed)] {
        --open_streams;
        stream->close();
        closed();
      });
}

}  // namespace

struct ClusterDaemon::Impl {
  ClusterConfig config;
  DaemonOptions options;
  EventLoop loop;
  std::unique_ptr<SimulatedRuntime> simulated;
  std::unique_ptr<ProcessRuntime> processes;
  std::unique_ptr<Master> master;
  // Every open event stream (a framework or a real executor) holds a connection and its
  // thread for its life; past kMaxStreams new subscriptions get 503 and are retried. An idle
  // kept connection is closed after 2 s: sooner than the usual 5, so that a stop is not held
  // up, and still above the 1 s after which a scheduler stops reusing it.
  HttpServer server{HttpServer::Options{.max_connections = 1024,
                                        .idle_timeout = std::chrono::milliseconds(2000)}};
  int port = 0;
  std::mutex mutex;
  std::condition_variable stopped_cv;
  std::atomic<int> open_streams{0};   // event streams holding an HTTP worker
  std::atomic<bool> stopping{false};  // set by stop(): no more launches
  bool stop_requested = false;
  bool started = false;  // a failed start must not overwrite the checkpoint it refused
  bool keep_tasks = false;
  bool stopped = false;
  bool save_pending = false;   // changed since the last checkpoint
  SaveBudget save_budget;      // when the next checkpoint may be written
  SaveFailures save_failures;  // while saves fail: when to try again, what to log

  Impl(ClusterConfig c, DaemonOptions o)
      : config(std::move(c)),
        options(std::move(o)),
        loop(std::chrono::milliseconds(
                 std::max<long long>(1, std::llround(config.tick_seconds * 1000))),
             [this] { tick(); }) {}

  // The timers: reaping, the master's heartbeats, retries and allocation, the checkpoint.
  void tick() {
    double now = now_seconds();
    if (processes) processes->tick(now);
    if (master) master->tick(now);
    // The timers keep their own intervals however long the tick: a heartbeat late by
    // a whole tick_seconds would have schedulers give up on the connection.
    loop.tick_at(
        steady_after(std::min({config.heartbeat_interval_seconds, config.update_retry_seconds,
                               config.offer_interval_seconds})));
    if (master && processes) {
      bool master_changed = master->take_dirty();
      bool processes_changed = processes->take_dirty();
      save_pending = save_pending || master_changed || processes_changed;
      if (save_pending && save_budget.may_save(now) && save_failures.may_try(now)) {
        const auto began = std::chrono::steady_clock::now();
        std::string error;
        const bool saved = save(error);
        // The checkpoint's JSON tree and text are freed now; without a trim the
        // allocator kept their pages, and with 10,000 tasks the daemon stayed at 750 MB
        // resident for 120 MB in use. Counted in the save's cost, which spaces saves.
        release_aged_memory();
        const double cost =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
        save_budget.spent(cost);
        // A save that failed is tried again (save_failures spaces the tries), and holds back
        // the acknowledgements meanwhile.
        save_pending = !saved;
        const std::optional<std::string> line =
            saved ? save_failures.succeeded(now) : save_failures.failed(now, error);
        if (line) std::fprintf(stderr, "%s\n", line->c_str());
      }
      // Executors hear of an acknowledgement only once the update is on disk.
      if (!save_pending)
        processes->flush_acknowledgements();
      else
        loop.tick_at(steady_after(std::max(save_budget.wait(), save_failures.wait(now))));
    }
  }

  void routes();
  void scheduler_call(const HttpServer::Request& req, HttpServer::Response& res);
  // Pipelined ACKNOWLEDGEs (a scheduler sends 20,000 in a deploy of 10,000 pods, by the
  // hundred) decoded on the connection's thread and applied in one turn of the loop: a turn
  // each cost two thread switches each, a sixth of the cluster's CPU in such a deploy.
  static bool is_acknowledge(const HttpServer::Request& req);
  void acknowledge_batch(std::vector<HttpServer::Request>& requests,
                         std::vector<HttpServer::Response>& responses);
  void subscribe(const json& body, const HttpServer::Request& req, HttpServer::Response& res);
  void operator_call(const HttpServer::Request& req, HttpServer::Response& res);
  void executor_call(const HttpServer::Request& req, HttpServer::Response& res);
  std::string checkpoint_file() const {
    return (fs::path(options.data_dir) / "master" / "state.json").string();
  }
  std::string journal_file() const {
    return (fs::path(options.data_dir) / "master" / "journal.jsonl").string();
  }
  std::unique_ptr<CheckpointJournal> journal;  // made once the data directory is known
  // A save: what changed since the last one appended to the journal, or, when the journal is
  // due one (checkpoint_journal.hpp), a whole snapshot and a new journal. True once it is on
  // disk; otherwise `error` says what failed.
  bool save(std::string& error) {
    if (journal->wants_snapshot()) {
      // The snapshot marks what it writes as written, so no entry may follow the old journal
      // any more, whether or not the snapshot gets written (or throws).
      journal->give_up();
      const std::string generation = new_id();
      const std::uint64_t bytes = save_snapshot(generation, error);
      if (bytes == 0) return false;
      // On failure its rename may not be on disk: the next save writes another.
      return journal->start(generation, bytes, error);
    }
    const auto write = [this](const CheckpointJournal::Put& put) {
      std::string piece = "{\"master\":";
      if (!master->write_journal_entry(piece, put)) return false;
      piece += ",\"processes\":";
      piece +=
          processes->checkpoint().dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      piece += '}';
      return put(piece);
    };
    if (!journal->append(write, error)) {
      // The snapshot the journal gave way to. When it fails too, its error is the one told:
      // every try after this one is a snapshot, and one error for all of them is logged once.
      error.clear();
      return save(error);
    }
    return true;
  }
  // Writes the snapshot (temporary file, fsync, rename): a crash leaves the old or the new.
  // Its size in bytes, 0 when it could not be written (and `error` says why).
  std::uint64_t save_snapshot(const std::string& generation, std::string& error) {
    // {"master": ..., "processes": ..., "journal": ...}, the master's part written to the file
    // a megabyte at a time as it goes.
    const std::string file = checkpoint_file();
    const std::string tmp = file + ".tmp";
    // Closed on every way out, a throw from the writing included (fclose's own result is
    // checked below on the way that gets there).
    std::unique_ptr<FILE, int (*)(FILE*)> file_handle(std::fopen(tmp.c_str(), "w"), std::fclose);
    FILE* f = file_handle.get();
    if (f == nullptr) {
      error = "cannot write " + tmp + ": " + std::strerror(errno);
      return 0;
    }
    std::uint64_t bytes = 0;
    const auto put = [f, &bytes](std::string& piece) {
      const bool written = std::fwrite(piece.data(), 1, piece.size(), f) == piece.size();
      bytes += piece.size();
      piece.clear();
      return written;
    };
    std::string piece = "{\"master\":";
    bool ok = master->write_checkpoint(piece, put, std::size_t{1} << 20, /*mark=*/true);
    if (ok) {
      piece += ",\"processes\":";
      piece +=
          processes->checkpoint().dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      piece += ",\"journal\":";
      piece += nlohmann::json(generation).dump();
      piece += '}';
      ok = put(piece);
    }
    // The first failure's errno (a write's ENOSPC, say) is what the error names.
    int why = ok ? 0 : errno;
    const auto step = [&ok, &why](bool done) {
      if (!done && ok) why = errno;
      ok = ok && done;
    };
    step(std::fflush(f) == 0);
    step(fsync(fileno(f)) == 0);
    step(std::fclose(file_handle.release()) == 0);
    std::error_code ec;
    if (ok) fs::rename(tmp, file, ec);
    if (!ok || ec) {
      error = ok ? "cannot rename " + tmp + " to " + file + ": " + ec.message()
                 : "cannot write " + tmp + (why != 0 ? ": " + std::string(std::strerror(why)) : "");
      ::unlink(tmp.c_str());  // a file only: what is in its way otherwise stays as it is
      return 0;
    }
    return bytes;
  }
  std::string cluster_file() const {
    return (fs::path(options.data_dir) / "cluster.json").string();
  }
};

ClusterDaemon::ClusterDaemon(ClusterConfig config, DaemonOptions options)
    : impl_(std::make_unique<Impl>(std::move(config), std::move(options))) {}

ClusterDaemon::~ClusterDaemon() {
  stop();
}

int ClusterDaemon::port() const {
  return impl_->port;
}

bool ClusterDaemon::start(std::string& error) {
  Impl& d = *impl_;
  std::error_code ec;
  // Sandboxes and volumes are handed to executors, which run elsewhere: paths are absolute.
  if (fs::path absolute = fs::absolute(d.options.data_dir, ec); !ec)
    d.options.data_dir = absolute.lexically_normal().string();
  fs::create_directories(d.options.data_dir, ec);
  if (ec) {
    error = "cannot create the data directory " + d.options.data_dir + ": " + ec.message();
    return false;
  }
  std::string master_id;
  try {
    master_id = load_master_id(d.options.data_dir);
  } catch (const std::exception& e) {
    error = std::string("cannot write the master id: ") + e.what();
    return false;
  }
  d.simulated = std::make_unique<SimulatedRuntime>(
      [&d](std::function<void()> fn) { d.loop.post(std::move(fn)); },
      [&d](const std::string& agent, const std::string& framework, mesos::TaskStatus s) {
        d.master->status_update(agent, std::move(s), now_seconds(), framework);
      },
      [&d](const std::string& agent, const std::string& fw, const std::string& executor) {
        d.master->executor_terminated(agent, fw, executor, std::nullopt, now_seconds());
      });
  ProcessRuntime::Options process_options;
  process_options.program = d.options.executor_program;
  if (process_options.program.empty()) {
    // The executor's own program starts in a third of the time this one takes (it loads no
    // HTTP server library, and so no OpenSSL); this one runs executors too, when it is alone.
    std::error_code self_ec;
    const fs::path self = fs::read_symlink("/proc/self/exe", self_ec);
    const fs::path lean = self.parent_path() / "steward-executor";
    process_options.program =
        !self_ec && ::access(lean.c_str(), X_OK) == 0 ? lean.string() : self.string();
  }
  process_options.cluster_file = d.cluster_file();
  process_options.wake = [&d] { d.loop.tick_soon(); };
  d.processes = std::make_unique<ProcessRuntime>(
      process_options, [&d](const std::string& agent, const std::string& fw,
                            const std::string& executor, std::optional<int> status) {
        d.master->executor_terminated(agent, fw, executor, status, now_seconds());
      });
  d.master = std::make_unique<Master>(
      master_id, d.config,
      [&d](const AgentRecord& agent) -> AgentRuntime& {
        if (agent.config.simulated) return *d.simulated;
        return *d.processes;
      },
      d.options.data_dir, now_seconds());

  // Recover what the last run left: the ledger, frameworks, executors and tasks.
  d.journal = std::make_unique<CheckpointJournal>(d.checkpoint_file(), d.journal_file());
  nlohmann::json saved;
  bool found = false;
  std::string why;
  if (!CheckpointJournal::load(d.checkpoint_file(), d.journal_file(), saved, found, why)) {
    error = "cannot recover: " + why +  // names the file (and the journal's line)
            " (the files are left as they are; move them away to start from nothing)";
    return false;
  }
  if (found) {
    auto part = [&](const char* key) {
      return saved.contains(key) ? saved[key] : nlohmann::json();
    };
    if (!d.master->restore(part("master"), now_seconds(), why) ||
        !d.processes->restore(part("processes"), why)) {
      error = "cannot recover from " + d.checkpoint_file() + " and its journal: " + why +
              " (the files are left as they are; move them away to start from nothing)";
      return false;
    }
    for (const auto& [key, task] : d.master->tasks()) {
      const AgentRecord* agent = d.master->find_agent(task.agent_id);
      if (agent && agent->config.simulated && !mesos::is_terminal(task.state))
        d.simulated->adopt(task.agent_id, task.framework_id, task.executor_id, task.info.task_id,
                           task.group);
    }
  }

  d.routes();
  if (!d.server.listen(d.options.host, d.options.port, error)) {
    error += " (is another cluster running?)";
    return false;
  }
  d.port = d.server.port();
  d.loop.start();
  // cluster.json says where this cluster listens: the CLI and the executors read it.
  nlohmann::json where = {{"pid", getpid()},
                          {"host", d.options.host},
                          {"port", d.port},
                          {"url", "http://" + d.options.host + ":" + std::to_string(d.port)}};
  {
    std::ofstream out(d.cluster_file() + ".tmp");
    out << where.dump(2) << "\n";
  }
  fs::rename(d.cluster_file() + ".tmp", d.cluster_file(), ec);
  d.started = true;
  return true;
}

void ClusterDaemon::wait() {
  std::unique_lock lock(impl_->mutex);
  impl_->stopped_cv.wait(lock, [&] { return impl_->stop_requested; });
}

void ClusterDaemon::request_stop() {
  {
    std::lock_guard lock(impl_->mutex);
    impl_->stop_requested = true;
  }
  impl_->stopped_cv.notify_all();
}

bool ClusterDaemon::keep_tasks_requested() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->keep_tasks;
}

void ClusterDaemon::stop(bool keep_tasks) {
  Impl& d = *impl_;
  {
    std::lock_guard lock(d.mutex);
    if (d.stopped) return;
    d.stopped = true;
    d.stop_requested = true;
  }
  d.stopping = true;
  if (!keep_tasks && d.started) {
    // SIGTERM to every executor session, then SIGKILL to what is left of them after the
    // grace. The wait is on the sessions themselves: an executor dies on SIGTERM at once,
    // and a task that ignores it would outlive the daemon if the wait followed the
    // executors. Sessions are listed and signalled on the loop, where executors are reaped,
    // so a listed id is still ours when it is signalled; one seen empty is dropped for good
    // (its id may be reused by any process); no new executor starts (ACCEPT is refused).
    std::set<pid_t> live;
    auto signal_new = [&](int signal) {
      d.loop.call([&] {
        for (pid_t sid : d.processes->sessions())
          if (live.insert(sid).second || signal == SIGKILL) signal_session(sid, signal);
      });
    };
    signal_new(SIGTERM);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (!live.empty() && std::chrono::steady_clock::now() < deadline) {
      for (const auto& [sid, size] : session_sizes(live))
        if (size == 0) live.erase(sid);
      if (live.empty()) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    for (pid_t sid : live)
      signal_session(sid, SIGKILL);
    signal_new(SIGKILL);
  }
  d.server.stop();
  d.loop.stop();
  if (std::string error; d.started && !d.save(error))
    std::fprintf(stderr, "cannot write the checkpoint at the stop: %s\n", error.c_str());
  std::error_code ec;
  fs::remove(d.cluster_file(), ec);
  d.stopped_cv.notify_all();
}

// ---- routes

void ClusterDaemon::Impl::routes() {
  server.post(
      "/api/v1/scheduler",
      [this](const HttpServer::Request& req, HttpServer::Response& res) {
        scheduler_call(req, res);
      },
      is_acknowledge,
      [this](std::vector<HttpServer::Request>& requests,
             std::vector<HttpServer::Response>& responses) {
        acknowledge_batch(requests, responses);
      });
  server.post("/api/v1", [this](const HttpServer::Request& req, HttpServer::Response& res) {
    operator_call(req, res);
  });
  auto state = [this](const HttpServer::Request&, HttpServer::Response& res) {
    json j = loop.call([this] { return legacy_state_json(*master, now_seconds()); });
    reply_json(res, 200, j);
  };
  server.get("/state", state);
  server.get("/master/state", state);
  server.get("/state.json", state);
  server.get("/health",
             [](const HttpServer::Request&, HttpServer::Response& res) { res.status = 200; });
  server.get("/version", [](const HttpServer::Request&, HttpServer::Response& res) {
    reply_json(res, 200, {{"version", "1.11.0"}, {"implementation", "steward embedded cluster"}});
  });
  server.post("/master/teardown",
              [this](const HttpServer::Request& req, HttpServer::Response& res) {
                std::string id = req.param("frameworkId");
                if (id.empty()) return reply(res, 400, "Missing 'frameworkId' query parameter");
                CallOutcome o = loop.call([&] { return master->teardown(id, now_seconds()); });
                reply(res, o.status, o.message);
              });
  server.get("/cluster/v1/status", [this](const HttpServer::Request&, HttpServer::Response& res) {
    reply_json(res, 200, loop.call([this] {
      json status = cluster_status_json(*master);
      status["checkpoint"] = save_failures.status();
      return status;
    }));
  });
  server.post(R"(/cluster/v1/agents/([^/]+)/(stop|start|remove))",
              [this](const HttpServer::Request& req, HttpServer::Response& res) {
                std::string agent = req.matches[1];
                std::string action = req.matches[2];
                CallOutcome o = loop.call([&] {
                  double now = now_seconds();
                  if (action == "stop") return master->stop_agent(agent, now);
                  if (action == "start") return master->start_agent(agent, now);
                  return master->remove_agent(agent, now);
                });
                reply(res, o.status, o.message);
              });
  server.post(R"(/cluster/v1/tasks/([^/]+)/(finish|fail))",
              [this](const HttpServer::Request& req, HttpServer::Response& res) {
                std::string task = req.matches[1];
                bool failed = req.matches[2] == "fail";
                bool ok = loop.call([&] { return simulated->finish(task, failed); });
                if (!ok)
                  return reply(res, 404, "no running task " + task + " on a simulated agent");
                reply(res, 200, "");
              });
  server.post("/api/v1/executor", [](const HttpServer::Request&, HttpServer::Response& res) {
    reply(res, 404, "executors subscribe at /agents/AGENT_ID/api/v1/executor");
  });
  server.post(R"(/agents/([^/]+)/api/v1/executor)",
              [this](const HttpServer::Request& req, HttpServer::Response& res) {
                executor_call(req, res);
              });
  server.post("/cluster/v1/shutdown",
              [this](const HttpServer::Request& req, HttpServer::Response& res) {
                reply(res, 202, "");
                // Only wakes wait(): stopping joins the server, which a worker cannot do itself.
                {
                  std::lock_guard lock(mutex);
                  stop_requested = true;
                  keep_tasks = req.param("keep_tasks") == "true";
                }
                stopped_cv.notify_all();
              });
}

void ClusterDaemon::Impl::scheduler_call(const HttpServer::Request& req,
                                         HttpServer::Response& res) {
  const std::string stream_id = req.header("Mesos-Stream-Id");
  std::string error;
  auto accept = [&](const auto& tree) {
    // A launch during the shutdown's grace would start an executor nothing stops.
    if (stopping) return reply(res, 503, "The cluster is stopping");
    auto call = mesos::accept_from_json(tree, error);
    if (!call) return reply(res, 400, "Failed to validate scheduler::Call: " + error);
    CallOutcome o = loop.call([&] { return master->accept(*call, stream_id, now_seconds()); });
    return reply(res, o.status, o.message);
  };
  JsonDocument doc;
  switch (read_accept(req, res, doc)) {
    case AcceptBody::answered:
      return;
    case AcceptBody::accept:
      return accept(doc.root());
    case AcceptBody::other:
      break;
  }
  auto body = read_call(req, res);
  if (!body) return;
  const json& j = *body;
  const std::string type = type_of(j);
  if (type == "SUBSCRIBE") return subscribe(j, req, res);
  if (type == "ACCEPT") return accept(j);
  if (type == "REQUEST" || type == "MESSAGE" || type == "ACCEPT_INVERSE_OFFERS" ||
      type == "DECLINE_INVERSE_OFFERS" || type == "ACKNOWLEDGE_OPERATION_STATUS" ||
      type == "RECONCILE_OPERATIONS") {
    // Accepted and ignored: the embedded cluster has no inverse offers, resource providers
    // or operation feedback, and messages are unreliable anyway.
    std::string framework_id;
    auto fid = j.find("framework_id");
    if (fid != j.end() && fid->is_object() && fid->contains("value") && (*fid)["value"].is_string())
      framework_id = (*fid)["value"].get<std::string>();
    if (framework_id.empty())
      return reply(res, 400,
                   "Failed to validate scheduler::Call: " + type + ": framework_id is required");
    CallOutcome o = loop.call([&] { return master->validate(framework_id, stream_id); });
    return reply(res, o.status, o.message);
  }
  if (type == "UPDATE_FRAMEWORK") {
    json as_subscribe = j;
    as_subscribe["type"] = "SUBSCRIBE";
    as_subscribe["subscribe"] = j.contains("update_framework") ? j["update_framework"] : json();
    as_subscribe.erase("update_framework");
    auto fid = j.find("framework_id");
    auto call = mesos::call_from_json(as_subscribe, error);
    if (!call || fid == j.end())
      return reply(res, 400,
                   "Failed to validate scheduler::Call: UPDATE_FRAMEWORK: " +
                       (error.empty() ? "framework_id is required" : error));
    CallOutcome o =
        loop.call([&] { return master->update_framework(*call, stream_id, now_seconds()); });
    return reply(res, o.status, o.message);
  }
  auto call = mesos::call_from_json(j, error);
  if (!call) return reply(res, 400, "Failed to validate scheduler::Call: " + error);
  CallOutcome o = loop.call([&] { return master->handle(*call, stream_id, now_seconds()); });
  // A framework that revives has work waiting for offers: allocate now, not at the next tick;
  // so too when a call left resources that would be offered (Master::decline).
  if (o.status < 300 && (call->type == mesos::Call::Type::revive || o.allocate_now))
    loop.tick_soon();
  reply(res, o.status, o.message);
}

bool ClusterDaemon::Impl::is_acknowledge(const HttpServer::Request& req) {
  // An ACKNOWLEDGE is a few hundred bytes; a larger call is answered on its own, as any call
  // that does not join a batch is, and is not searched for the word here.
  if (req.body.size() > kAcknowledgeBytes) return false;
  if (!mentions(req.body, "\"ACKNOWLEDGE\"")) return false;
  JsonDocument doc;
  if (!doc.parse(req.body) || !doc.root().is_object()) return false;
  auto type = doc.root().find("type");
  return type != doc.root().end() && *type == "ACKNOWLEDGE";
}

void ClusterDaemon::Impl::acknowledge_batch(std::vector<HttpServer::Request>& requests,
                                            std::vector<HttpServer::Response>& responses) {
  struct Decoded {
    std::size_t index;
    mesos::Call call;
    std::string stream_id;
  };
  std::vector<Decoded> calls;
  calls.reserve(requests.size());
  for (std::size_t i = 0; i < requests.size(); ++i) {
    // Answered as scheduler_call answers one on its own, from a document.
    JsonDocument doc;
    if (!read_document(requests[i], responses[i], doc)) continue;
    std::string error;
    auto call = mesos::call_from_json(doc.root(), error);
    if (!call) {
      reply(responses[i], 400, "Failed to validate scheduler::Call: " + error);
      continue;
    }
    calls.push_back({i, std::move(*call), requests[i].header("Mesos-Stream-Id")});
  }
  if (calls.empty()) return;
  std::vector<CallOutcome> outcomes = loop.call([&] {
    std::vector<CallOutcome> out;
    out.reserve(calls.size());
    const double now = now_seconds();
    for (const Decoded& d : calls) {
      // One that throws gets its 500 alone, as on its own; the others stand.
      try {
        out.push_back(master->handle(d.call, d.stream_id, now));
      } catch (const std::exception& e) {
        out.push_back({500, e.what()});
      }
    }
    return out;
  });
  for (std::size_t k = 0; k < calls.size(); ++k)
    reply(responses[calls[k].index], outcomes[k].status, outcomes[k].message);
}

void ClusterDaemon::Impl::subscribe(const json& body, const HttpServer::Request& req,
                                    HttpServer::Response& res) {
  if (req.has_header("Mesos-Stream-Id"))
    return reply(res, 400, "Subscribe calls should not include the 'Mesos-Stream-Id' header");
  if (req.has_header("Accept")) {
    std::string accept = req.header("Accept");
    if (accept.find("application/json") == std::string::npos &&
        accept.find("*/*") == std::string::npos &&
        accept.find("application/*") == std::string::npos)
      return reply(res, 406, "Expecting 'Accept' to allow application/json");
  }
  std::string error;
  auto call = mesos::call_from_json(body, error);
  if (!call) return reply(res, 400, "Failed to validate scheduler::Call: " + error);
  if (open_streams >= kMaxStreams)
    return reply(res, 503, "Too many open subscriptions; retry later");
  auto stream = std::make_shared<EventStream>(new_id());
  CallOutcome o = loop.call([&] { return master->subscribe(*call, stream, now_seconds()); });
  if (o.status != 200) return reply(res, o.status, o.message);
  loop.tick_soon();  // the first offers
  res.status = 200;
  res.set_header("Mesos-Stream-Id", stream->id());
  const std::string framework_id = o.framework_id;
  stream_events(res, stream, open_streams, [this, stream, framework_id] {
    if (framework_id.empty()) return;
    loop.post([this, stream, framework_id] {
      if (master) master->stream_closed(framework_id, stream->id(), now_seconds());
    });
  });
}

void ClusterDaemon::Impl::executor_call(const HttpServer::Request& req, HttpServer::Response& res) {
  if (!check_content_type(req, res)) return;
  const std::string agent_id = req.matches[1];
  std::string error;
  auto call = mesos::decode_executor_call(req.body, error);
  if (!call) return reply(res, 400, "Failed to validate executor::Call: " + error);
  if (call->type == mesos::ExecutorCall::Type::update) {
    loop.call(
        [&] { master->status_update(agent_id, *call->status, now_seconds(), call->framework_id); });
    return reply(res, 202, "");
  }
  if (open_streams >= kMaxStreams)
    return reply(res, 503, "Too many open subscriptions; retry later");
  auto stream = std::make_shared<EventStream>(new_id());
  int status = loop.call([&] {
    return processes->subscribe(agent_id, call->framework_id, call->executor_id, stream);
  });
  if (status != 200) return reply(res, status, "Unknown executor " + call->executor_id);
  res.status = 200;
  stream_events(res, stream, open_streams,
                [this, stream, agent_id, fw = call->framework_id, ex = call->executor_id] {
                  loop.post([this, stream, agent_id, fw, ex] {
                    if (processes) processes->stream_closed(agent_id, fw, ex, stream->id());
                  });
                });
}

void ClusterDaemon::Impl::operator_call(const HttpServer::Request& req, HttpServer::Response& res) {
  auto body = read_call(req, res);
  if (!body) return;
  const json& j = *body;
  const std::string type = type_of(j);
  auto id_in = [&](const char* call, const char* field) -> std::string {
    auto c = j.find(call);
    if (c == j.end() || !c->is_object()) return "";
    auto f = c->find(field);
    if (f == c->end() || !f->is_object() || !f->contains("value") || !(*f)["value"].is_string())
      return "";
    return (*f)["value"].get<std::string>();
  };
  if (type == "GET_HEALTH")
    return reply_json(res, 200, {{"type", type}, {"get_health", {{"healthy", true}}}});
  if (type == "GET_VERSION")
    return reply_json(
        res, 200, {{"type", type}, {"get_version", {{"version_info", {{"version", "1.11.0"}}}}}});
  if (type == "GET_STATE")
    return reply_json(res, 200, {{"type", type}, {"get_state", loop.call([this] {
                                                    return get_state_json(*master, now_seconds());
                                                  })}});
  if (type == "GET_AGENTS")
    return reply_json(
        res, 200,
        {{"type", type}, {"get_agents", loop.call([this] { return get_agents_json(*master); })}});
  if (type == "GET_FRAMEWORKS")
    return reply_json(res, 200, {{"type", type}, {"get_frameworks", loop.call([this] {
                                                    return get_frameworks_json(*master);
                                                  })}});
  if (type == "GET_TASKS")
    return reply_json(
        res, 200,
        {{"type", type}, {"get_tasks", loop.call([this] { return get_tasks_json(*master); })}});
  if (type == "TEARDOWN") {
    std::string id = id_in("teardown", "framework_id");
    if (id.empty())
      return reply(res, 400,
                   "Failed to validate master::Call: TEARDOWN needs teardown.framework_id");
    CallOutcome o = loop.call([&] { return master->teardown(id, now_seconds()); });
    return reply(res, o.status, o.message);
  }
  if (type == "MARK_AGENT_GONE") {
    std::string id = id_in("mark_agent_gone", "agent_id");
    if (id.empty())
      return reply(
          res, 400,
          "Failed to validate master::Call: MARK_AGENT_GONE needs mark_agent_gone.agent_id");
    CallOutcome o = loop.call([&] { return master->remove_agent(id, now_seconds()); });
    return reply(res, o.status, o.message);
  }
  if (type.empty())
    return reply(res, 400, "Failed to validate master::Call: Expecting 'type' to be present");
  reply(res, 400,
        "Failed to validate master::Call: " + type + " is not served by the embedded cluster");
}

}  // namespace steward::cluster
