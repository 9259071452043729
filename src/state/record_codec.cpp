#include "state/record_codec.hpp"

#include <cstdint>
#include <cstring>

#include "state/string_pool.hpp"

namespace steward::state {

namespace {

constexpr unsigned char kMagic = 0xB7;  // not '{': a record is never mistaken for JSON text
constexpr unsigned char kTaskKind = 'T';
constexpr unsigned char kStatusKind = 'S';
// A split's rest in memory, never stored: a task record whose strings may be numbers in the
// process's StringPool. Its own kind, so that stored bytes are never read as one.
constexpr unsigned char kRestKind = 't';
constexpr unsigned char kVersion = 1;

// A string is its length times two, then its bytes; in a rest, an odd number instead is a
// string of the pool, the number times two plus one.
class Writer {
 public:
  explicit Writer(unsigned char kind, StringPool::Lease* pool = nullptr, std::size_t reserve = 1024)
      : pool_(pool) {
    out_.reserve(reserve);
    out_ += static_cast<char>(kMagic);
    out_ += static_cast<char>(kind);
    out_ += static_cast<char>(kVersion);
  }
  std::string take() { return std::move(out_); }
  std::size_t size() const { return out_.size(); }

  void u64(std::uint64_t v) {
    while (v >= 0x80) {
      out_ += static_cast<char>((v & 0x7F) | 0x80);
      v >>= 7;
    }
    out_ += static_cast<char>(v);
  }
  void i64(std::int64_t v) {
    u64((static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63));
  }
  void flag(bool v) { out_ += static_cast<char>(v ? 1 : 0); }
  void real(double v) {
    std::uint64_t bits;
    std::memcpy(&bits, &v, sizeof bits);
    for (int i = 0; i < 8; ++i)
      out_ += static_cast<char>((bits >> (8 * i)) & 0xFF);
  }
  void str(std::string_view s) {
    if (pool_) {
      if (std::optional<std::uint32_t> id = pool_->intern(s, strings_++))
        return u64(std::uint64_t{*id} * 2 + 1);
      u64(std::uint64_t{s.size()} * 2);
    } else {
      u64(s.size());
    }
    out_ += s;
  }
  void raw(std::string_view bytes) { out_ += bytes; }
  template <typename E>
  void tag(E e) {
    u64(static_cast<std::uint64_t>(e));
  }
  template <typename Opt, typename Fn>
  void opt(const Opt& v, Fn&& fn) {
    flag(v.has_value());
    if (v) fn(*v);
  }
  template <typename T, typename Fn>
  void vec(const std::vector<T>& v, Fn&& fn) {
    u64(v.size());
    for (const T& item : v)
      fn(item);
  }

 private:
  StringPool::Lease* pool_;
  std::size_t strings_ = 0;  // written so far through the pool
  std::string out_;
};

// Reads fields in order; the first problem sticks, and every read after it yields defaults,
// so a decoder reads straight through and checks ok() once at the end.
class Reader {
 public:
  // A rest's strings are read through the process's pool.
  Reader(std::string_view in, unsigned char kind)
      : in_(in), pool_(kind == kRestKind ? &StringPool::shared() : nullptr) {
    if (in_.size() < 3 || static_cast<unsigned char>(in_[0]) != kMagic)
      fail("not a record");
    else if (static_cast<unsigned char>(in_[1]) != kind)
      fail("a record of another kind");
    else if (static_cast<unsigned char>(in_[2]) != kVersion)
      fail("record format " + std::to_string(static_cast<unsigned char>(in_[2])) +
           ", which this program does not know");
    else
      pos_ = 3;
  }
  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  // From here on, everything read is written to `echo` as well (a split's transcoding), each
  // string through the writer's pool.
  void echo_to(Writer* echo) { echo_ = echo; }
  // Everything read, and nothing left over.
  bool finish() {
    if (ok() && pos_ != in_.size()) fail("bytes after the last field");
    return ok();
  }

