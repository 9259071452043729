#include "offer/footprint_evaluator.hpp"

#include <algorithm>
#include <cstdio>
#include <set>

#include "resources/ranges.hpp"
#include "resources/resource_pool.hpp"

namespace steward::offer {

using mesos::Resource;

namespace {

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

class Fitter {
 public:
  Fitter(const PodFootprint& f, const mesos::Offer& offer, const ReservationContext& ctx)
      : footprint_(f), offer_(offer), ctx_(ctx) {
    // What may be reserved: unreserved resources, or the pre-reserved role's static ones.
    for (const Resource& r : offer.resources) {
      bool source =
          f.pre_reserved_role.empty()
              ? !r.reserved()
              : r.reservations.size() == 1 &&
                    r.reservations[0].type == mesos::ReservationInfo::Type::static_reservation &&
                    r.reservations[0].role == f.pre_reserved_role;
      if (source) {
        Resource copy = r;
        copy.allocation_role.reset();
        pool_.add(copy);
      }
    }
  }

  bool fit_set(const SetNeed& set, Outcome& out) {
    out.stage = set.id == "executor" ? "executor" : "resource set " + set.id;
    for (const ScalarNeed& s : set.scalars)
      out.children.push_back(scalar(set.id, s.name, s.amount));
    for (const PortNeed& p : set.ports)
      out.children.push_back(port(set.id, p));
    for (const VolumeNeed& v : set.volumes)
      out.children.push_back(volume(set.id, v));
    for (const Outcome& c : out.children)
      out.pass = out.pass && c.pass;
    if (!out.pass) out.reason = "does not fit";
    return out.pass;
  }

  FootprintFit& fit() { return fit_; }

  // Brings one set from `held` to `set` (see evaluate_resized_footprint).
  bool resize_set(const SetNeed& set, std::vector<Resource> held,
                  const std::map<std::string, int>& held_ports, Outcome& out) {
    out.stage = "resource set " + set.id;
    std::vector<bool> kept(held.size(), true);
    auto is_volume = [](const Resource& r) { return r.disk && r.disk->persistence; };
    std::set<std::string> asked;
    for (const ScalarNeed& s : set.scalars) {
      asked.insert(s.name);
      out.children.push_back(resize_scalar(set.id, s, held, kept));
    }
    for (std::size_t i = 0; i < held.size(); ++i) {
      const Resource& r = held[i];
      if (r.type != mesos::Resource::Type::scalar || is_volume(r) || asked.count(r.name)) continue;
      fit_.unreserve.push_back(r);
      kept[i] = false;
      out.children.push_back(
          {r.name, true, "no longer asked for: unreserving " + number(r.scalar), {}});
    }
    std::vector<bool> port_used(held.size(), false);
    for (const PortNeed& p : set.ports) {
      std::optional<std::size_t> have;
      std::optional<int> number_held;
      if (p.port) {
        number_held = *p.port;
      } else if (auto it = held_ports.find(p.name); it != held_ports.end()) {
        bool allowed = p.ranges.empty();
        for (const spec::PortRange& want : p.ranges)
          if ((!want.begin || *want.begin <= it->second) && (!want.end || it->second <= *want.end))
            allowed = true;
        if (allowed) number_held = it->second;
      }
      for (std::size_t i = 0; number_held && i < held.size() && !have; ++i)
        if (held[i].name == "ports" && !port_used[i] &&
            resources::contains(held[i].ranges, static_cast<std::uint64_t>(*number_held)))
          have = i;
      if (have) {
        port_used[*have] = true;
        fit_.ports[set.id][p.name] = *number_held;
        out.children.push_back(
            {"port " + p.name, true, "keeps " + std::to_string(*number_held), {}});
      } else {
        out.children.push_back(port(set.id, p));
      }
    }
    for (std::size_t i = 0; i < held.size(); ++i)
      if (held[i].name == "ports" && !port_used[i]) {
        fit_.unreserve.push_back(held[i]);
        kept[i] = false;
        out.children.push_back({"ports", true, "no longer asked for: unreserving", {}});
      }
    for (const VolumeNeed& v : set.volumes) {
      bool found = false;
      for (const Resource& r : held)
        if (is_volume(r) && r.disk->volume && r.disk->volume->container_path == v.spec.path)
          found = true;
      if (found)
        out.children.push_back({"volume " + v.spec.path, true, "kept", {}});
      else
        out.children.push_back(volume(set.id, v));
    }
    std::vector<Resource>& result = fit_.held[set.id];
    for (std::size_t i = 0; i < held.size(); ++i)
      if (kept[i]) result.push_back(held[i]);
    for (const Outcome& c : out.children)
      out.pass = out.pass && c.pass;
    if (!out.pass) out.reason = "cannot be resized on this offer";
    return out.pass;
  }

