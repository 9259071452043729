// The written JSON of every Mesos type Steward sends is the text nlohmann would give for the
// same value (sorted keys, same numbers and escapes), and reads back as what was written.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <random>

#include "common/json_document.hpp"
#include "common/json_text.hpp"
#include "mesos/json_fields.hpp"
#include "mesos/offer_json.hpp"
#include "mesos/resource_json.hpp"
#include "mesos/task_info_json.hpp"
#include "mesos/task_status_json.hpp"

namespace steward::mesos {
namespace {

using json_fields::written;
using nlohmann::json;

class Random {
 public:
  explicit Random(unsigned seed) : rng_(seed) {}
  bool chance() { return rng_() % 2 == 0; }
  std::uint64_t below(std::uint64_t n) { return rng_() % n; }
  // Mostly plain, sometimes with characters that need escaping or are not ASCII.
  std::string text() {
    static const char* const kPieces[] = {"a",           "node-0",       "x y", "\"", "\\", "\n",
                                          "caf\xc3\xa9", "\xe2\x82\xac", "/",   "\t", "0",  "Z"};
    std::string s;
    for (std::uint64_t i = below(4) + 1; i > 0; --i)
      s += kPieces[below(std::size(kPieces))];
    return s;
  }
  double number() {
    static const double kValues[] = {0, 0.5, 1, 2.25, 0.001, 1e-7, 123456789.125, 1e20, 15};
    return kValues[below(std::size(kValues))];
  }
  std::vector<Label> labels() {
    std::vector<Label> out(below(3));
    for (Label& l : out) {
      l.key = text();
      if (chance()) l.value = text();
    }
    return out;
  }
  Resource resource() {
    Resource r;
    r.name = text();
    r.type = static_cast<Resource::Type>(below(3));
    if (r.type == Resource::Type::scalar) r.scalar = round_scalar(number());
    if (r.type == Resource::Type::ranges)
      for (std::uint64_t i = below(3); i > 0; --i)
        r.ranges.push_back({below(1000), 1000 + below(1000)});
    if (r.type == Resource::Type::set)
      for (std::uint64_t i = below(3); i > 0; --i)
        r.set.push_back(text());
    for (std::uint64_t i = below(3); i > 0; --i) {
      ReservationInfo res;
      res.type =
          chance() ? ReservationInfo::Type::dynamic : ReservationInfo::Type::static_reservation;
      res.role = text();
      if (chance()) res.principal = text();
      res.labels = labels();
      r.reservations.push_back(std::move(res));
    }
    if (chance()) r.allocation_role = text();
    if (chance()) {
      DiskInfo d;
      if (chance()) d.persistence = DiskInfo::Persistence{text(), chance() ? text() : ""};
      if (chance())
        d.volume = DiskInfo::Volume{
            chance() ? DiskInfo::Volume::Mode::rw : DiskInfo::Volume::Mode::ro, text()};
      if (chance())
        d.source = DiskInfo::Source{
            chance() ? DiskInfo::Source::Type::mount : DiskInfo::Source::Type::path, text(),
            chance() ? text() : ""};
      r.disk = d;
    }
    return r;
  }
  std::vector<Resource> resources() {
    std::vector<Resource> out;
    for (std::uint64_t i = below(4); i > 0; --i)
      out.push_back(resource());
    return out;
  }
  std::vector<std::pair<std::string, std::string>> env() {
    std::vector<std::pair<std::string, std::string>> out;
    for (std::uint64_t i = below(3); i > 0; --i)
      out.emplace_back(text(), text());
    return out;
  }
  CommandCheck check(bool health) {
    CommandCheck c;
    c.type = static_cast<CommandCheck::Type>(below(3));
    if (c.type == CommandCheck::Type::command) {
      c.command = text();
      c.environment = env();
    } else {
      c.port = static_cast<std::uint32_t>(1 + below(65535));
      if (c.type == CommandCheck::Type::http) c.path = "/" + text();
    }
    c.delay_seconds = number();
    c.interval_seconds = number();
    c.timeout_seconds = number();
    if (health) {
      c.grace_period_seconds = number();
      c.consecutive_failures = static_cast<std::uint32_t>(below(10));
    }
    return c;
  }
  ExecutorInfo executor() { return {text(), text(), text(), resources()}; }
  TaskInfo task() {
    TaskInfo t;
    t.name = text();
    t.task_id = text();
    if (chance()) t.agent_id = text();
    t.resources = resources();
    if (chance()) {
      CommandInfo c;
      c.shell = chance();
      c.value = text();
      for (std::uint64_t i = below(3); i > 0; --i)
        c.arguments.push_back(text());
      c.environment = env();
      for (std::uint64_t i = below(3); i > 0; --i)
        c.uris.push_back({text(), chance(), chance()});
      if (chance()) c.user = text();
      t.command = c;
    }
    if (chance()) t.health_check = check(true);
    if (chance()) t.check = check(false);
    if (chance()) t.kill_grace_period_ns = static_cast<std::int64_t>(below(1'000'000'000'000));
    for (std::uint64_t i = below(3); i > 0; --i) {
      RLimit r{chance() ? "RLMT_NOFILE" : "RLMT_CORE", std::nullopt, std::nullopt};
      if (chance()) {
        r.soft = below(1000);
        r.hard = *r.soft + below(1000);
      }
      t.rlimits.push_back(r);
    }
    t.labels = labels();
    if (chance()) t.executor = executor();
    return t;
  }
  Operation operation() {
    Operation op;
    op.type = static_cast<Operation::Type>(1 + below(6));
    if (chance() && op.type != Operation::Type::launch && op.type != Operation::Type::launch_group)
      op.id = text();
    switch (op.type) {
      case Operation::Type::launch:
      case Operation::Type::launch_group:
        for (std::uint64_t i = below(3) + 1; i > 0; --i) {
          op.tasks.push_back(task());
          if (op.type == Operation::Type::launch_group) op.tasks.back().executor.reset();
        }
        if (op.type == Operation::Type::launch_group) op.executor = executor();
        break;
      default:
        op.resources = resources();
        break;
    }
    return op;
  }
  TaskStatus status() {
    TaskStatus s;
    s.task_id = text();
    s.state = static_cast<TaskState>(below(static_cast<std::uint64_t>(TaskState::unknown)));
    if (chance()) s.message = text();
    s.source = static_cast<TaskStatus::Source>(below(3));
    if (chance()) s.reason = "REASON_" + text();
    if (chance()) s.agent_id = text();
    if (chance()) s.executor_id = text();
    s.timestamp = 1.7e9 + number();
    if (chance()) s.uuid = "dXVpZA==";
    if (chance()) s.healthy = chance();
    switch (below(4)) {
      case 0:
        s.check_exit_code = static_cast<int>(below(256));
        break;
      case 1:
        s.check_http_status = static_cast<int>(100 + below(500));
        s.check_succeeded = *s.check_http_status >= 200 && *s.check_http_status < 400;
        break;
      case 2:
        s.check_succeeded = chance();
        break;
      default:
        break;
    }
    s.labels = labels();
    for (std::uint64_t i = below(3); i > 0; --i)
      s.ip_addresses.push_back("10.0.0." + std::to_string(below(255)));
    return s;
  }
  Offer offer() {
    Offer o;
    o.id = text();
    o.framework_id = text();
    o.agent_id = text();
    o.hostname = text();
    if (chance()) o.allocation_role = text();
    o.resources = resources();
    for (std::uint64_t i = below(3); i > 0; --i) {
      Attribute a;
      a.name = text();
      if (chance())
        a.scalar = number();
      else
        a.text = text();
      o.attributes.push_back(a);
    }
    for (std::uint64_t i = below(3); i > 0; --i)
      o.executor_ids.push_back(text());
    if (chance()) {
      o.region = text();
      o.zone = text();
    }
    return o;
  }

