#include "scheduler/mesos_session.hpp"

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>

#include "mesos/call_json.hpp"
#include "mesos/offer_json.hpp"

namespace steward::scheduler {

using nlohmann::json;

namespace {
double now_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}
}  // namespace

MesosSession::MesosSession(Options options, state::StateStore& store, Listener& listener)
    : options_(std::move(options)), store_(store), listener_(listener) {}

MesosSession::~MesosSession() {
  stop();
}

void MesosSession::start() {
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { run(); });
}

void MesosSession::stop() {
  stopping_ = true;
  {
    std::lock_guard lock(mutex_);
    wake_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
}

void MesosSession::abort_calls() {
  std::shared_ptr<mesos::SchedulerClient> client;
  {
    std::lock_guard lock(mutex_);
    calls_aborted_ = true;  // for a client of a later subscription too
    client = client_;
  }
  if (client) client->abort_calls();
}

std::string MesosSession::framework_id() const {
  std::lock_guard lock(mutex_);
  return framework_id_;
}

std::string MesosSession::subscribe_call() const {
  mesos::Call call;
  call.type = mesos::Call::Type::subscribe;
  call.framework_info = options_.framework;
  std::string id;
  if (auto stored = store_.framework_id()) {
    id = *stored;
  } else {
    std::lock_guard lock(mutex_);
    id = unstored_framework_id_;
  }
  if (!id.empty()) {
    call.framework_info.id = id;
    call.framework_id = id;
  }
  return mesos::to_json(call).dump();
}

std::shared_ptr<mesos::SchedulerClient> MesosSession::caller(
    mesos::SchedulerClient::Response& refused) {
  std::shared_ptr<mesos::SchedulerClient> client;
  {
    std::lock_guard lock(mutex_);
    client = client_;
  }
  if (calls_aborted_ || !client || !connected_) {
    refused.error = calls_aborted_ ? mesos::SchedulerClient::kAborted : "not subscribed";
    return nullptr;
  }
  return client;
}

mesos::SchedulerClient::Response MesosSession::call(std::string call_json) {
  mesos::SchedulerClient::Response refused;
  auto client = caller(refused);
  return client ? client->call(std::move(call_json)) : refused;
}

std::vector<mesos::SchedulerClient::Response> MesosSession::call_many(
    std::vector<std::string> calls_json) {
  mesos::SchedulerClient::Response refused;
  auto client = caller(refused);
  if (!client) return std::vector<mesos::SchedulerClient::Response>(calls_json.size(), refused);
  return client->call_many(std::move(calls_json));
}

void MesosSession::on_record(const std::string& record) {
  std::string error;
  auto event = mesos::event_from_text(record, error, options_.offers_read);
  {
    std::lock_guard lock(mutex_);
    last_event_ = now_seconds();
    // Given up on (its framework id could not be stored): nothing more of it is used.
    if (stream_closed_) return;
  }
  if (!event) return;  // a record we cannot read is skipped, as an unknown event would be
  switch (event->type) {
    case mesos::Event::Type::subscribed: {
      // Persist before use: the id must survive a crash from the moment anything relies on it.
      // One the store does not take (a full disk) ends this subscription unused; the next asks
      // for the same id, and tries to store it again.
      try {
        if (store_.framework_id() != event->framework_id)
          store_.set_framework_id(event->framework_id);
      } catch (const std::exception& e) {
        std::lock_guard lock(mutex_);
        unstored_framework_id_ = event->framework_id;
        stream_closed_ = true;
        close_reason_ = "cannot store the framework id " + event->framework_id + ": " + e.what();
        wake_.notify_all();
        return;
      }
      {
        std::lock_guard lock(mutex_);
        unstored_framework_id_.clear();
        framework_id_ = event->framework_id;
        if (event->heartbeat_interval_seconds > 0)
          heartbeat_interval_ = event->heartbeat_interval_seconds;
      }
      connected_ = true;
      listener_.subscribed(event->framework_id);
      break;
    }
    case mesos::Event::Type::heartbeat:
    case mesos::Event::Type::unknown:
      break;
    case mesos::Event::Type::error:
      if (event->message.find("Framework has been removed") != std::string::npos) {
        removed_ = true;
        connected_ = false;
        listener_.removed(event->message);
      } else if (event->message.find("Framework failed over") != std::string::npos) {
        superseded_ = true;
        connected_ = false;
        listener_.superseded(event->message);
      } else {
        listener_.event(mesos::Event(*event));  // small; its message is used below
      }
      {
        // Mesos closes the stream after an ERROR; so do we, and subscribe again unless removed.
        std::lock_guard lock(mutex_);
        stream_closed_ = true;
        close_reason_ = "error from the master: " + event->message;
        wake_.notify_all();
      }
      break;
    default:
      listener_.event(std::move(*event));
  }
}

void MesosSession::run() {
  double backoff = options_.initial_backoff_seconds;
  while (!stopping_ && !removed_ && !superseded_ && !retired_) {
    auto client = std::make_shared<mesos::SchedulerClient>(options_.host, options_.port);
    client->read_timeout_seconds = 3600;  // the watchdog below decides when silence is death
    client->keep_alive = true;            // calls reuse one connection
    {
      std::lock_guard lock(mutex_);
      stream_closed_ = false;
      close_reason_.clear();
      last_event_ = now_seconds();
      client_ = client;
    }
    auto r = client->subscribe(
        subscribe_call(), [this](std::string record) { on_record(record); },
        [this](std::string reason) {
          std::lock_guard lock(mutex_);
          stream_closed_ = true;
          if (close_reason_.empty()) close_reason_ = reason;
          wake_.notify_all();
        });
    std::string why;
    if (r.status == 200) {
      std::unique_lock lock(mutex_);
      while (!stopping_ && !stream_closed_) {
        wake_.wait_for(lock, std::chrono::milliseconds(100));
        const double silence = now_seconds() - last_event_;
        if (silence > options_.heartbeat_misses * heartbeat_interval_) {
          close_reason_ =
              "no event or heartbeat for " + std::to_string(static_cast<int>(silence)) + " s";
          break;
        }
      }
      why = close_reason_.empty() ? "stream ended" : close_reason_;
      if (connected_) backoff = options_.initial_backoff_seconds;  // it worked: retry soon
    } else if (r.status == 0) {
      why = "cannot reach the master at " + options_.host + ":" + std::to_string(options_.port) +
            ": " + r.error;
    } else {
      why = "the master refused the subscription: " + std::to_string(r.status) + " " + r.body;
    }
    client->disconnect();
    {
      std::lock_guard lock(mutex_);
      client_.reset();
    }
    connected_ = false;
    if (stopping_ || removed_ || superseded_ || retired_) break;
    // Also a stream that ended before it was of use (the framework id not stored), or the
    // scheduler would never say why it is not subscribed.
    listener_.disconnected(why);
    std::unique_lock lock(mutex_);
    wake_.wait_for(lock, std::chrono::milliseconds(static_cast<long long>(backoff * 1000)),
                   [&] { return stopping_.load(); });
    backoff = std::min(backoff * 2, options_.max_backoff_seconds);
  }
}

}  // namespace steward::scheduler
