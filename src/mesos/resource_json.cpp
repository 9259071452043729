#include "mesos/resource_json.hpp"

#include <array>
#include <cmath>

#include "mesos/json_fields.hpp"

namespace steward::mesos {

namespace {

using nlohmann::json;

const char* type_name(ReservationInfo::Type t) {
  switch (t) {
    case ReservationInfo::Type::static_reservation:
      return "STATIC";
    case ReservationInfo::Type::dynamic:
      return "DYNAMIC";
    default:
      return "UNKNOWN";
  }
}

// Small helpers that record the first problem and keep going quietly after it.
struct Reader {
  std::string& error;
  bool ok() const { return error.empty(); }
  void fail(const std::string& where, const std::string& what) {
    if (error.empty()) error = where + ": " + what;
  }
  template <class Tree>
  std::optional<std::string> string(const Tree& j, const char* key, const std::string& where) {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) return std::nullopt;
    if (!it->is_string()) {
      fail(where + "." + key, "must be a string");
      return std::nullopt;
    }
    return it->template get<std::string>();
  }
  // int64/uint64 may be numbers or numeric strings in Mesos JSON.
  template <class Tree>
  std::optional<std::uint64_t> uint(const Tree& j, const char* key, const std::string& where) {
    auto it = j.find(key);
    if (it == j.end()) {
      fail(where + "." + key, "is required");
      return std::nullopt;
    }
    if (it->is_number_unsigned()) return it->template get<std::uint64_t>();
    if (it->is_number_integer() && it->template get<std::int64_t>() >= 0)
      return static_cast<std::uint64_t>(it->template get<std::int64_t>());
    if (it->is_string()) {
      try {
        std::size_t used = 0;
        std::string text = it->template get<std::string>();
        std::uint64_t v = std::stoull(text, &used);
        if (used == text.size() && !text.empty() && text[0] != '-') return v;
      } catch (const std::exception&) {
      }
    }
    fail(where + "." + key, "must be a non-negative whole number");
    return std::nullopt;
  }
  template <class Tree>
  std::vector<Label> labels(const Tree& j, const std::string& where) {
    std::vector<Label> out;
    auto it = j.find("labels");
    if (it == j.end() || !it->is_object()) return out;
    auto list = it->find("labels");
    if (list == it->end() || !list->is_array()) return out;
    for (const auto& item : *list) {
      if (!item.is_object()) {
        fail(where + ".labels", "each label must be an object");
        continue;
      }
      Label l;
      l.key = string(item, "key", where + ".labels").value_or("");
      l.value = string(item, "value", where + ".labels");
      out.push_back(std::move(l));
    }
    return out;
  }
};

std::optional<ReservationInfo::Type> parse_type(const std::string& name) {
  if (name == "STATIC") return ReservationInfo::Type::static_reservation;
  if (name == "DYNAMIC") return ReservationInfo::Type::dynamic;
  if (name == "UNKNOWN") return ReservationInfo::Type::unknown;
  return std::nullopt;
}

}  // namespace

namespace {

// The id dcos-commons gives a reserved resource, which tells the resources of a call apart.
std::optional<std::string_view> resource_id(const Resource& r) {
  if (r.reservations.empty()) return std::nullopt;
  for (const Label& l : r.reservations.back().labels)
    if (l.key == "resource_id" && l.value && !l.value->empty()) return std::string_view(*l.value);
  return std::nullopt;
}

void write_fields(JsonText& out, const Resource& r);

}  // namespace

struct ResourceTextReuse::State {
  JsonText* out = nullptr;
  // The last resources written: a launch's come again in the operation after its RESERVE,
  // so a few dozen suffice (a map of every one written cost more than it saved).
  struct Written {
    std::string_view id;
    const Resource* resource = nullptr;
    JsonText::Span span;
  };
  std::array<Written, 32> written;
  std::size_t next = 0;
  State* outer = nullptr;

  Written* find(std::string_view id) {
    for (Written& w : written)
      if (w.id == id) return &w;
    return nullptr;
  }
};

namespace {
thread_local ResourceTextReuse::State* reuse = nullptr;
}  // namespace

ResourceTextReuse::ResourceTextReuse(JsonText& out) : state_(std::make_unique<State>()) {
  state_->out = &out;
  state_->outer = reuse;
  reuse = state_.get();
}

ResourceTextReuse::~ResourceTextReuse() {
  reuse = state_->outer;
}

