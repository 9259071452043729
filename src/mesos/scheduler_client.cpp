#include "mesos/scheduler_client.hpp"

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <future>
#include <mutex>
#include <thread>

#include "mesos/recordio.hpp"

namespace steward::mesos {

struct SchedulerClient::Stream {
  std::unique_ptr<httplib::Client> client;
  std::thread reader;
};

// The connections calls reuse, and when each was last used: one per thread calling at once
// (a scheduler's loop, for ACCEPT, DECLINE and KILL, and its acknowledgement queue).
struct SchedulerClient::Calls {
  struct Slot {
    std::mutex mutex;  // held by the call using the slot
    // Held to replace `client` and by abort_calls(), which cannot wait for `mutex`.
    std::mutex swap;
    std::unique_ptr<httplib::Client> client;
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
    // httplib's stop() shuts the socket of a request under way, from any thread. A call that
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
  stream_->client = std::make_unique<httplib::Client>(host_, port_);
  stream_->client->set_read_timeout(
      std::chrono::milliseconds(static_cast<long long>(read_timeout_seconds * 1000)));
  stream_->client->set_connection_timeout(std::chrono::seconds(2));

  auto headers_ready = std::make_shared<std::promise<Response>>();
  auto answered = std::make_shared<bool>(false);
  httplib::Client* client = stream_->client.get();
  stream_->reader = std::thread([=, this]() {
    httplib::Request req;
    req.method = "POST";
    req.path = api_path_;
    req.headers = {{"Content-Type", "application/json"}, {"Accept", "application/json"}};
    req.body = call_json;
    int status = 0;
    std::string stream_id;
    std::string error_body;
    RecordIoReader reader;
    req.response_handler = [&](const httplib::Response& res) {
      status = res.status;
      stream_id = res.get_header_value("Mesos-Stream-Id");
      if (status == 200) {
        stream_id_ = stream_id;
        *answered = true;
        headers_ready->set_value({status, "", ""});
      }
      return true;
    };
    req.content_receiver = [&](const char* data, std::size_t size, std::uint64_t, std::uint64_t) {
      if (status != 200) {
        error_body.append(data, size);
        return true;
      }
      reader.feed(std::string_view(data, size));
      while (auto record = reader.next())
        on_record(std::move(*record));
      return reader.error().empty();
    };
    httplib::Response res;
    httplib::Error err = httplib::Error::Success;
    bool ok = client->send(req, res, err);
    if (!*answered) {
      Response r;
      r.status = status;
      r.body = error_body.empty() ? res.body : error_body;
      if (!ok && status == 0) r.error = httplib::to_string(err);
      headers_ready->set_value(r);
      return;
    }
    std::string reason = reader.error().empty() ? "stream ended" : reader.error();
    if (!ok) reason = httplib::to_string(err);
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
SchedulerClient::Response send_on(httplib::Client& client, const std::string& method,
                                  const std::string& path, std::string body,
                                  const std::vector<std::pair<std::string, std::string>>& headers) {
  httplib::Request req;
  req.method = method;
  req.path = path;
  for (const auto& [k, v] : headers)
    req.headers.emplace(k, v);
  req.body = std::move(body);
  httplib::Response res;
  httplib::Error err = httplib::Error::Success;
  SchedulerClient::Response r;
  if (!client.send(req, res, err)) {
    r.error = httplib::to_string(err);
    return r;
  }
  r.status = res.status;
  r.body = std::move(res.body);
  return r;
}

std::unique_ptr<httplib::Client> call_client(const std::string& host, int port) {
  auto client = std::make_unique<httplib::Client>(host, port);
  client->set_connection_timeout(std::chrono::seconds(5));
  client->set_read_timeout(std::chrono::seconds(30));
  // A request is written in several pieces; on a reused connection Nagle's algorithm held
  // each piece after the first until the server's delayed ACK (40 ms a call).
  client->set_tcp_nodelay(true);
  return client;
}

}  // namespace

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
  for (Calls::Slot& slot : calls_->slots) {
    std::unique_lock lock(slot.mutex, std::try_to_lock);
    if (!lock.owns_lock()) continue;
    {
      std::lock_guard swap(slot.swap);
      if (calls_->aborted) return aborted();
      if (!slot.client ||
          std::chrono::duration<double>(std::chrono::steady_clock::now() - slot.last_used).count() >
              reuse_seconds) {
        slot.client = call_client(host_, port_);
        slot.client->set_keep_alive(true);
      }
    }
    Response r = send_on(*slot.client, "POST", api_path_, std::move(call_json), headers);
    slot.last_used = std::chrono::steady_clock::now();
    if (r.status == 0 && calls_->aborted) r.error = kAborted;  // not the socket's "Read"
    if (r.status == 0) {                                       // the next call starts afresh
      std::lock_guard swap(slot.swap);
      slot.client.reset();
    }
    return r;
  }
  // Every kept connection is busy with another thread's call: this one takes a connection of
  // its own.
  return request("POST", api_path_, std::move(call_json), headers);
}

SchedulerClient::Response SchedulerClient::request(
    const std::string& method, const std::string& path, std::string body,
    const std::vector<std::pair<std::string, std::string>>& headers) const {
  return send_on(*call_client(host_, port_), method, path, std::move(body), headers);
}

}  // namespace steward::mesos
