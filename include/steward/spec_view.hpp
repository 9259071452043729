#pragma once

// A service spec as a service author's code sees it: read (validators, endpoint code) and
// edit (spec transforms). Names are the spec's: pod types ("hello"), task names ("server"),
// port names ("http"). Only the standard library is included.

#include <map>
#include <string>
#include <vector>

namespace steward {

class SpecView {
 public:
  virtual ~SpecView() = default;
  virtual std::string service_name() const = 0;
  virtual std::vector<std::string> pod_types() const = 0;  // in spec order
  // The calls below answer 0 / "" / empty for a pod type or task the spec does not have.
  virtual int count(const std::string& pod) const = 0;
  virtual std::string placement(const std::string& pod) const = 0;  // as written
  virtual std::vector<std::string> tasks(const std::string& pod) const = 0;
  virtual std::string cmd(const std::string& pod, const std::string& task) const = 0;
  virtual std::map<std::string, std::string> env(const std::string& pod,
                                                 const std::string& task) const = 0;
  virtual double cpus(const std::string& pod, const std::string& task) const = 0;
  virtual double memory_mb(const std::string& pod, const std::string& task) const = 0;
  // Port name -> port number (0: dynamic) of the task's resource set.
  virtual std::map<std::string, int> ports(const std::string& pod,
                                           const std::string& task) const = 0;
};

// Changes made through an editor are checked like the rest of the spec afterwards (a bad
// placement or port is reported against the spec file), so a transform cannot smuggle in
// what a spec file could not say. Setters on an unknown pod or task do nothing and return
// false.
class SpecEditor : public SpecView {
 public:
  virtual bool set_count(const std::string& pod, int count) = 0;
  virtual bool set_placement(const std::string& pod, const std::string& placement) = 0;
  virtual bool set_cmd(const std::string& pod, const std::string& task, const std::string& cmd) = 0;
  // Sets (or replaces) one environment variable of one task; task "" sets it on every task
  // of the pod.
  virtual bool set_env(const std::string& pod, const std::string& task, const std::string& key,
                       const std::string& value) = 0;
  // Sets a port of the task's resource set (adding it when new); 0 asks for a dynamic port.
  virtual bool set_port(const std::string& pod, const std::string& task, const std::string& name,
                        int port, const std::string& env_key = "") = 0;
};

}  // namespace steward