void write_json(JsonText& out, const Resource& r) {
  ResourceTextReuse::State* kept = reuse;
  std::optional<std::string_view> id;
  if (kept != nullptr && kept->out == &out && out.compact()) id = resource_id(r);
  if (!id) return write_fields(out, r);
  ResourceTextReuse::State::Written* w = kept->find(*id);
  // Equal, and with the same sign: -0.0 == 0.0, but their texts differ.
  if (w != nullptr && *w->resource == r &&
      std::signbit(w->resource->scalar) == std::signbit(r.scalar)) {
    out.again(w->span);
    return;
  }
  // New, or the same id with more (a volume's disk, say): written out, and its text kept.
  const JsonText::Span span = out.recorded([&] { write_fields(out, r); });
  if (w == nullptr) {
    w = &kept->written[kept->next];
    kept->next = (kept->next + 1) % kept->written.size();
  }
  *w = {*id, &r, span};
}

namespace {

void write_fields(JsonText& out, const Resource& r) {
  // Keys in sorted order (see JsonText).
  out.begin_object();
  if (r.allocation_role)
    out.key("allocation_info").begin_object().field("role", *r.allocation_role).end_object();
  if (r.disk) {
    out.key("disk").begin_object();
    if (r.disk->persistence) {
      out.key("persistence").begin_object().field("id", r.disk->persistence->id);
      if (!r.disk->persistence->principal.empty())
        out.field("principal", r.disk->persistence->principal);
      out.end_object();
    }
    if (r.disk->source) {
      const auto& s = *r.disk->source;
      const bool mount = s.type == DiskInfo::Source::Type::mount;
      out.key("source").begin_object();
      out.key(mount ? "mount" : "path").begin_object().field("root", s.root).end_object();
      if (!s.profile.empty()) out.field("profile", s.profile);
      out.field("type", mount ? "MOUNT" : "PATH").end_object();
    }
    if (r.disk->volume) {
      out.key("volume").begin_object().field("container_path", r.disk->volume->container_path);
      out.field("mode", r.disk->volume->mode == DiskInfo::Volume::Mode::rw ? "RW" : "RO");
      out.end_object();
    }
    out.end_object();
  }
  out.field("name", r.name);
  if (r.type == Resource::Type::ranges) {
    out.key("ranges").begin_object().key("range").begin_array();
    for (const auto& range : r.ranges)
      out.begin_object().field("begin", range.begin).field("end", range.end).end_object();
    out.end_array().end_object();
  }
  if (!r.reservations.empty()) {
    out.key("reservations").begin_array();
    for (const auto& res : r.reservations) {
      out.begin_object();
      if (!res.labels.empty()) json_fields::write_labels(out, res.labels);
      if (!res.principal.empty()) out.field("principal", res.principal);
      out.field("role", res.role).field("type", type_name(res.type)).end_object();
    }
    out.end_array();
  }
  switch (r.type) {
    case Resource::Type::scalar:
      out.key("scalar").begin_object().field("value", round_scalar(r.scalar)).end_object();
      out.field("type", "SCALAR");
      break;
    case Resource::Type::ranges:
      out.field("type", "RANGES");
      break;
    case Resource::Type::set:
      out.key("set").begin_object().key("item").values(r.set).end_object().field("type", "SET");
      break;
  }
  out.end_object();
}

}  // namespace

void write_json(JsonText& out, const std::vector<Resource>& resources) {
  json_fields::write_list(out, resources);
}

std::string resources_text(const std::vector<Resource>& resources) {
  return json_fields::written(resources);
}

json to_json(const Resource& r) {
  return json_fields::parsed(r);
}

