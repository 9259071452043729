#pragma once

// Applies the entries of the cluster's checkpoint journal (Master::write_journal_entry) to
// the "master" object of the snapshot they follow (checkpoint_journal.hpp). The snapshot's
// lists of tasks and agents (with their executors) are indexed once, by the keys the entries
// name them by, entries replace or (as null) remove what they name, and finish() puts the
// lists back, in the shape Master::restore reads.

#include <map>
#include <nlohmann/json.hpp>
#include <string>

namespace steward::cluster {

class JournalMerge {
 public:
  explicit JournalMerge(nlohmann::json& master);
  // False, with `error`, for an entry of the wrong shape (nothing of it applied).
  bool apply(const nlohmann::json& entry, std::string& error);
  void finish();

 private:
  nlohmann::json& master_;
  std::map<std::string, nlohmann::json> tasks_;   // by Master::task_key
  std::map<std::string, nlohmann::json> agents_;  // by id, without their executors
  std::map<std::string, std::map<std::string, nlohmann::json>> executors_;  // by agent, key
};

}  // namespace steward::cluster
