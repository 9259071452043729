#pragma once

// Fits a pod's whole footprint into one offer for a first launch (the "new" pipeline of
// dcos-commons §3.4): every scalar, port and volume of the executor and of each resource set
// is taken from the offer's unreserved resources (or, for a pre-reserved pod, from that
// role's static reservation) and reserved for the service with a fresh resource_id label;
// ROOT volumes are created on their reserved disk. Nothing is consumed twice. The outcome
// tree says, per set and per resource, what passed and why what failed did
// ("insufficient cpus: need 1.5, offered 0.5").

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "mesos/offer.hpp"
#include "mesos/task_info.hpp"
#include "offer/pod_footprint.hpp"

namespace steward::offer {

struct Outcome {
  std::string stage;  // "offer O12 on agent S0", "set server", "cpus", "port http" ...
  bool pass = true;
  std::string reason;  // why, in words an operator reads
  std::vector<Outcome> children;
};

// Bounds a step's evaluation (one child per offer) before it is kept for `debug offers`:
// with thousands of steps and offers, full trees would outweigh the rest of the scheduler. A
// launch (summary passed) keeps each offer's verdict but not how its resources matched (the
// task records that); any evaluation keeps at most `offers_kept` offers, the one that took
// the pod among them, and a last child counting the others.
void trim_evaluation(Outcome& summary, std::size_t offers_kept);

struct FootprintFit {
  std::vector<mesos::Resource> unreserve;  // UNRESERVE, before anything else (a resize)
  std::vector<mesos::Resource> reserve;    // RESERVE, in order
  std::vector<mesos::Resource> create;     // CREATE, after the RESERVE
  // What each set ("executor" included) holds once reserved (volumes as created).
  std::map<std::string, std::vector<mesos::Resource>> held;
  std::map<std::string, std::map<std::string, int>> ports;  // set -> port name -> port
};

struct Evaluation {
  std::optional<FootprintFit> fit;
  Outcome outcome;
};

struct ReservationContext {
  std::string principal;
  std::function<std::string()> new_id;  // resource ids and persistence ids
};

Evaluation evaluate_new_footprint(const PodFootprint& footprint, const mesos::Offer& offer,
                                  const ReservationContext& context);

// A pod that holds its footprint and relaunches under a new configuration (dcos-commons'
// in-place update): each set in `sets` is brought from what it holds to what `footprint`
// asks. A scalar that grows reserves the difference under the same reservation (its
// resource_id stays), one that shrinks unreserves the excess, one no longer asked for is
// unreserved; ports are kept when the spec still asks for them (a dynamic port keeps its
// number), others are released and new ones reserved; volumes are kept as they are (the
// update validators refuse volume changes), and a volume a set lacks is reserved and created.
// Sets not in `sets` keep what they hold. `held` and `ports` describe what is held now: per
// set, its resources, and which port number each port name has.
Evaluation evaluate_resized_footprint(
    const PodFootprint& footprint, const std::vector<std::string>& sets,
    const std::map<std::string, std::vector<mesos::Resource>>& held,
    const std::map<std::string, std::map<std::string, int>>& ports, const mesos::Offer& offer,
    const ReservationContext& context);

// The outcome tree as indented lines, for logs and the debug endpoint.
std::string render(const Outcome& outcome);

}  // namespace steward::offer