  std::uint64_t u64() {
    const std::size_t from = pos_;
    const std::uint64_t v = plain_u64();
    if (echo_ && ok()) echo_->raw(in_.substr(from, pos_ - from));
    return v;
  }
  std::uint64_t plain_u64() {
    std::uint64_t v = 0;
    for (int shift = 0; ok(); shift += 7) {
      if (pos_ >= in_.size()) return fail("truncated"), 0;
      const auto byte = static_cast<unsigned char>(in_[pos_++]);
      if (shift == 63 && byte > 1) return fail("a number out of range"), 0;
      v |= static_cast<std::uint64_t>(byte & 0x7F) << shift;
      if (!(byte & 0x80)) return v;
    }
    return 0;
  }
  std::int64_t i64() {
    const std::uint64_t z = u64();
    return static_cast<std::int64_t>((z >> 1) ^ (~(z & 1) + 1));
  }
  std::uint32_t u32() {
    const std::uint64_t v = u64();
    if (v > UINT32_MAX) return fail("a number out of range"), 0;
    return static_cast<std::uint32_t>(v);
  }
  int i32() {
    const std::int64_t v = i64();
    if (v < INT32_MIN || v > INT32_MAX) return fail("a number out of range"), 0;
    return static_cast<int>(v);
  }
  bool flag() {
    if (!need(1)) return false;
    const auto byte = static_cast<unsigned char>(in_[pos_++]);
    if (byte > 1) return fail("a flag that is neither 0 nor 1"), false;
    if (echo_) echo_->flag(byte == 1);
    return byte == 1;
  }
  double real() {
    if (!need(8)) return 0;
    if (echo_) echo_->raw(in_.substr(pos_, 8));
    std::uint64_t bits = 0;
    for (int i = 0; i < 8; ++i)
      bits |= static_cast<std::uint64_t>(static_cast<unsigned char>(in_[pos_++])) << (8 * i);
    double v;
    std::memcpy(&v, &bits, sizeof v);
    return v;
  }
  std::string str() { return std::string(view_str()); }
  // A string as a view of the bytes read, or of the pool's copy (which never moves).
  std::string_view view_str() {
    std::uint64_t n = plain_u64();
    if (pool_) {
      if (n % 2) {
        const std::optional<std::string_view> kept = pool_->find(n / 2);
        if (!kept) return fail("a string the pool does not hold"), std::string_view();
        if (echo_) echo_->str(*kept);
        return *kept;
      }
      n /= 2;
    }
    if (!need(n)) return {};
    std::string_view v = in_.substr(pos_, n);
    pos_ += n;
    if (echo_) echo_->str(v);
    return v;
  }
  // Past a string without copying it.
  void skip_str() { view_str(); }
  void skip_real() {
    if (!need(8)) return;
    if (echo_) echo_->raw(in_.substr(pos_, 8));
    pos_ += 8;
  }
  // Past a vector: the same bound on its count as vec(), each item read by `fn`.
  template <typename Fn>
  void skip_vec(Fn&& fn) {
    const std::uint64_t n = u64();
    if (!ok() || n > in_.size() - pos_) {
      if (ok()) fail("truncated");
      return;
    }
    for (std::uint64_t i = 0; i < n && ok(); ++i)
      fn();
  }
  std::size_t pos() const { return pos_; }
  // To a position of the record, past its header (one a split recorded).
  void seek(std::size_t pos) {
    if (!ok()) return;
    if (pos < 3 || pos > in_.size()) return fail("a position outside the record");
    pos_ = pos;
  }
  std::string_view bytes(std::size_t from, std::size_t to) const {
    return in_.substr(from, to - from);
  }
  template <typename E>
  E tag(E last) {
    const std::uint64_t v = u64();
    if (v > static_cast<std::uint64_t>(last)) return fail("an unknown enumeration value"), E{};
    return static_cast<E>(v);
  }
  template <typename Opt, typename Fn>
  void opt(Opt& v, Fn&& fn) {
    if (flag()) fn(v.emplace(typename Opt::value_type{}));
  }
  template <typename T, typename Fn>
  void vec(std::vector<T>& v, Fn&& fn) {
    const std::uint64_t n = u64();
    // Each item takes at least one byte: a count past what is left is damage, not a reason to
    // allocate it.
    if (!ok() || n > in_.size() - pos_) {
      if (ok()) fail("truncated");
      return;
    }
    v.resize(n);
    for (T& item : v)
      if (ok()) fn(item);
  }

 private:
  bool need(std::uint64_t n) {
    if (!ok()) return false;
    if (n > in_.size() - pos_) return fail("truncated"), false;
    return true;
  }
  void fail(const std::string& what) {
    if (error_.empty()) error_ = what + (pos_ ? " at byte " + std::to_string(pos_) : "");
  }

