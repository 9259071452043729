#pragma once

// The scheduler's connection to a Mesos master (the embedded cluster or a real one): it
// subscribes with the service's FrameworkInfo and the framework id from the state store,
// persists a new framework id before anything uses it, watches heartbeats (silence for a
// few intervals means the connection is dead), and subscribes again with backoff whenever
// the stream ends. A framework the master has removed is reported once and never retried:
// the scheduler must wipe its state or stop. So is one another scheduler took over (the
// master's "Framework failed over"): subscribing again would take it back, and the two would
// take turns for good. Calls go out on connections of their own with
// the current Mesos-Stream-Id.
//
// The listener is called on the session's reader thread; a scheduler posts what it hears
// to its own event loop.

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "mesos/call.hpp"
#include "mesos/offer.hpp"
#include "mesos/scheduler_client.hpp"
#include "state/state_store.hpp"

namespace steward::scheduler {

class MesosSession {
 public:
  struct Options {
    std::string host = "127.0.0.1";
    int port = 5050;
    mesos::FrameworkInfo framework;  // its id comes from the state store
    double initial_backoff_seconds = 0.5;
    double max_backoff_seconds = 10;
    double heartbeat_misses = 5;  // reconnect after this many silent heartbeat intervals
    // Offers of one OFFERS event read in full; the rest arrive as ids only
    // (Event::unread_offer_ids), for a listener that keeps at most this many.
    std::size_t offers_read = SIZE_MAX;
  };

  class Listener {
   public:
    virtual ~Listener() = default;
    // Subscribed; the framework id is already in the state store.
    virtual void subscribed(const std::string& framework_id) = 0;
    // Every other event but HEARTBEAT (and events of unknown types, which are skipped). The
    // listener may take what the event holds (an OFFERS event's offers are megabytes).
    virtual void event(mesos::Event&& event) = 0;
    virtual void disconnected(const std::string& why) = 0;
    // The master removed this framework: no more subscriptions will be attempted.
    virtual void removed(const std::string& message) = 0;
    // Another scheduler subscribed as this framework: no more subscriptions will be attempted.
    virtual void superseded(const std::string& message) = 0;
  };

  MesosSession(Options options, state::StateStore& store, Listener& listener);
  ~MesosSession();
  MesosSession(const MesosSession&) = delete;
  MesosSession& operator=(const MesosSession&) = delete;

  void start();
  void stop();
  // Ends the calls under way now and fails later ones (SchedulerClient::abort_calls): the
  // first step of a stop, so that it does not wait on a master that does not answer.
  void abort_calls();
  // A framework about to TEARDOWN must not subscribe again when its stream closes (it would
  // register as a new framework). false undoes it while the stream is still up.
  void retire(bool retired) { retired_ = retired; }

  // A call (JSON, framework_id included) on the current subscription; status 0 with an
  // error when there is none.
  mesos::SchedulerClient::Response call(std::string call_json);
  // Several calls pipelined on one connection, answered in order (SchedulerClient::call_many).
  std::vector<mesos::SchedulerClient::Response> call_many(std::vector<std::string> calls_json);
  bool connected() const { return connected_; }
  std::string framework_id() const;

 private:
  void run();
  std::string subscribe_call() const;
  // The client calls go through, or null with `refused` saying why (aborted, not subscribed).
  std::shared_ptr<mesos::SchedulerClient> caller(mesos::SchedulerClient::Response& refused);
  void on_record(const std::string& record);

  Options options_;
  state::StateStore& store_;
  Listener& listener_;
  std::thread thread_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> connected_{false};
  std::atomic<bool> removed_{false};
  std::atomic<bool> superseded_{false};
  std::atomic<bool> retired_{false};
  std::atomic<bool> calls_aborted_{false};  // abort_calls(): every call fails from then on

  mutable std::mutex mutex_;  // guards what follows
  std::condition_variable wake_;
  std::shared_ptr<mesos::SchedulerClient> client_;
  std::string framework_id_;
  // A new id the state store did not take (a full disk): the subscription ends without using
  // it, and the next one asks for the same id again, so the master keeps one framework.
  std::string unstored_framework_id_;
  double heartbeat_interval_ = 15;
  double last_event_ = 0;
  bool stream_closed_ = false;
  std::string close_reason_;
};

}  // namespace steward::scheduler
