#pragma once

// Mesos v1 Offer and the scheduler Event envelope, as plain data.

#include <optional>
#include <string>
#include <vector>

#include "mesos/resource.hpp"
#include "mesos/task_status.hpp"

namespace steward::mesos {

struct Attribute {
  std::string name;
  std::string text;              // TEXT attributes
  std::optional<double> scalar;  // SCALAR attributes
  friend bool operator==(const Attribute&, const Attribute&) = default;
};

struct Offer {
  std::string id;
  std::string framework_id;
  std::string agent_id;
  std::string hostname;
  std::string allocation_role;
  std::vector<Resource> resources;
  std::vector<Attribute> attributes;
  std::vector<std::string> executor_ids;  // the framework's executors running on the agent
  std::string region;                     // fault domain, when the agent has one
  std::string zone;
  friend bool operator==(const Offer&, const Offer&) = default;
};

struct Event {
  enum class Type {
    unknown,
    subscribed,
    offers,
    rescind,
    update,
    message,
    failure,
    error,
    heartbeat
  };
  Type type = Type::unknown;
  // SUBSCRIBED
  std::string framework_id;
  double heartbeat_interval_seconds = 15;
  // OFFERS
  std::vector<Offer> offers;
  // Offers listed past the first `offers_read` that event_from_text was asked to read in
  // full: their ids only, for a scheduler that would decline them unread anyway.
  std::vector<std::string> unread_offer_ids;
  // RESCIND
  std::string offer_id;
  // UPDATE
  std::optional<TaskStatus> status;
  // FAILURE
  std::string agent_id;
  std::string executor_id;
  std::optional<int> exit_status;  // raw waitpid status, as Mesos sends it
  // ERROR
  std::string message;
};

}  // namespace steward::mesos