  std::string_view in_;
  const StringPool* pool_;
  Writer* echo_ = nullptr;
  std::size_t pos_ = 0;
  std::string error_;
};

// One function per type and direction, fields in declaration order.

void put(Writer& w, const mesos::Label& l) {
  w.str(l.key);
  w.opt(l.value, [&](const std::string& v) { w.str(v); });
}
void get(Reader& r, mesos::Label& l) {
  l.key = r.str();
  r.opt(l.value, [&](std::string& v) { v = r.str(); });
}

void put(Writer& w, const mesos::Resource& res) {
  w.str(res.name);
  w.tag(res.type);
  w.real(res.scalar);
  w.vec(res.ranges, [&](const mesos::ValueRange& v) {
    w.u64(v.begin);
    w.u64(v.end);
  });
  w.vec(res.set, [&](const std::string& s) { w.str(s); });
  w.vec(res.reservations, [&](const mesos::ReservationInfo& v) {
    w.tag(v.type);
    w.str(v.role);
    w.str(v.principal);
    w.vec(v.labels, [&](const mesos::Label& l) { put(w, l); });
  });
  w.opt(res.allocation_role, [&](const std::string& s) { w.str(s); });
  w.opt(res.disk, [&](const mesos::DiskInfo& d) {
    w.opt(d.persistence, [&](const mesos::DiskInfo::Persistence& p) {
      w.str(p.id);
      w.str(p.principal);
    });
    w.opt(d.volume, [&](const mesos::DiskInfo::Volume& v) {
      w.tag(v.mode);
      w.str(v.container_path);
    });
    w.opt(d.source, [&](const mesos::DiskInfo::Source& s) {
      w.tag(s.type);
      w.str(s.root);
      w.str(s.profile);
    });
  });
}
void get(Reader& r, mesos::Resource& res) {
  res.name = r.str();
  res.type = r.tag(mesos::Resource::Type::set);
  res.scalar = r.real();
  r.vec(res.ranges, [&](mesos::ValueRange& v) {
    v.begin = r.u64();
    v.end = r.u64();
  });
  r.vec(res.set, [&](std::string& s) { s = r.str(); });
  r.vec(res.reservations, [&](mesos::ReservationInfo& v) {
    v.type = r.tag(mesos::ReservationInfo::Type::dynamic);
    v.role = r.str();
    v.principal = r.str();
    r.vec(v.labels, [&](mesos::Label& l) { get(r, l); });
  });
  r.opt(res.allocation_role, [&](std::string& s) { s = r.str(); });
  r.opt(res.disk, [&](mesos::DiskInfo& d) {
    r.opt(d.persistence, [&](mesos::DiskInfo::Persistence& p) {
      p.id = r.str();
      p.principal = r.str();
    });
    r.opt(d.volume, [&](mesos::DiskInfo::Volume& v) {
      v.mode = r.tag(mesos::DiskInfo::Volume::Mode::ro);
      v.container_path = r.str();
    });
    r.opt(d.source, [&](mesos::DiskInfo::Source& s) {
      s.type = r.tag(mesos::DiskInfo::Source::Type::mount);
      s.root = r.str();
      s.profile = r.str();
    });
  });
}

void put(Writer& w, const std::pair<std::string, std::string>& kv) {
  w.str(kv.first);
  w.str(kv.second);
}
void get(Reader& r, std::pair<std::string, std::string>& kv) {
  kv.first = r.str();
  kv.second = r.str();
}

void put(Writer& w, const mesos::CommandCheck& c) {
  w.tag(c.type);
  w.str(c.command);
  w.u64(c.port);
  w.str(c.path);
  w.str(c.scheme);
  w.vec(c.environment, [&](const auto& kv) { put(w, kv); });
  w.real(c.delay_seconds);
  w.real(c.interval_seconds);
  w.real(c.timeout_seconds);
  w.real(c.grace_period_seconds);
  w.u64(c.consecutive_failures);
}
void get(Reader& r, mesos::CommandCheck& c) {
  c.type = r.tag(mesos::CommandCheck::Type::tcp);
  c.command = r.str();
  c.port = r.u32();
  c.path = r.str();
  c.scheme = r.str();
  r.vec(c.environment, [&](auto& kv) { get(r, kv); });
  c.delay_seconds = r.real();
  c.interval_seconds = r.real();
  c.timeout_seconds = r.real();
  c.grace_period_seconds = r.real();
  c.consecutive_failures = r.u32();
}

void put(Writer& w, const mesos::TaskInfo& t) {
  w.str(t.name);
  w.str(t.task_id);
  w.str(t.agent_id);
  w.vec(t.resources, [&](const mesos::Resource& res) { put(w, res); });
  w.opt(t.command, [&](const mesos::CommandInfo& c) {
    w.flag(c.shell);
    w.str(c.value);
    w.vec(c.arguments, [&](const std::string& s) { w.str(s); });
    w.vec(c.environment, [&](const auto& kv) { put(w, kv); });
    w.vec(c.uris, [&](const mesos::CommandInfo::Uri& u) {
      w.str(u.value);
      w.flag(u.extract);
      w.flag(u.executable);
    });
    w.str(c.user);
  });
  w.opt(t.health_check, [&](const mesos::CommandCheck& c) { put(w, c); });
  w.opt(t.check, [&](const mesos::CommandCheck& c) { put(w, c); });
  w.opt(t.kill_grace_period_ns, [&](std::int64_t v) { w.i64(v); });
  w.vec(t.rlimits, [&](const mesos::RLimit& l) {
    w.str(l.type);
    w.opt(l.soft, [&](std::uint64_t v) { w.u64(v); });
    w.opt(l.hard, [&](std::uint64_t v) { w.u64(v); });
  });
  w.vec(t.labels, [&](const mesos::Label& l) { put(w, l); });
  w.opt(t.executor, [&](const mesos::ExecutorInfo& e) {
    w.str(e.executor_id);
    w.str(e.framework_id);
    w.str(e.name);
    w.vec(e.resources, [&](const mesos::Resource& res) { put(w, res); });
  });
}
void get(Reader& r, mesos::TaskInfo& t) {
  t.name = r.str();
  t.task_id = r.str();
  t.agent_id = r.str();
  r.vec(t.resources, [&](mesos::Resource& res) { get(r, res); });
  r.opt(t.command, [&](mesos::CommandInfo& c) {
    c.shell = r.flag();
    c.value = r.str();
    r.vec(c.arguments, [&](std::string& s) { s = r.str(); });
    r.vec(c.environment, [&](auto& kv) { get(r, kv); });
    r.vec(c.uris, [&](mesos::CommandInfo::Uri& u) {
      u.value = r.str();
      u.extract = r.flag();
      u.executable = r.flag();
    });
    c.user = r.str();
  });
  r.opt(t.health_check, [&](mesos::CommandCheck& c) { get(r, c); });
  r.opt(t.check, [&](mesos::CommandCheck& c) { get(r, c); });
  r.opt(t.kill_grace_period_ns, [&](std::int64_t& v) { v = r.i64(); });
  r.vec(t.rlimits, [&](mesos::RLimit& l) {
    l.type = r.str();
    r.opt(l.soft, [&](std::uint64_t& v) { v = r.u64(); });
    r.opt(l.hard, [&](std::uint64_t& v) { v = r.u64(); });
  });
  r.vec(t.labels, [&](mesos::Label& l) { get(r, l); });
  r.opt(t.executor, [&](mesos::ExecutorInfo& e) {
    e.executor_id = r.str();
    e.framework_id = r.str();
    e.name = r.str();
    r.vec(e.resources, [&](mesos::Resource& res) { get(r, res); });
  });
}

void put(Writer& w, const mesos::TaskStatus& s) {
  w.str(s.task_id);
  w.tag(s.state);
  w.str(s.message);
  w.tag(s.source);
  w.str(s.reason);
  w.str(s.agent_id);
  w.str(s.executor_id);
  w.real(s.timestamp);
  w.str(s.uuid);
  w.opt(s.healthy, [&](bool v) { w.flag(v); });
  w.opt(s.check_exit_code, [&](int v) { w.i64(v); });
  w.opt(s.check_succeeded, [&](bool v) { w.flag(v); });
  w.opt(s.check_http_status, [&](int v) { w.i64(v); });
  w.vec(s.labels, [&](const mesos::Label& l) { put(w, l); });
  w.vec(s.ip_addresses, [&](const std::string& a) { w.str(a); });
}
void get(Reader& r, mesos::TaskStatus& s) {
  s.task_id = r.str();
  s.state = r.tag(mesos::TaskState::unknown);
  s.message = r.str();
  s.source = r.tag(mesos::TaskStatus::Source::executor);
  s.reason = r.str();
  s.agent_id = r.str();
  s.executor_id = r.str();
  s.timestamp = r.real();
  s.uuid = r.str();
  r.opt(s.healthy, [&](bool& v) { v = r.flag(); });
  r.opt(s.check_exit_code, [&](int& v) { v = r.i32(); });
  r.opt(s.check_succeeded, [&](bool& v) { v = r.flag(); });
  r.opt(s.check_http_status, [&](int& v) { v = r.i32(); });
  r.vec(s.labels, [&](mesos::Label& l) { get(r, l); });
  r.vec(s.ip_addresses, [&](std::string& a) { a = r.str(); });
}

// Skipping: the same reads as get() above, field for field and with the same checks, so that
// a record split_task_record() accepts is one decode_task_record() accepts, but nothing is
// copied or allocated.

void skip_label(Reader& r) {
  r.skip_str();
  if (r.flag()) r.skip_str();
}

// With `resource_id`, calls it with the value of the resource's resource_id label, read as
// Resource::label() reads it: the first such label of the last reservation, "" for one without
// a value.
void skip_resource(Reader& r, const ResourceIdFn* resource_id = nullptr) {
  r.skip_str();
  r.tag(mesos::Resource::Type::set);
  r.skip_real();
  r.skip_vec([&] {
    r.u64();
    r.u64();
  });
  r.skip_vec([&] { r.skip_str(); });
  std::optional<std::string_view> id;  // of the last reservation read
  r.skip_vec([&] {
    r.tag(mesos::ReservationInfo::Type::dynamic);
    r.skip_str();
    r.skip_str();
    id.reset();
    r.skip_vec([&] {
      const std::string_view key = r.view_str();
      const std::string_view value = r.flag() ? r.view_str() : std::string_view();
      if (!id && key == "resource_id") id = value;
    });
  });
  if (resource_id && id && r.ok()) (*resource_id)(*id);
  if (r.flag()) r.skip_str();
  if (r.flag()) {
    if (r.flag()) {
      r.skip_str();
      r.skip_str();
    }
    if (r.flag()) {
      r.tag(mesos::DiskInfo::Volume::Mode::ro);
      r.skip_str();
    }
    if (r.flag()) {
      r.tag(mesos::DiskInfo::Source::Type::mount);
      r.skip_str();
      r.skip_str();
    }
  }
}

void skip_check(Reader& r) {
  r.tag(mesos::CommandCheck::Type::tcp);
  r.skip_str();
  r.u32();
  r.skip_str();
  r.skip_str();
  r.skip_vec([&] {
    r.skip_str();
    r.skip_str();
  });
  for (int i = 0; i < 4; ++i)
    r.skip_real();
  r.u32();
}

// A TaskInfo's executor, if any, with its resources' ids to `resource_id` as skip_resource().
void skip_executor(Reader& r, const ResourceIdFn* resource_id = nullptr) {
  if (!r.flag()) return;
  r.skip_str();
  r.skip_str();
  r.skip_str();
  r.skip_vec([&] { skip_resource(r, resource_id); });
}

// A TaskInfo's fields from its command to its rlimits; whether it has a readiness check.
bool skip_command_to_rlimits(Reader& r) {
  if (r.flag()) {
    r.flag();
    r.skip_str();
    r.skip_vec([&] { r.skip_str(); });
    r.skip_vec([&] {
      r.skip_str();
      r.skip_str();
    });
    r.skip_vec([&] {
      r.skip_str();
      r.flag();
      r.flag();
    });
    r.skip_str();
  }
  if (r.flag()) skip_check(r);  // the health check
  const bool check = r.flag();
  if (check) skip_check(r);
  if (r.flag()) r.i64();
  r.skip_vec([&] {
    r.skip_str();
    if (r.flag()) r.u64();
    if (r.flag()) r.u64();
  });
  return check;
}

template <typename T>
std::optional<T> decode(std::string_view bytes, unsigned char kind, std::string& error) {
  Reader r(bytes, kind);
  T value;
  if (r.ok()) get(r, value);
  if (!r.finish()) {
    error = r.error();
    return std::nullopt;
  }
  return value;
}

}  // namespace

std::string encode_record(const mesos::TaskInfo& task) {
  Writer w(kTaskKind);
  put(w, task);
  return w.take();
}

std::string encode_record(const mesos::TaskStatus& status) {
  Writer w(kStatusKind);
  put(w, status);
  return w.take();
}

std::optional<mesos::TaskInfo> decode_task_record(std::string_view bytes, std::string& error) {
  return decode<mesos::TaskInfo>(bytes, kTaskKind, error);
}

std::optional<mesos::TaskStatus> decode_status_record(std::string_view bytes, std::string& error) {
  return decode<mesos::TaskStatus>(bytes, kStatusKind, error);
}

std::optional<mesos::TaskInfo> decode_task_rest(std::string_view rest, std::string& error) {
  return decode<mesos::TaskInfo>(rest, kRestKind, error);
}

std::optional<SplitTaskRecord> split_task_record(std::string_view bytes, std::string& error) {
  SplitTaskRecord out;
  Reader r(bytes, kTaskKind);
  // The fields in put()'s order: name, ids, then resources to rlimits, labels and the
  // executor, each read once and written to the rest as it is read (its strings through the
  // pool, on behalf of the task the name names).
  out.name = r.str();
  out.task_id = r.str();
  out.agent_id = r.str();
  StringPool::Lease pool(StringPool::shared(), StringPool::hash(out.name));
  Writer rest(kRestKind, &pool, bytes.size() + 16);
  rest.str("");
  rest.str("");
  rest.str("");
  if (r.ok()) {
    r.echo_to(&rest);
    std::uint64_t resources = 0;
    r.skip_vec([&] {
      ++resources;
      skip_resource(r);
    });
    out.has_resources = resources > 0;
    out.has_check = skip_command_to_rlimits(r);
    out.labels_at = rest.size();
    r.skip_vec([&] { skip_label(r); });
    // The executor is its pod's, held by every task of the pod: its strings are owned by it,
    // so that its id and its resources' ids, which no other pod holds, are never kept.
    Reader peek = r;
    peek.echo_to(nullptr);
    if (peek.flag()) pool.set_owner(StringPool::hash(peek.view_str()) ^ 0x5bd1e995u);
    skip_executor(r);
  }
  if (!r.finish()) {
    error = r.error();
    return std::nullopt;
  }
  std::string text = rest.take();
  out.rest.assign(text.data(), text.size());  // exactly sized: the writer reserved more
  return out;
}

FoundLabel find_label(std::string_view rest, std::size_t labels_at, std::string_view key) {
  Reader r(rest, kRestKind);
  r.seek(labels_at);
  FoundLabel found;
  r.skip_vec([&] {
    if (found.found) return skip_label(r);
    const std::string_view k = r.view_str();
    const bool has_value = r.flag();
    const std::string_view v = has_value ? r.view_str() : std::string_view();
    if (r.ok() && k == key) found = {true, has_value, v};
  });
  return r.ok() ? found : FoundLabel{};
}

std::vector<mesos::Label> read_labels(std::string_view rest, std::size_t labels_at) {
  Reader r(rest, kRestKind);
  r.seek(labels_at);
  std::vector<mesos::Label> labels;
  r.vec(labels, [&](mesos::Label& l) { get(r, l); });
  if (!r.ok()) labels.clear();
  return labels;
}

bool for_each_resource_id(std::string_view rest, const ResourceIdFn& fn, std::string& error) {
  Reader r(rest, kRestKind);
  if (r.ok()) {
    // The fields in put()'s order, all skipped but the resources'.
    r.skip_str();
    r.skip_str();
    r.skip_str();
    r.skip_vec([&] { skip_resource(r, &fn); });
    skip_command_to_rlimits(r);
    r.skip_vec([&] { skip_label(r); });
    skip_executor(r, &fn);
  }
  if (!r.finish()) {
    error = r.error();
    return false;
  }
  return true;
}

bool is_record(std::string_view bytes) {
  return !bytes.empty() && static_cast<unsigned char>(bytes[0]) == kMagic;
}

}  // namespace steward::state