 private:
  mesos::ReservationInfo reservation() {
    mesos::ReservationInfo r;
    r.type = mesos::ReservationInfo::Type::dynamic;
    r.role = footprint_.role;
    r.principal = ctx_.principal;
    r.labels = {{"resource_id", ctx_.new_id()}};
    return r;
  }

  // The source resource of `name` (unreserved, or the pre-reserved role's).
  const Resource* source(const std::string& name) const {
    for (const Resource& r : pool_.resources())
      if (r.name == name && !(r.disk && (r.disk->persistence || r.disk->source))) return &r;
    return nullptr;
  }

  Resource reserve(Resource taken, const std::string& set_id) {
    Resource reserved = resources::reserved(std::move(taken), reservation());
    reserved.allocation_role =
        offer_.allocation_role.empty() ? std::nullopt : std::optional(offer_.allocation_role);
    fit_.reserve.push_back(reserved);
    fit_.held[set_id].push_back(reserved);
    return reserved;
  }

  // Grows or shrinks the held resources of one scalar; held[i] entries change in place.
  Outcome resize_scalar(const std::string& set_id, const ScalarNeed& need,
                        std::vector<Resource>& held, std::vector<bool>& kept) {
    std::vector<std::size_t> mine;
    double total = 0;
    for (std::size_t i = 0; i < held.size(); ++i)
      if (held[i].name == need.name && held[i].type == mesos::Resource::Type::scalar &&
          !(held[i].disk && held[i].disk->persistence)) {
        mine.push_back(i);
        total += held[i].scalar;
      }
    const double want = mesos::round_scalar(need.amount);
    total = mesos::round_scalar(total);
    if (mine.empty()) return scalar(set_id, need.name, need.amount);
    if (want == total) return {need.name, true, "keeps " + number(total), {}};
    if (want > total) {
      const double delta = mesos::round_scalar(want - total);
      const Resource* src = source(need.name);
      const double offered = src ? src->scalar : 0;
      if (!src || mesos::round_scalar(offered) < delta)
        return {need.name,
                false,
                "insufficient " + need.name + " to grow " + number(total) + " -> " + number(want) +
                    ": need " + number(delta) + " more, offered " + number(offered),
                {}};
      Resource taken = *src;
      taken.scalar = delta;
      pool_.subtract(taken);
      // The same reservation (same resource_id): the master merges it with what is held.
      Resource& grown = held[mine.front()];
      Resource more = resources::reserved(taken, grown.reservations.back());
      more.allocation_role = grown.allocation_role;
      fit_.reserve.push_back(more);
      grown.scalar = mesos::round_scalar(grown.scalar + delta);
      return {need.name,
              true,
              number(total) + " -> " + number(want) + ": reserving " + number(delta) + " more",
              {}};
    }
    double excess = mesos::round_scalar(total - want);
    for (auto it = mine.rbegin(); it != mine.rend() && excess > 0; ++it) {
      Resource& r = held[*it];
      Resource piece = r;
      piece.scalar = mesos::round_scalar(std::min(excess, r.scalar));
      fit_.unreserve.push_back(piece);
      r.scalar = mesos::round_scalar(r.scalar - piece.scalar);
      excess = mesos::round_scalar(excess - piece.scalar);
      if (r.scalar <= 0) kept[*it] = false;
    }
    return {need.name,
            true,
            number(total) + " -> " + number(want) + ": unreserving " +
                number(mesos::round_scalar(total - want)),
            {}};
  }

