#pragma once

// The scheduler's side of the Mesos v1 HTTP API: one long-lived SUBSCRIBE connection that
// carries the RecordIO event stream, and a separate connection per call carrying the
// Mesos-Stream-Id. Used by the service scheduler and by the cluster's integration tests.

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace steward {
class HttpConnection;
}

namespace steward::mesos {

class SchedulerClient {
 public:
  struct Response {
    int status = 0;  // HTTP status; 0 when the request did not get an answer
    std::string body;
    std::string error;  // transport error, when status is 0
  };
  using RecordHandler = std::function<void(std::string record)>;
  using ClosedHandler = std::function<void(std::string reason)>;

  // `api_path`: the scheduler API, or an agent's executor API for the embedded executor.
  SchedulerClient(std::string host, int port, std::string api_path = "/api/v1/scheduler");
  ~SchedulerClient();
  SchedulerClient(const SchedulerClient&) = delete;
  SchedulerClient& operator=(const SchedulerClient&) = delete;

  // Sends SUBSCRIBE (a JSON call) and, on 200, keeps reading the stream on a thread of its
  // own: every whole record goes to `on_record`, and `on_closed` runs once when the stream
  // ends. Returns once the answer's headers (or the whole error answer) arrived.
  Response subscribe(const std::string& call_json, RecordHandler on_record,
                     ClosedHandler on_closed);
  const std::string& stream_id() const { return stream_id_; }
  // A call with the stream id of the subscription: on its own connection, or, with
  // `keep_alive`, on the first free one of kKeptConnections kept connections (two threads
  // call at once: a scheduler's acknowledgement queue, and its loop or its ACCEPT queue,
  // since the loop calls only once the ACCEPT queue is idle) while it is recent.
  Response call(std::string call_json) const;
  // Calls sent together, pipelined on one kept connection and answered in order: a
  // scheduler's acknowledgements, which one at a time took a round trip each (20,000 in a
  // deploy of 10,000 pods). Without keep_alive, or with both kept connections busy, each
  // goes as call() sends it. A call whose answer did not come has status 0 and an error.
  std::vector<Response> call_many(std::vector<std::string> calls_json) const;
  // Any request, for operator calls and for tests of malformed input.
  Response request(const std::string& method, const std::string& path, std::string body,
                   const std::vector<std::pair<std::string, std::string>>& headers) const;
  // Ends the event stream (the master sees the scheduler go away) and closes the kept call
  // connections, but those a call is using.
  void disconnect();
  // Ends the calls under way on the kept connections at once (they fail with kAborted) and
  // fails every later call: a scheduler stopping while the master does not answer would
  // otherwise wait for the read timeout. Returns once no call is under way on a kept
  // connection. (A call that found both kept connections busy travels on one of its own,
  // which this does not reach; a scheduler has two callers, its loop and its
  // acknowledgement queue, one connection each.)
  void abort_calls();
  static constexpr const char* kAborted = "calls aborted";  // the error of an aborted call

  double read_timeout_seconds = 120;  // raise above the heartbeat interval
  // Reuse kept connections for calls (a scheduler's many ACKNOWLEDGEs: a connection per call
  // was half its CPU during a deploy). Off for executors: each kept connection holds
  // one of the cluster's connection threads while it waits for the next request.
  bool keep_alive = false;
  // A kept connection idle for longer is replaced: a server closes idle ones (the embedded
  // cluster after 2 s, the scheduler's API after 5 s), and a call sent as it does so fails
  // without telling whether it was processed.
  double reuse_seconds = 1;
  static constexpr int kKeptConnections = 2;

 private:
  struct Stream;
  struct Calls;
  // Runs `use` on the first kept connection that is free, made afresh when it was idle for
  // longer than reuse_seconds; `use` answers whether the connection broke (the next call then
  // starts afresh). False when every kept connection is busy or calls are aborted.
  bool on_kept_connection(const std::function<bool(HttpConnection&)>& use) const;
  std::string host_;
  int port_;
  std::string api_path_;
  std::string stream_id_;
  std::unique_ptr<Stream> stream_;
  std::unique_ptr<Calls> calls_;
};

}  // namespace steward::mesos
