// The allocator: free resources of each agent go to frameworks in order of their dominant
// share (DRF), role by role, honouring reservations (a role gets what is reserved to it or
// to an ancestor, plus unreserved resources), suppression and offer filters.

#include <algorithm>
#include <map>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "cluster/master.hpp"

namespace steward::cluster {

using mesos::Resource;

namespace {

bool reserved_for(const std::string& reserved_role, const std::string& role) {
  return reserved_role == role || (role.size() > reserved_role.size() &&
                                   role.compare(0, reserved_role.size(), reserved_role) == 0 &&
                                   role[reserved_role.size()] == '/');
}

struct Totals {
  double cpus = 0, mem = 0, disk = 0;
  void add(const Resource& r, double sign = 1) {
    if (r.type != Resource::Type::scalar) return;
    if (r.name == "cpus") cpus += sign * r.scalar;
    if (r.name == "mem") mem += sign * r.scalar;
    if (r.name == "disk") disk += sign * r.scalar;
  }
};

double share_of(const Totals& used, const Totals& total) {
  double s = 0;
  if (total.cpus > 0) s = std::max(s, used.cpus / total.cpus);
  if (total.mem > 0) s = std::max(s, used.mem / total.mem);
  if (total.disk > 0) s = std::max(s, used.disk / total.disk);
  return s;
}

// Whether a free resource may be offered to `role` (what Master::candidates() copies).
bool offerable(const Resource& r, const std::string& role, bool refinement) {
  if (!r.reserved()) return true;
  return reserved_for(r.role(), role) && (refinement || r.reservations.size() <= 1);
}

// Whether a filter keeps what an agent's `free` resources hold for `role` from being offered:
// only while the agent has nothing more to give than what was declined. Asked of the free
// resources in place: most agents of a large cluster are filtered while a deploy goes on
// (their offers declined unread), and copying their candidates first was a fifth of an
// allocation's time.
bool holds_back(const OfferFilter& f, const std::string& role, const std::vector<Resource>& free,
                bool refinement) {
  if (f.role != role) return false;
  return std::all_of(free.begin(), free.end(), [&](const Resource& r) {
    return !offerable(r, role, refinement) || f.resources.contains(r);
  });
}

}  // namespace

double Master::dominant_share(const std::string& framework_id) const {
  Totals total, used;
  for (const auto& [id, agent] : agents_) {
    if (agent.state != AgentRecord::State::active) continue;
    for (const Resource& r : agent.total.resources())
      total.add(r);
    for (const auto& [key, executor] : agent.executors)
      if (executor.info.framework_id == framework_id)
        for (const Resource& r : executor.volumes)
          used.add(r);
    for (const auto& [key, executor] : agent.executors)
      if (executor.info.framework_id == framework_id)
        for (const Resource& r : executor.info.resources)
          used.add(r);
  }
  for (const auto& [key, task] : tasks_)
    if (task.framework_id == framework_id && !task.resources_released)
      for (const Resource& r : task.resources)
        used.add(r);
  for (const auto& [id, offer] : offers_)
    if (offer.framework_id == framework_id)
      for (const Resource& r : offer.resources)
        used.add(r);
  return share_of(used, total);
}

std::vector<Resource> Master::candidates(const FrameworkRecord& fw, const AgentRecord& agent,
                                         const std::string& role) const {
  const bool refinement = fw.capable("RESERVATION_REFINEMENT");
  std::vector<Resource> out;
  for (const Resource& r : agent.free.resources())
    if (offerable(r, role, refinement)) out.push_back(r);
  return out;
}

bool Master::offers_more(const FrameworkRecord& fw,
                         const std::map<const AgentRecord*, resources::ResourcePool>& returned,
                         double now) const {
  if (!fw.connected || returned.empty()) return false;
  std::unordered_multimap<std::string_view, const OfferFilter*> filters;
  std::unordered_set<std::string_view> wanted;
  for (const auto& [agent, pool] : returned)
    wanted.insert(agent->id);
  for (const OfferFilter& f : fw.filters)
    if (f.until > now && wanted.count(f.agent_id)) filters.emplace(f.agent_id, &f);
  for (const auto& entry : returned) {
    // Named, not a structured binding: clang 14 (the fuzz build) cannot capture those.
    const AgentRecord* agent = entry.first;
    const resources::ResourcePool& pool = entry.second;
    if (agent->state != AgentRecord::State::active || agent->free.empty()) continue;
    if (agent->total.scalar("gpus") > 0 && !fw.capable("GPU_RESOURCES")) continue;
    const auto [first, last] = filters.equal_range(agent->id);
    for (const std::string& role : fw.info.roles) {
      if (fw.suppressed.count(role)) continue;
      const std::vector<Resource> offered = candidates(fw, *agent, role);
      // Only what was returned: the next tick offers it, as it did (and a framework that
      // declines without a filter is not offered the same again and again at once).
      if (std::all_of(offered.begin(), offered.end(),
                      [&](const Resource& r) { return pool.contains(r); }))
        continue;
      const bool refinement = fw.capable("RESERVATION_REFINEMENT");
      if (std::none_of(first, last, [&](const auto& f) {
            return holds_back(*f.second, role, agent->free.resources(), refinement);
          }))
        return true;
    }
  }
  return false;
}

void Master::allocate(double now) {
  allocation_needed_ = false;
  next_allocation_ = now + config_.offer_interval_seconds;

  std::vector<FrameworkRecord*> eligible;
  for (auto& [id, fw] : frameworks_)
    if (fw.connected) eligible.push_back(&fw);
  if (eligible.empty()) return;

  // Shares only order frameworks against each other; working one out walks every agent's
  // resources and every task, which a lone framework (the usual case) need not pay on every
  // allocation (at 5,000 agents the cluster's totals alone were a tenth of an allocation).
  const bool ordered = eligible.size() > 1;
  Totals cluster;
  std::map<std::string, double> share;
  if (ordered) {
    for (const auto& [id, agent] : agents_)
      if (agent.state == AgentRecord::State::active)
        for (const Resource& r : agent.total.resources())
          cluster.add(r);
    for (FrameworkRecord* fw : eligible)
      share[fw->info.id] = dominant_share(fw->info.id);
  }

  // Each framework's filters by agent, so that an agent's offer checks only its own: a
  // framework that declined every agent holds a filter for each, and scanning them all for
  // every agent made an allocation quadratic in the agents.
  std::map<const FrameworkRecord*, std::unordered_multimap<std::string_view, const OfferFilter*>>
      filters_by_agent;
  for (FrameworkRecord* fw : eligible)
    for (const OfferFilter& f : fw->filters)
      if (f.until > now) filters_by_agent[fw].emplace(f.agent_id, &f);

  std::map<std::string, std::vector<mesos::Offer>> out;
  for (auto& entry : agents_) {
    AgentRecord& agent = entry.second;  // not a structured binding: lambdas below capture it
    if (agent.state != AgentRecord::State::active || agent.free.empty()) continue;
    const bool has_gpus = agent.total.scalar("gpus") > 0;
    if (ordered)
      std::stable_sort(eligible.begin(), eligible.end(),
                       [&](const FrameworkRecord* a, const FrameworkRecord* b) {
                         return share[a->info.id] < share[b->info.id];
                       });
    for (FrameworkRecord* fw : eligible) {
      if (has_gpus && !fw->capable("GPU_RESOURCES")) continue;
      for (const std::string& role : fw->info.roles) {
        if (agent.free.empty()) break;
        if (fw->suppressed.count(role)) continue;
        // Candidates are copied only for an offer (holds_back).
        const bool refinement = fw->capable("RESERVATION_REFINEMENT");
        const std::vector<Resource>& free = agent.free.resources();
        if (std::none_of(free.begin(), free.end(),
                         [&](const Resource& r) { return offerable(r, role, refinement); }))
          continue;
        const auto [first, last] = filters_by_agent[fw].equal_range(agent.id);
        const bool filtered = std::any_of(first, last, [&](const auto& by_agent) {
          return holds_back(*by_agent.second, role, free, refinement);
        });
        if (filtered) continue;
        std::vector<Resource> candidates = this->candidates(*fw, agent, role);

        OfferRecord record;
        record.id = id_ + "-O" + std::to_string(offer_counter_++);
        record.framework_id = fw->info.id;
        record.agent_id = agent.id;
        record.role = role;
        record.resources = candidates;
        Totals got;
        for (const Resource& r : candidates) {
          agent.free.subtract(r);
          if (ordered) got.add(r);
        }
        if (ordered) share[fw->info.id] += share_of(got, cluster);

        mesos::Offer offer;
        offer.id = record.id;
        offer.framework_id = fw->info.id;
        offer.agent_id = agent.id;
        offer.hostname = agent.config.hostname;
        const bool multi_role = fw->capable("MULTI_ROLE");
        if (multi_role) offer.allocation_role = role;
        for (Resource r : candidates) {
          if (multi_role) r.allocation_role = role;
          offer.resources.push_back(std::move(r));
        }
        for (const auto& [name, value] : agent.config.attributes) {
          mesos::Attribute a;
          a.name = name;
          a.text = value;
          offer.attributes.push_back(std::move(a));
        }
        for (const auto& [key, executor] : agent.executors)
          if (executor.info.framework_id == fw->info.id)
            offer.executor_ids.push_back(executor.info.executor_id);
        offer.region = agent.config.region;
        offer.zone = agent.config.zone;
        out[fw->info.id].push_back(std::move(offer));
        offers_.emplace(record.id, std::move(record));
      }
    }
  }
  for (auto& [fw_id, offers] : out) {
    mesos::Event e;
    e.type = mesos::Event::Type::offers;
    e.offers = std::move(offers);
    send(frameworks_.at(fw_id), e);
  }
}

}  // namespace steward::cluster