 private:
  std::mt19937_64 rng_;
};

std::string canonical(const std::string& text) {
  return json::parse(text).dump(-1, ' ', false, json::error_handler_t::replace);
}

// The text is what nlohmann would write for it, and reads back as `value`. `decode` is the
// type's reader, taking the parsed text and an error to fill.
template <class T, class Decode>
void expect_canonical_and_read_back(const T& value, Decode decode) {
  const std::string text = written(value);
  ASSERT_EQ(text, canonical(text));
  std::string error;
  auto back = decode(json::parse(text), error);
  ASSERT_TRUE(back) << error << " " << text;
  ASSERT_EQ(*back, value) << text;
}

// And through a JsonDocument, as the embedded master reads an ACCEPT.
template <class T, class Decode>
void expect_document_reads_back(const T& value, Decode decode) {
  const std::string text = written(value);
  JsonDocument doc;
  ASSERT_TRUE(doc.parse(text)) << doc.error();
  std::string error;
  auto back = decode(doc.root(), error);
  ASSERT_TRUE(back) << error << " " << text;
  ASSERT_EQ(*back, value) << text;
}

TEST(WrittenJson, ResourcesAreCanonicalAndReadBack) {
  Random random(1);
  auto decode = [](const auto& j, std::string& error) { return resource_from_json(j, error); };
  for (int i = 0; i < 2000 && !::testing::Test::HasFatalFailure(); ++i) {
    const Resource r = random.resource();
    expect_canonical_and_read_back(r, decode);
    expect_document_reads_back(r, decode);
  }
}

TEST(WrittenJson, TasksAndAcceptsAreCanonicalAndReadBack) {
  Random random(2);
  auto decode_task = [](const auto& j, std::string& error) {
    return task_info_from_json(j, error);
  };
  for (int i = 0; i < 500 && !::testing::Test::HasFatalFailure(); ++i) {
    const TaskInfo t = random.task();
    expect_canonical_and_read_back(t, decode_task);
    expect_document_reads_back(t, decode_task);
  }
  auto decode_accept = [](const auto& j, std::string& error) { return accept_from_json(j, error); };
  for (int i = 0; i < 200 && !::testing::Test::HasFatalFailure(); ++i) {
    AcceptCall a;
    a.framework_id = random.text();
    for (std::uint64_t n = random.below(3) + 1; n > 0; --n)
      a.offer_ids.push_back(random.text());
    for (std::uint64_t n = random.below(4); n > 0; --n)
      a.operations.push_back(random.operation());
    if (random.chance()) a.refuse_seconds = random.number();
    ASSERT_EQ(accept_text(a), written(a));
    expect_canonical_and_read_back(a, decode_accept);
    expect_document_reads_back(a, decode_accept);
  }
}

// An ACCEPT's launches hold the resources of its RESERVEs again, and their text is copied from
// the first (ResourceTextReuse): what is copied must be what would have been written, also for
// a resource whose id was written before with other fields (a volume's disk), or on a second
// launch that uses the same ids differently.
TEST(WrittenJson, ResourcesAnAcceptHoldsTwiceAreWrittenAsEachIs) {
  Random random(4);
  auto decode_accept = [](const auto& j, std::string& error) { return accept_from_json(j, error); };
  for (int i = 0; i < 300 && !::testing::Test::HasFatalFailure(); ++i) {
    AcceptCall a;
    a.framework_id = random.text();
    a.offer_ids.push_back(random.text());
    // Ids from a small set, so that pods meet each other's too; or from a large one with more
    // pods, so that the resources remembered (the last 32) are replaced as they go.
    const bool many = i % 3 == 0;
    for (std::uint64_t pods = random.below(many ? 12 : 3) + 1; pods > 0; --pods) {
      Operation reserve;
      reserve.type = Operation::Type::reserve;
      for (std::uint64_t n = random.below(6) + 1; n > 0; --n) {
        Resource r = random.resource();
        if (r.reservations.empty()) r.reservations.emplace_back();
        r.reservations.back().labels.push_back(
            {"resource_id", "id-" + std::to_string(random.below(many ? 1000 : 8))});
        reserve.resources.push_back(std::move(r));
      }
      // The launch holds some of them as they are and some changed under the same id.
      const auto held = [&] {
        Resource r = reserve.resources[random.below(reserve.resources.size())];
        if (random.chance())
          r.disk = DiskInfo{DiskInfo::Persistence{random.text(), ""},
                            DiskInfo::Volume{DiskInfo::Volume::Mode::rw, "data"}, std::nullopt};
        return r;
      };
      Operation launch;
      launch.type = Operation::Type::launch_group;
      launch.executor = random.executor();
      for (std::uint64_t n = random.below(4); n > 0; --n)
        launch.executor->resources.push_back(held());
      launch.tasks.push_back(random.task());
      launch.tasks.back().executor.reset();
      for (std::uint64_t n = random.below(4); n > 0; --n)
        launch.tasks.back().resources.push_back(held());
      a.operations.push_back(std::move(reserve));
      a.operations.push_back(std::move(launch));
    }
    const json text = json::parse(accept_text(a));
    ASSERT_EQ(text["accept"]["operations"].size(), a.operations.size());
    for (std::size_t op = 0; op < a.operations.size(); ++op)
      ASSERT_EQ(text["accept"]["operations"][op], json::parse(written(a.operations[op])))
          << "operation " << op;
    expect_canonical_and_read_back(a, decode_accept);
  }
}

// -0.0 equals 0.0 but is written "-0.0": a resource's copy keeps its own sign.
TEST(WrittenJson, AResourceWrittenAgainKeepsTheSignOfItsZero) {
  Resource zero;
  zero.name = "cpus";
  zero.reservations.emplace_back();
  zero.reservations.back().role = "r";
  zero.reservations.back().labels.push_back({"resource_id", "z"});
  Resource negative = zero;
  negative.scalar = -0.0;
  AcceptCall a;
  a.framework_id = "F";
  a.offer_ids = {"O"};
  Operation reserve;
  reserve.type = Operation::Type::reserve;
  reserve.resources = {zero};
  Operation launch;
  launch.type = Operation::Type::launch_group;
  launch.executor = ExecutorInfo{"e", "F", "e", {negative}};
  launch.tasks.emplace_back();
  a.operations = {reserve, launch};
  const std::string text = accept_text(a);
  EXPECT_NE(text.find(written(a.operations[1])), std::string::npos) << text;
}

TEST(WrittenJson, StatusesOffersAndEventsAreCanonicalAndReadBack) {
  Random random(3);
  auto decode_status = [](const auto& j, std::string& error) {
    return task_status_from_json(j, error);
  };
  for (int i = 0; i < 1000 && !::testing::Test::HasFatalFailure(); ++i) {
    const TaskStatus status = random.status();
    expect_canonical_and_read_back(status, decode_status);
    expect_document_reads_back(status, decode_status);
  }
  auto decode_offer = [](const auto& j, std::string& error) { return offer_from_json(j, error); };
  for (int i = 0; i < 1000 && !::testing::Test::HasFatalFailure(); ++i) {
    const Offer offer = random.offer();
    expect_canonical_and_read_back(offer, decode_offer);
    expect_document_reads_back(offer, decode_offer);
  }
  for (int i = 0; i < 1000; ++i) {
    Event e;
    e.type = static_cast<Event::Type>(1 + random.below(8));
    switch (e.type) {
      case Event::Type::subscribed:
        e.framework_id = random.text();
        e.heartbeat_interval_seconds = random.number();
        break;
      case Event::Type::offers:
        for (std::uint64_t n = random.below(3); n > 0; --n)
          e.offers.push_back(random.offer());
        break;
      case Event::Type::rescind:
        e.offer_id = random.text();
        break;
      case Event::Type::update:
        e.status = random.status();
        break;
      case Event::Type::failure:
        if (random.chance()) e.agent_id = random.text();
        if (random.chance()) e.executor_id = random.text();
        if (random.chance()) e.exit_status = static_cast<int>(random.below(65536));
        break;
      case Event::Type::error:
        e.message = random.text();
        break;
      default:
        break;
    }
    const std::string text = event_text(e);
    ASSERT_EQ(text, canonical(text));
    std::string error;
    auto back = event_from_json(json::parse(text), error);
    ASSERT_TRUE(back) << error << " " << text;
    ASSERT_EQ(event_text(*back), text);
    auto read = event_from_text(text, error);  // as the scheduler reads its stream
    ASSERT_TRUE(read) << error << " " << text;
    ASSERT_EQ(event_text(*read), text);
  }
}

// The wire format itself, pinned: optional fields left out when unset, integers as integers.
TEST(WrittenJson, AVolumeAndAStatusAreWrittenAsMesosReadsThem) {
  Resource volume;
  volume.name = "disk";
  volume.scalar = 512;
  volume.reservations.push_back(
      {ReservationInfo::Type::dynamic, "svc-role", "", {{"resource_id", "r-1"}}});
  DiskInfo disk;
  disk.persistence = DiskInfo::Persistence{"vol-1", ""};
  disk.volume = DiskInfo::Volume{DiskInfo::Volume::Mode::rw, "data"};
  volume.disk = disk;
  EXPECT_EQ(
      written(volume),
      R"({"disk":{"persistence":{"id":"vol-1"},"volume":{"container_path":"data","mode":"RW"}},)"
      R"("name":"disk","reservations":[{"labels":{"labels":[{"key":"resource_id","value":"r-1"}]},)"
      R"("role":"svc-role","type":"DYNAMIC"}],"scalar":{"value":512.0},"type":"SCALAR"})");

  TaskStatus status;
  status.task_id = "node-0-server__1";
  status.state = TaskState::running;
  status.source = TaskStatus::Source::executor;
  status.agent_id = "S0";
  status.timestamp = 1700000000.5;
  status.uuid = "dXVpZA==";
  status.check_http_status = 200;
  status.check_succeeded = true;
  EXPECT_EQ(
      written(status),
      R"({"agent_id":{"value":"S0"},"check_status":{"http":{"status_code":200},"type":"HTTP"},)"
      R"("source":"SOURCE_EXECUTOR","state":"TASK_RUNNING","task_id":{"value":"node-0-server__1"},)"
      R"("timestamp":1700000000.5,"uuid":"dXVpZA=="})");
}

}  // namespace
}  // namespace steward::mesos