  Outcome scalar(const std::string& set_id, const std::string& name, double amount) {
    Outcome o{name, true, "", {}};
    const Resource* src = source(name);
    double offered = src ? src->scalar : 0;
    if (!src || mesos::round_scalar(offered) < mesos::round_scalar(amount)) {
      o.pass = false;
      o.reason =
          "insufficient " + name + ": need " + number(amount) + ", offered " + number(offered);
      return o;
    }
    Resource taken = *src;
    taken.scalar = mesos::round_scalar(amount);
    pool_.subtract(taken);
    reserve(taken, set_id);
    o.reason = "reserved " + number(amount);
    return o;
  }

  Outcome port(const std::string& set_id, const PortNeed& need) {
    Outcome o{"port " + need.name, true, "", {}};
    const Resource* src = source("ports");
    if (!src) {
      o.pass = false;
      o.reason = "the offer has no ports";
      return o;
    }
    std::optional<std::uint64_t> chosen;
    if (need.port) {
      if (resources::contains(src->ranges, static_cast<std::uint64_t>(*need.port)))
        chosen = *need.port;
    } else {
      for (const mesos::ValueRange& r : src->ranges) {
        for (std::uint64_t p = r.begin; p <= r.end && !chosen; ++p) {
          bool allowed = need.ranges.empty();
          for (const spec::PortRange& want : need.ranges)
            if ((!want.begin || static_cast<std::uint64_t>(*want.begin) <= p) &&
                (!want.end || p <= static_cast<std::uint64_t>(*want.end)))
              allowed = true;
          if (allowed) chosen = p;
        }
        if (chosen) break;
      }
    }
    if (!chosen) {
      o.pass = false;
      o.reason = need.port ? "port " + std::to_string(*need.port) + " is not offered"
                           : "no offered port in the allowed ranges";
      return o;
    }
    Resource taken = *src;
    taken.ranges = {{*chosen, *chosen}};
    pool_.subtract(taken);
    reserve(taken, set_id);
    fit_.ports[set_id][need.name] = static_cast<int>(*chosen);
    o.reason = "reserved " + std::to_string(*chosen) +
               (need.env_key.empty() ? "" : " (" + need.env_key + ")");
    return o;
  }

  Outcome volume(const std::string& set_id, const VolumeNeed& need) {
    Outcome o{"volume " + need.spec.path, true, "", {}};
    if (need.spec.type != spec::VolumeType::root) {
      o.pass = false;
      o.reason = "MOUNT volumes are not supported by this evaluator yet";
      return o;
    }
    Outcome disk = scalar("__volume__", "disk", need.spec.size_mb);
    if (!disk.pass) {
      o.pass = false;
      o.reason = disk.reason;
      return o;
    }
    // The reserved disk becomes a volume: CREATE it, and the set holds the volume.
    Resource reserved = fit_.held["__volume__"].back();
    fit_.held["__volume__"].pop_back();
    Resource vol = reserved;
    vol.disk = mesos::DiskInfo{};
    vol.disk->persistence = mesos::DiskInfo::Persistence{ctx_.new_id(), ctx_.principal};
    vol.disk->volume = mesos::DiskInfo::Volume{};
    vol.disk->volume->container_path = need.spec.path;
    fit_.create.push_back(vol);
    fit_.held[set_id].push_back(vol);
    o.reason = "reserved and created " + number(need.spec.size_mb) + " MB";
    return o;
  }

