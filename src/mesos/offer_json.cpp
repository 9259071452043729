#include "mesos/offer_json.hpp"

#include "mesos/json_fields.hpp"
#include "mesos/resource_json.hpp"
#include "mesos/task_status_json.hpp"

namespace steward::mesos {

namespace {

using json_fields::id;
using json_fields::id_value;
using json_fields::text;
using nlohmann::json;

template <class Tree>
const Tree* object(const Tree& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_object() ? &*it : nullptr;
}

constexpr std::pair<Event::Type, const char*> kEventTypes[] = {
    {Event::Type::subscribed, "SUBSCRIBED"}, {Event::Type::offers, "OFFERS"},
    {Event::Type::rescind, "RESCIND"},       {Event::Type::update, "UPDATE"},
    {Event::Type::message, "MESSAGE"},       {Event::Type::failure, "FAILURE"},
    {Event::Type::error, "ERROR"},           {Event::Type::heartbeat, "HEARTBEAT"}};

}  // namespace

void write_json(JsonText& out, const Offer& o) {
  // Keys in sorted order (see JsonText).
  out.begin_object().id_field("agent_id", o.agent_id);
  if (!o.allocation_role.empty())
    out.key("allocation_info").begin_object().field("role", o.allocation_role).end_object();
  out.key("attributes").begin_array();
  for (const Attribute& a : o.attributes) {
    out.begin_object().field("name", a.name);
    if (a.scalar)
      out.key("scalar")
          .begin_object()
          .field("value", *a.scalar)
          .end_object()
          .field("type", "SCALAR");
    else
      out.key("text").begin_object().field("value", a.text).end_object().field("type", "TEXT");
    out.end_object();
  }
  out.end_array();
  if (!o.region.empty() || !o.zone.empty()) {
    out.key("domain").begin_object().key("fault_domain").begin_object();
    out.key("region").begin_object().field("name", o.region).end_object();
    out.key("zone").begin_object().field("name", o.zone).end_object();
    out.end_object().end_object();
  }
  if (!o.executor_ids.empty()) {
    out.key("executor_ids").begin_array();
    for (const auto& id : o.executor_ids)
      out.begin_object().field("value", id).end_object();
    out.end_array();
  }
  out.id_field("framework_id", o.framework_id).field("hostname", o.hostname).id_field("id", o.id);
  out.key("resources");
  write_json(out, o.resources);
  out.end_object();
}

json to_json(const Offer& o) {
  std::string text;
  JsonText out(text);
  write_json(out, o);
  return json::parse(text);
}

namespace {

template <class Tree>
std::optional<Offer> read_offer(const Tree& j, std::string& error) {
  error.clear();
  if (!j.is_object()) {
    error = "offer: must be an object";
    return std::nullopt;
  }
  Offer o;
  auto id = id_value(j, "id");
  auto agent = id_value(j, "agent_id");
  if (!id || !agent) {
    error = id ? "offer.agent_id: is required" : "offer.id: is required";
    return std::nullopt;
  }
  o.id = *id;
  o.agent_id = *agent;
  o.framework_id = id_value(j, "framework_id").value_or("");
  o.hostname = text(j, "hostname");
  if (const Tree* alloc = object(j, "allocation_info")) o.allocation_role = text(*alloc, "role");
  if (auto rs = j.find("resources"); rs != j.end() && rs->is_array()) {
    for (const auto& r : *rs) {
      std::string why;
      auto resource = resource_from_json(r, why);
      if (!resource) {
        error = "offer " + o.id + ": " + why;
        return std::nullopt;
      }
      o.resources.push_back(std::move(*resource));
    }
  }
  if (auto as = j.find("attributes"); as != j.end() && as->is_array()) {
    for (const auto& a : *as) {
      if (!a.is_object()) continue;
      Attribute attr;
      attr.name = text(a, "name");
      if (const Tree* t = object(a, "text")) attr.text = text(*t, "value");
      if (const Tree* s = object(a, "scalar")) {
        if (auto v = s->find("value"); v != s->end() && v->is_number())
          attr.scalar = v->template get<double>();
      }
      o.attributes.push_back(std::move(attr));
    }
  }
  if (auto ids = j.find("executor_ids"); ids != j.end() && ids->is_array()) {
    for (const auto& e : *ids) {
      if (e.is_object() && e.contains("value") && e["value"].is_string()) {
        o.executor_ids.push_back(e["value"].template get<std::string>());
      }
    }
  }
  if (const Tree* domain = object(j, "domain")) {
    if (const Tree* fd = object(*domain, "fault_domain")) {
      if (const Tree* region = object(*fd, "region")) o.region = text(*region, "name");
      if (const Tree* zone = object(*fd, "zone")) o.zone = text(*zone, "name");
    }
  }
  return o;
}

}  // namespace

std::optional<Offer> offer_from_json(const json& j, std::string& error) {
  return read_offer(j, error);
}

std::optional<Offer> offer_from_json(const JsonValue& j, std::string& error) {
  return read_offer(j, error);
}

void write_json(JsonText& out, const Event& e) {
  const char* type = "UNKNOWN";
  for (const auto& [t, name] : kEventTypes) {
    if (t == e.type) type = name;
  }
  // Keys in sorted order (see JsonText): every event's own field sorts before "type" but
  // "update".
  out.begin_object();
  switch (e.type) {
    case Event::Type::subscribed:
      out.key("subscribed").begin_object().id_field("framework_id", e.framework_id);
      out.field("heartbeat_interval_seconds", e.heartbeat_interval_seconds).end_object();
      break;
    case Event::Type::offers:
      out.key("offers").begin_object().key("offers").begin_array();  // nested, as Mesos sends it
      for (const Offer& o : e.offers)
        write_json(out, o);
      out.end_array().end_object();
      break;
    case Event::Type::rescind:
      out.key("rescind").begin_object().id_field("offer_id", e.offer_id).end_object();
      break;
    case Event::Type::failure:
      out.key("failure").begin_object();
      if (!e.agent_id.empty()) out.id_field("agent_id", e.agent_id);
      if (!e.executor_id.empty()) out.id_field("executor_id", e.executor_id);
      if (e.exit_status) out.field("status", *e.exit_status);
      out.end_object();
      break;
    case Event::Type::error:
      out.key("error").begin_object().field("message", e.message).end_object();
      break;
    default:
      break;
  }
  out.field("type", type);
  if (e.type == Event::Type::update && e.status) {
    out.key("update").begin_object().key("status");
    write_json(out, *e.status);
    out.end_object();
  }
  out.end_object();
}

std::string event_text(const Event& e) {
  return json_fields::written(e);
}

json to_json(const Event& e) {
  return json_fields::parsed(e);
}

namespace {

template <class Tree>
std::optional<Event> read_event(const Tree& j, std::string& error) {
  error.clear();
  if (!j.is_object()) {
    error = "event: must be an object";
    return std::nullopt;
  }
  Event e;
  const std::string type = text(j, "type");
  for (const auto& [value, name] : kEventTypes) {
    if (type == name) e.type = value;
  }
  auto body = [&](const char* key) -> const Tree* {
    const Tree* b = object(j, key);
    if (b == nullptr) error = std::string("event ") + type + ": `" + key + "` is missing";
    return b;
  };
  switch (e.type) {
    case Event::Type::subscribed: {
      const Tree* b = body("subscribed");
      if (b == nullptr) return std::nullopt;
      e.framework_id = id_value(*b, "framework_id").value_or("");
      if (e.framework_id.empty()) {
        error = "event SUBSCRIBED: framework_id is missing";
        return std::nullopt;
      }
      if (auto h = b->find("heartbeat_interval_seconds"); h != b->end() && h->is_number()) {
        e.heartbeat_interval_seconds = h->template get<double>();
      }
      break;
    }
    case Event::Type::offers: {
      const Tree* b = body("offers");
      if (b == nullptr) return std::nullopt;
      if (auto list = b->find("offers"); list != b->end() && list->is_array()) {
        for (const auto& o : *list) {
          std::string why;
          auto offer = offer_from_json(o, why);
          if (!offer) {
            error = "event OFFERS: " + why;
            return std::nullopt;
          }
          e.offers.push_back(std::move(*offer));
        }
      }
      break;
    }
    case Event::Type::rescind: {
      const Tree* b = body("rescind");
      if (b == nullptr) return std::nullopt;
      e.offer_id = id_value(*b, "offer_id").value_or("");
      break;
    }
    case Event::Type::update: {
      const Tree* b = body("update");
      if (b == nullptr) return std::nullopt;
      auto s = b->find("status");
      std::string why;
      auto status = s == b->end() ? std::nullopt : task_status_from_json(*s, why);
      if (!status) {
        error = "event UPDATE: " + (why.empty() ? std::string("status is missing") : why);
        return std::nullopt;
      }
      e.status = std::move(status);
      break;
    }
    case Event::Type::failure: {
      const Tree* b = body("failure");
      if (b == nullptr) return std::nullopt;
      e.agent_id = id_value(*b, "agent_id").value_or("");
      e.executor_id = id_value(*b, "executor_id").value_or("");
      if (auto st = b->find("status"); st != b->end() && st->is_number_integer())
        e.exit_status = st->template get<int>();
      break;
    }
    case Event::Type::error: {
      const Tree* b = body("error");
      if (b == nullptr) return std::nullopt;
      e.message = text(*b, "message");
      break;
    }
    default:
      break;  // HEARTBEAT, MESSAGE and types this version does not know
  }
  return e;
}

}  // namespace

std::optional<Event> event_from_json(const json& j, std::string& error) {
  return read_event(j, error);
}

std::optional<Event> event_from_json(const JsonValue& j, std::string& error) {
  return read_event(j, error);
}

namespace {

// The listing of an OFFERS event: the first `limit` offers read in full, the rest's ids.
class OfferListing : public JsonListing {
 public:
  explicit OfferListing(std::size_t limit) : JsonListing("offers", "offers"), limit_(limit) {}
  void begin() override {
    offers.clear();
    unread.clear();
  }
  bool take(const JsonValue& o) override {
    if (offers.size() >= limit_) {
      auto id = json_fields::id_value(o, "id");
      if (!id) return false;  // stays in the document, whose reader reports it
      unread.push_back(std::move(*id));
      return true;
    }
    std::string why;
    auto offer = offer_from_json(o, why);
    if (!offer) return false;
    offers.push_back(std::move(*offer));
    return true;
  }
  std::vector<Offer> offers;
  std::vector<std::string> unread;

 private:
  std::size_t limit_;
};

}  // namespace

std::optional<Event> event_from_text(std::string_view text, std::string& error,
                                     std::size_t offers_read) {
  // Read from a JsonDocument, under a third of what nlohmann's tree costs for an UPDATE (a
  // deploy's 20,000 of them, BM_DecodeUpdateEvent) and an eighth for an OFFERS event of 1,000
  // offers (BM_DecodeOffersEventAsTheSchedulerDoes), whose offers are handed over one by one
  // as they are parsed and dropped once read: a document of all of them would hold 2.1 times
  // the text in nodes (12.9 MB for 5,000 offers).
  OfferListing listing(offers_read);
  JsonDocument doc;
  if (!doc.parse(text, listing)) {
    error = "event: not JSON";
    return std::nullopt;
  }
  auto e = read_event(doc.root(), error);
  if (e && e->type == Event::Type::offers) {
    e->offers = std::move(listing.offers);
    e->unread_offer_ids = std::move(listing.unread);
  }
  return e;
}

}  // namespace steward::mesos