namespace {

template <class Tree>
std::optional<Resource> read_resource(const Tree& j, std::string& error) {
  error.clear();
  Reader in{error};
  if (!j.is_object()) {
    error = "resource: must be an object";
    return std::nullopt;
  }
  Resource r;
  r.name = in.string(j, "name", "resource").value_or("");
  if (r.name.empty()) in.fail("resource.name", "is required");
  const std::string where = "resource " + r.name;
  std::string type = in.string(j, "type", where).value_or("");
  if (type == "SCALAR") {
    r.type = Resource::Type::scalar;
    auto s = j.find("scalar");
    if (s == j.end() || !s->is_object() || !s->contains("value") || !(*s)["value"].is_number()) {
      in.fail(where + ".scalar.value", "a SCALAR resource needs a number");
    } else {
      const double value = (*s)["value"].template get<double>();
      if (!std::isfinite(value) || value < 0)
        in.fail(where + ".scalar.value", "must be a finite number >= 0");
      else
        r.scalar = round_scalar(value);
    }
  } else if (type == "RANGES") {
    r.type = Resource::Type::ranges;
    auto rs = j.find("ranges");
    if (rs != j.end() && rs->is_object() && rs->contains("range") && (*rs)["range"].is_array()) {
      for (const auto& range : (*rs)["range"]) {
        if (!range.is_object()) {
          in.fail(where + ".ranges", "each range must be an object");
          break;
        }
        auto b = in.uint(range, "begin", where + ".ranges");
        auto e = in.uint(range, "end", where + ".ranges");
        if (b && e) {
          if (*b > *e) in.fail(where + ".ranges", "begin is above end");
          r.ranges.push_back({*b, *e});
        }
      }
    }
  } else if (type == "SET") {
    r.type = Resource::Type::set;
    auto st = j.find("set");
    if (st != j.end() && st->is_object() && st->contains("item") && (*st)["item"].is_array()) {
      for (const auto& item : (*st)["item"]) {
        if (item.is_string()) r.set.push_back(item.template get<std::string>());
      }
    }
  } else {
    in.fail(where + ".type", "must be SCALAR, RANGES or SET");
  }

  auto stack = j.find("reservations");
  if (stack != j.end() && stack->is_array() && !stack->empty()) {
    if (j.contains("reservation") || (j.contains("role") && j["role"] != "*")) {
      in.fail(where, "uses both `reservations` and the old `role`/`reservation` format");
    }
    for (const auto& item : *stack) {
      if (!item.is_object()) {
        in.fail(where + ".reservations", "each reservation must be an object");
        break;
      }
      ReservationInfo res;
      std::string t = in.string(item, "type", where + ".reservations").value_or("UNKNOWN");
      auto parsed = parse_type(t);
      if (!parsed) in.fail(where + ".reservations.type", "unknown type \"" + t + "\"");
      res.type = parsed.value_or(ReservationInfo::Type::unknown);
      res.role = in.string(item, "role", where + ".reservations").value_or("");
      res.principal = in.string(item, "principal", where + ".reservations").value_or("");
      res.labels = in.labels(item, where + ".reservations");
      r.reservations.push_back(std::move(res));
    }
  } else if (auto role = in.string(j, "role", where); role && *role != "*") {
    // The pre-refinement format: convert to a one-entry stack.
    ReservationInfo res;
    auto old = j.find("reservation");
    if (old != j.end() && old->is_object()) {
      res.type = ReservationInfo::Type::dynamic;
      res.principal = in.string(*old, "principal", where + ".reservation").value_or("");
      res.labels = in.labels(*old, where + ".reservation");
    } else {
      res.type = ReservationInfo::Type::static_reservation;
    }
    res.role = *role;
    r.reservations.push_back(std::move(res));
  }
  if (auto alloc = j.find("allocation_info"); alloc != j.end() && alloc->is_object()) {
    r.allocation_role = in.string(*alloc, "role", where + ".allocation_info");
  }
  if (auto disk = j.find("disk"); disk != j.end() && disk->is_object()) {
    DiskInfo d;
    if (auto p = disk->find("persistence"); p != disk->end() && p->is_object()) {
      d.persistence = DiskInfo::Persistence{
          in.string(*p, "id", where + ".disk.persistence").value_or(""),
          in.string(*p, "principal", where + ".disk.persistence").value_or("")};
      if (d.persistence->id.empty()) in.fail(where + ".disk.persistence.id", "is required");
    }
    if (auto v = disk->find("volume"); v != disk->end() && v->is_object()) {
      DiskInfo::Volume vol;
      std::string mode = in.string(*v, "mode", where + ".disk.volume").value_or("RW");
      if (mode != "RW" && mode != "RO") in.fail(where + ".disk.volume.mode", "must be RW or RO");
      vol.mode = mode == "RO" ? DiskInfo::Volume::Mode::ro : DiskInfo::Volume::Mode::rw;
      vol.container_path = in.string(*v, "container_path", where + ".disk.volume").value_or("");
      d.volume = vol;
    }
    if (auto s = disk->find("source"); s != disk->end() && s->is_object()) {
      DiskInfo::Source src;
      std::string t = in.string(*s, "type", where + ".disk.source").value_or("PATH");
      src.type = t == "MOUNT" ? DiskInfo::Source::Type::mount : DiskInfo::Source::Type::path;
      auto holder = s->find(t == "MOUNT" ? "mount" : "path");
      if (holder != s->end() && holder->is_object()) {
        src.root = in.string(*holder, "root", where + ".disk.source").value_or("");
      }
      src.profile = in.string(*s, "profile", where + ".disk.source").value_or("");
      d.source = src;
    }
    r.disk = d;
  }
  if (!in.ok()) return std::nullopt;
  return r;
}

}  // namespace

std::optional<Resource> resource_from_json(const json& j, std::string& error) {
  return read_resource(j, error);
}

std::optional<Resource> resource_from_json(const JsonValue& j, std::string& error) {
  return read_resource(j, error);
}

}  // namespace steward::mesos
