#pragma once

// Calls their sender's loop need not wait for: they go out in the order queued, on a thread
// of their own, so the loop goes on while the other side answers. A scheduler's
// acknowledgements: each ACKNOWLEDGE is one HTTP request (the protocol has no batch form),
// and a deploy of 10,000 pods sends 20,000 of them: made on the loop, those round trips held
// it for seconds, and launches waited behind them. Those queued meanwhile now go out together,
// pipelined on one connection (the batch constructor). (Sending on two to eight connections at
// once was tried too: on two cores the master is busy anyway, and no deploy got faster.) An
// executor's status updates: sent from its loop, each held the task's start (STARTING goes out
// before the task starts) and the next check or exit behind a round trip to the agent.
//
// Only calls whose loss is harmless belong here: a call that fails is reported, not retried,
// and calls still queued when the queue stops are dropped. An unacknowledged status update is
// sent again (by the master to the scheduler, which acknowledges it then; by the executor to
// the agent after it subscribes again). A call is queued only once whatever it confirms is
// persisted (an ACKNOWLEDGE after the batch that stored its status).

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "mesos/scheduler_client.hpp"

namespace steward::mesos {

class CallQueue {
 public:
  using Send = std::function<SchedulerClient::Response(const std::string& body)>;
  // Several calls at once, answered in order (SchedulerClient::call_many).
  using SendMany = std::function<std::vector<SchedulerClient::Response>(std::vector<std::string>)>;
  // Told of a call that failed (status 0 with a transport error, or not 200/202; a send that
  // throws counts as a transport error), on the queue's thread.
  using Failed =
      std::function<void(const std::string& what, const SchedulerClient::Response& response)>;

  // Told of a call that went through (on the queue's thread): what ends a run of failures.
  using Succeeded = std::function<void(const std::string& what)>;

  CallQueue(Send send, Failed failed);
  // Calls queued while others are under way go out together, up to `batch` at once: a
  // scheduler's acknowledgements arrive by the thousand in a deploy, and pipelined they cost
  // a round trip a batch, not one each.
  CallQueue(SendMany send_many, std::size_t batch, Failed failed, Succeeded succeeded = {});
  ~CallQueue();
  CallQueue(const CallQueue&) = delete;
  CallQueue& operator=(const CallQueue&) = delete;

  // Queues a call (JSON); `what` names it in a failure. Ignored once stopped.
  void push(std::string body, const char* what);
  // Drops what is still queued and waits for the calls under way (a batch), if any, to end.
  void stop();
  // Drops what is still queued (the connection they were for is gone) and keeps running.
  void clear();
  // Calls queued and not yet answered (those under way included).
  std::size_t pending() const;
  // Blocks until nothing is pending or the queue stopped.
  void drain();
  // Blocks until at most `most` calls are pending or the queue stopped.
  void drain_to(std::size_t most);

 private:
  struct Item {
    std::string body;
    const char* what;
  };
  void run();

  SendMany send_;
  std::size_t batch_;
  Failed failed_;
  Succeeded succeeded_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;     // the thread: work or stop
  std::condition_variable drained_;  // drain(): nothing pending
  std::deque<Item> queue_;
  std::size_t in_flight_ = 0;  // taken from the queue, not yet answered
  std::vector<Item> taken_;    // the batch under way; its room reserved at construction
  bool stopping_ = false;
  std::thread thread_;  // last: started once the members it uses exist
};

}  // namespace steward::mesos
