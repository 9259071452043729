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

const json* object(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_object() ? &*it : nullptr;
}

constexpr std::pair<Event::Type, const char*> kEventTypes[] = {
    {Event::Type::subscribed, "SUBSCRIBED"}, {Event::Type::offers, "OFFERS"},
    {Event::Type::rescind, "RESCIND"},       {Event::Type::update, "UPDATE"},
    {Event::Type::message, "MESSAGE"},       {Event::Type::failure, "FAILURE"},
    {Event::Type::error, "ERROR"},           {Event::Type::heartbeat, "HEARTBEAT"}};

}  // namespace

json to_json(const Offer& o) {
  json resources = json::array();
  for (const Resource& r : o.resources)
    resources.push_back(to_json(r));
  json attributes = json::array();
  for (const Attribute& a : o.attributes) {
    if (a.scalar) {
      attributes.push_back(
          {{"name", a.name}, {"type", "SCALAR"}, {"scalar", {{"value", *a.scalar}}}});
    } else {
      attributes.push_back({{"name", a.name}, {"type", "TEXT"}, {"text", {{"value", a.text}}}});
    }
  }
  json j = {{"id", {{"value", o.id}}},
            {"framework_id", {{"value", o.framework_id}}},
            {"agent_id", {{"value", o.agent_id}}},
            {"hostname", o.hostname},
            {"resources", resources},
            {"attributes", attributes}};
  if (!o.allocation_role.empty()) j["allocation_info"] = {{"role", o.allocation_role}};
  if (!o.executor_ids.empty()) {
    json ids = json::array();
    for (const auto& id : o.executor_ids)
      ids.push_back({{"value", id}});
    j["executor_ids"] = ids;
  }
  if (!o.region.empty() || !o.zone.empty()) {
    j["domain"] = {
        {"fault_domain", {{"region", {{"name", o.region}}}, {"zone", {{"name", o.zone}}}}}};
  }
  return j;
}

std::optional<Offer> offer_from_json(const json& j, std::string& error) {
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
  if (const json* alloc = object(j, "allocation_info")) o.allocation_role = text(*alloc, "role");
  if (auto rs = j.find("resources"); rs != j.end() && rs->is_array()) {
    for (const json& r : *rs) {
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
    for (const json& a : *as) {
      if (!a.is_object()) continue;
      Attribute attr;
      attr.name = text(a, "name");
      if (const json* t = object(a, "text")) attr.text = text(*t, "value");
      if (const json* s = object(a, "scalar")) {
        if (auto v = s->find("value"); v != s->end() && v->is_number())
          attr.scalar = v->get<double>();
      }
      o.attributes.push_back(std::move(attr));
    }
  }
  if (auto ids = j.find("executor_ids"); ids != j.end() && ids->is_array()) {
    for (const json& e : *ids) {
      if (e.is_object() && e.contains("value") && e["value"].is_string()) {
        o.executor_ids.push_back(e["value"].get<std::string>());
      }
    }
  }
  if (const json* domain = object(j, "domain")) {
    if (const json* fd = object(*domain, "fault_domain")) {
      if (const json* region = object(*fd, "region")) o.region = text(*region, "name");
      if (const json* zone = object(*fd, "zone")) o.zone = text(*zone, "name");
    }
  }
  return o;
}

json to_json(const Event& e) {
  json j;
  for (const auto& [type, name] : kEventTypes) {
    if (type == e.type) j["type"] = name;
  }
  if (!j.contains("type")) j["type"] = "UNKNOWN";
  switch (e.type) {
    case Event::Type::subscribed:
      j["subscribed"] = {{"framework_id", {{"value", e.framework_id}}},
                         {"heartbeat_interval_seconds", e.heartbeat_interval_seconds}};
      break;
    case Event::Type::offers: {
      json offers = json::array();
      for (const Offer& o : e.offers)
        offers.push_back(to_json(o));
      j["offers"] = {{"offers", offers}};  // nested, as the master sends it
      break;
    }
    case Event::Type::rescind:
      j["rescind"] = {{"offer_id", {{"value", e.offer_id}}}};
      break;
    case Event::Type::update:
      if (e.status) j["update"] = {{"status", to_json(*e.status)}};
      break;
    case Event::Type::failure: {
      json f = json::object();
      if (!e.agent_id.empty()) f["agent_id"] = {{"value", e.agent_id}};
      if (!e.executor_id.empty()) f["executor_id"] = {{"value", e.executor_id}};
      if (e.exit_status) f["status"] = *e.exit_status;
      j["failure"] = f;
      break;
    }
    case Event::Type::error:
      j["error"] = {{"message", e.message}};
      break;
    default:
      break;
  }
  return j;
}

std::optional<Event> event_from_json(const json& j, std::string& error) {
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
  auto body = [&](const char* key) -> const json* {
    const json* b = object(j, key);
    if (b == nullptr) error = std::string("event ") + type + ": `" + key + "` is missing";
    return b;
  };
  switch (e.type) {
    case Event::Type::subscribed: {
      const json* b = body("subscribed");
      if (b == nullptr) return std::nullopt;
      e.framework_id = id_value(*b, "framework_id").value_or("");
      if (e.framework_id.empty()) {
        error = "event SUBSCRIBED: framework_id is missing";
        return std::nullopt;
      }
      if (auto h = b->find("heartbeat_interval_seconds"); h != b->end() && h->is_number()) {
        e.heartbeat_interval_seconds = h->get<double>();
      }
      break;
    }
    case Event::Type::offers: {
      const json* b = body("offers");
      if (b == nullptr) return std::nullopt;
      if (auto list = b->find("offers"); list != b->end() && list->is_array()) {
        for (const json& o : *list) {
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
      const json* b = body("rescind");
      if (b == nullptr) return std::nullopt;
      e.offer_id = id_value(*b, "offer_id").value_or("");
      break;
    }
    case Event::Type::update: {
      const json* b = body("update");
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
      const json* b = body("failure");
      if (b == nullptr) return std::nullopt;
      e.agent_id = id_value(*b, "agent_id").value_or("");
      e.executor_id = id_value(*b, "executor_id").value_or("");
      if (auto st = b->find("status"); st != b->end() && st->is_number_integer())
        e.exit_status = st->get<int>();
      break;
    }
    case Event::Type::error: {
      const json* b = body("error");
      if (b == nullptr) return std::nullopt;
      e.message = text(*b, "message");
      break;
    }
    default:
      break;  // HEARTBEAT, MESSAGE and types this version does not know
  }
  return e;
}

}  // namespace steward::mesos
