#include "mesos/scheduler_client.hpp"

#include <atomic>
#include <chrono>
#include <future>
#include <mutex>
#include <thread>

#include "common/http_connection.hpp"
#include "mesos/recordio.hpp"

namespace steward::mesos {

struct SchedulerClient::Stream {
  std::unique_ptr<HttpConnection> client;
  std::thread reader;
};

// The connections calls reuse, and when each was last used: one per thread calling at once
// (a scheduler's acknowledgement queue, and its ACCEPT queue or its loop, for DECLINE, KILL
// and the rest, which waits for the ACCEPT queue first).
struct SchedulerClient::Calls {
  struct Slot {
    std::mutex mutex;  // held by the call using the slot
    // Held to replace `client` and by abort_calls(), which cannot wait for `mutex`.
    std::mutex swap;
    std::unique_ptr<HttpConnection> client;
    std::chrono::steady_clock::time_point last_used;
  };
  Slot slots[SchedulerClient::kKeptConnections];
  std::atomic<bool> aborted{false};
};

SchedulerClient::SchedulerClient(std::string host, int port, std::string api_path)
    : host_(std::move(host)),
      port_(port),
      api_path_(std::move(api_path)),
      calls_(std::make_unique<Calls>()) {}

SchedulerClient::~SchedulerClient() {
  disconnect();
}

void SchedulerClient::disconnect() {
  {
    // The kept call connections go too: each holds one of the server's workers until it
    // closes.
    for (Calls::Slot& slot : calls_->slots) {
      std::unique_lock lock(slot.mutex, std::try_to_lock);
      if (!lock.owns_lock()) continue;
      std::lock_guard swap(slot.swap);
      slot.client.reset();
    }
  }
  if (!stream_) return;
  stream_->client->stop();
  if (stream_->reader.joinable()) stream_->reader.join();
  stream_.reset();
}

void SchedulerClient::abort_calls() {
  calls_->aborted = true;
  for (Calls::Slot& slot : calls_->slots) {
    // stop() shuts the socket of a request under way, from any thread. A call that
    // checked `aborted` just before it was set may not have sent yet (stop() then only closes
    // the idle socket, and the call opens another): stop again until the slot is free.
    for (;;) {
      {
        std::lock_guard swap(slot.swap);
        if (slot.client) slot.client->stop();
      }
      std::unique_lock in_use(slot.mutex, std::try_to_lock);
      if (in_use.owns_lock()) break;  // no call on it; later ones fail at once
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }
}

SchedulerClient::Response SchedulerClient::subscribe(const std::string& call_json,
                                                     RecordHandler on_record,
                                                     ClosedHandler on_closed) {
  disconnect();
  stream_ = std::make_unique<Stream>();
  stream_->client = std::make_unique<HttpConnection>(host_, port_);
  stream_->client->read_timeout =
      std::chrono::milliseconds(static_cast<long long>(read_timeout_seconds * 1000));
  stream_->client->connect_timeout = std::chrono::seconds(2);

  auto headers_ready = std::make_shared<std::promise<Response>>();
  auto answered = std::make_shared<bool>(false);
  HttpConnection* client = stream_->client.get();
  stream_->reader = std::thread([=, this]() {
    HttpConnection::Request req;
    req.method = "POST";
    req.path = api_path_;
    req.headers = {{"Content-Type", "application/json"}, {"Accept", "application/json"}};
    req.body = call_json;
    int status = 0;
    std::string error_body;
    RecordIoReader reader;
    auto on_head = [&](const HttpConnection::Response& res) {
      status = res.status;
      if (status == 200) {
        stream_id_ = res.header("Mesos-Stream-Id");
        *answered = true;
        headers_ready->set_value({status, "", ""});
      }
      return true;
    };
    auto on_body = [&](std::string_view data) {
      if (status != 200) {
        error_body.append(data);
        return true;
      }
      reader.feed(data);
      while (auto record = reader.next())
        on_record(std::move(*record));
      return reader.error().empty();
    };
    const HttpConnection::Response res = client->send(req, on_head, on_body);
    if (!*answered) {
      Response r;
      r.status = status;  // an error's answer, even one cut short
      r.body = error_body;
      if (status == 0) r.error = res.error;
      headers_ready->set_value(r);
      return;
    }
    std::string reason = !reader.error().empty() ? reader.error()
                         : res.error.empty()     ? "stream ended"
                                                 : res.error;
    if (on_closed) on_closed(reason);
  });
  Response r = headers_ready->get_future().get();
  if (r.status != 200) {
    stream_->reader.join();
    stream_.reset();
  }
  return r;
}

namespace {

// The body is moved into the request: an ACCEPT of 500 launches is megabytes.
SchedulerClient::Response send_on(HttpConnection& client, const std::string& method,
                                  const std::string& path, std::string body,
                                  const std::vector<std::pair<std::string, std::string>>& headers) {
  HttpConnection::Request req;
  req.method = method;
  req.path = path;
  req.headers = headers;
  req.body = std::move(body);
  HttpConnection::Response res = client.send(req);
  SchedulerClient::Response r;
  if (!res.error.empty()) {  // an answer cut short counts as none
    r.error = std::move(res.error);
    return r;
  }
  r.status = res.status;
  r.body = std::move(res.body);
  return r;
}

std::unique_ptr<HttpConnection> call_client(const std::string& host, int port) {
  auto client = std::make_unique<HttpConnection>(host, port);
  client->connect_timeout = std::chrono::seconds(5);
  client->read_timeout = std::chrono::seconds(30);
  return client;
}

}  // namespace

bool SchedulerClient::on_kept_connection(const std::function<bool(HttpConnection&)>& use) const {
  for (Calls::Slot& slot : calls_->slots) {
    std::unique_lock lock(slot.mutex, std::try_to_lock);
    if (!lock.owns_lock()) continue;
    {
      std::lock_guard swap(slot.swap);
      if (calls_->aborted) return false;
      if (!slot.client ||
          std::chrono::duration<double>(std::chrono::steady_clock::now() - slot.last_used).count() >
              reuse_seconds) {
        slot.client = call_client(host_, port_);
        slot.client->keep_alive = true;
      }
    }
    const bool broken = use(*slot.client);
    slot.last_used = std::chrono::steady_clock::now();
    if (broken) {  // the next call starts afresh
      std::lock_guard swap(slot.swap);
      slot.client.reset();
    }
    return true;
  }
  return false;
}

SchedulerClient::Response SchedulerClient::call(std::string call_json) const {
  const std::vector<std::pair<std::string, std::string>> headers = {
      {"Content-Type", "application/json"}, {"Mesos-Stream-Id", stream_id_}};
  auto aborted = [] {
    Response r;
    r.error = kAborted;
    return r;
  };
  if (calls_->aborted) return aborted();
  if (!keep_alive) return request("POST", api_path_, std::move(call_json), headers);
  Response r;
  if (on_kept_connection([&](HttpConnection& client) {
        r = send_on(client, "POST", api_path_, std::move(call_json), headers);
        if (r.status == 0 && calls_->aborted) r.error = kAborted;  // not the socket's "canceled"
        return r.status == 0;
      }))
    return r;
  if (calls_->aborted) return aborted();
  // Every kept connection is busy with another thread's call: this one takes a connection of
  // its own.
  return request("POST", api_path_, std::move(call_json), headers);
}

std::vector<SchedulerClient::Response> SchedulerClient::call_many(
    std::vector<std::string> calls_json) const {
  std::vector<Response> answers;
  auto one_by_one = [&] {
    for (std::string& c : calls_json)
      answers.push_back(call(std::move(c)));
    return answers;
  };
  if (calls_json.size() == 1 || !keep_alive || calls_->aborted) return one_by_one();
  std::vector<HttpConnection::Request> requests(calls_json.size());
  for (std::size_t i = 0; i < calls_json.size(); ++i) {
    requests[i].method = "POST";
    requests[i].path = api_path_;
    requests[i].headers = {{"Content-Type", "application/json"}, {"Mesos-Stream-Id", stream_id_}};
    requests[i].body = std::move(calls_json[i]);
  }
  if (on_kept_connection([&](HttpConnection& client) {
        bool broken = false;
        for (HttpConnection::Response& res : client.send_pipelined(requests)) {
          Response r;
          if (!res.error.empty()) {  // an answer cut short counts as none
            r.error = calls_->aborted ? std::string(kAborted) : std::move(res.error);
            broken = true;
          } else {
            r.status = res.status;
            r.body = std::move(res.body);
          }
          answers.push_back(std::move(r));
        }
        return broken;
      }))
    return answers;
  // Both kept connections busy (or calls aborted): one at a time, as call() sends each.
  for (std::size_t i = 0; i < requests.size(); ++i)
    calls_json[i] = std::move(requests[i].body);
  return one_by_one();
}

SchedulerClient::Response SchedulerClient::request(
    const std::string& method, const std::string& path, std::string body,
    const std::vector<std::pair<std::string, std::string>>& headers) const {
  return send_on(*call_client(host_, port_), method, path, std::move(body), headers);
}

}  // namespace steward::mesos