  const PodFootprint& footprint_;
  const mesos::Offer& offer_;
  const ReservationContext& ctx_;
  resources::ResourcePool pool_;
  FootprintFit fit_;
};

void render_into(const Outcome& o, int depth, std::string& out) {
  out += std::string(static_cast<std::size_t>(depth) * 2, ' ') + (o.pass ? "PASS " : "FAIL ") +
         o.stage;
  if (!o.reason.empty()) out += ": " + o.reason;
  out += "\n";
  for (const Outcome& c : o.children)
    render_into(c, depth + 1, out);
}

}  // namespace

Evaluation evaluate_new_footprint(const PodFootprint& footprint, const mesos::Offer& offer,
                                  const ReservationContext& context) {
  Evaluation e;
  e.outcome.stage =
      "offer " + offer.id + " on agent " + offer.agent_id + " for pod " + footprint.pod_type;
  Fitter fitter(footprint, offer, context);
  Outcome executor;
  fitter.fit_set(footprint.executor, executor);
  e.outcome.children.push_back(std::move(executor));
  for (const SetNeed& set : footprint.sets) {
    Outcome o;
    fitter.fit_set(set, o);
    e.outcome.children.push_back(std::move(o));
  }
  for (const Outcome& c : e.outcome.children)
    e.outcome.pass = e.outcome.pass && c.pass;
  if (e.outcome.pass) {
    fitter.fit().held.erase("__volume__");
    e.fit = std::move(fitter.fit());
    e.outcome.reason = "the whole footprint fits";
  } else {
    e.outcome.reason = "the footprint does not fit";
  }
  return e;
}

Evaluation evaluate_resized_footprint(
    const PodFootprint& footprint, const std::vector<std::string>& sets,
    const std::map<std::string, std::vector<mesos::Resource>>& held,
    const std::map<std::string, std::map<std::string, int>>& ports, const mesos::Offer& offer,
    const ReservationContext& context) {
  Evaluation e;
  e.outcome.stage = "offer " + offer.id + " on agent " + offer.agent_id + " for pod " +
                    footprint.pod_type + " (resize)";
  Fitter fitter(footprint, offer, context);
  static const std::vector<mesos::Resource> kNothing;
  static const std::map<std::string, int> kNoPorts;
  for (const SetNeed& set : footprint.sets) {
    auto h = held.find(set.id);
    auto p = ports.find(set.id);
    if (std::find(sets.begin(), sets.end(), set.id) == sets.end()) {
      // Not relaunched now: it keeps what it holds.
      if (h != held.end()) fitter.fit().held[set.id] = h->second;
      if (p != ports.end()) fitter.fit().ports[set.id] = p->second;
      continue;
    }
    Outcome o;
    fitter.resize_set(set, h == held.end() ? kNothing : h->second,
                      p == ports.end() ? kNoPorts : p->second, o);
    e.outcome.children.push_back(std::move(o));
  }
  if (auto h = held.find("executor"); h != held.end()) fitter.fit().held["executor"] = h->second;
  for (const Outcome& c : e.outcome.children)
    e.outcome.pass = e.outcome.pass && c.pass;
  if (e.outcome.pass) {
    fitter.fit().held.erase("__volume__");
    e.fit = std::move(fitter.fit());
    e.outcome.reason = "the footprint is resized in place";
  } else {
    e.outcome.reason = "the footprint cannot be resized on this offer";
  }
  return e;
}

std::string render(const Outcome& outcome) {
  std::string out;
  render_into(outcome, 0, out);
  return out;
}

void trim_evaluation(Outcome& summary, std::size_t offers_kept) {
  std::vector<Outcome>& offers = summary.children;
  if (summary.pass)
    for (Outcome& o : offers)
      o.children.clear();
  if (offers_kept == 0 || offers.size() <= offers_kept) return;
  auto taken = std::find_if(offers.begin(), offers.end(), [](const Outcome& o) { return o.pass; });
  const auto last = static_cast<std::ptrdiff_t>(offers_kept) - 1;
  if (taken != offers.end() && taken - offers.begin() > last)
    std::iter_swap(offers.begin() + last, taken);
  const std::size_t more = offers.size() - offers_kept;
  offers.resize(offers_kept);
  offers.push_back({std::to_string(more) + " more offers",
                    false,
                    "not kept: an evaluation keeps the first " + std::to_string(offers_kept) +
                        " offers it looked at",
                    {}});
}

}  // namespace steward::offer
