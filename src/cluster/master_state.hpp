#pragma once

// What the master shows operators: the v1 operator API's GET_STATE and GET_AGENTS, the
// legacy /state document, and the summary behind `steward cluster status`.

#include <nlohmann/json_fwd.hpp>

namespace steward::cluster {

class Master;

nlohmann::json get_state_json(const Master& master, double now);
nlohmann::json get_agents_json(const Master& master);
nlohmann::json get_frameworks_json(const Master& master);
nlohmann::json get_tasks_json(const Master& master);
nlohmann::json legacy_state_json(const Master& master, double now);
nlohmann::json cluster_status_json(const Master& master);

}  // namespace steward::cluster
