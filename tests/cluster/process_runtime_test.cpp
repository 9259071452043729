#include "cluster/process_runtime.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace steward::cluster {
namespace {

using nlohmann::json;

// The executors' part of the cluster's checkpoint: a pid that is not an integer a process id
// fits (a float converted past its range would be undefined) is damage, refused with the
// value named; nothing is restored from such a checkpoint.
TEST(ProcessRuntimeRestore, APidThatIsNotAProcessIdIsRefused) {
  ProcessRuntime runtime(
      {}, [](const std::string&, const std::string&, const std::string&, std::optional<int>) {});
  const auto executor = [](json pid) {
    return json{
        {"executors",
         {{{"agent_id", "S0"}, {"framework_id", "F"}, {"executor_id", "e"}, {"pid", pid}}}}};
  };
  for (const json& pid :
       {json(1e300), json(1.5), json(-7), json(std::int64_t{1} << 40), json("123")}) {
    std::string error;
    EXPECT_FALSE(runtime.restore(executor(pid), error)) << pid.dump();
    EXPECT_NE(error.find("checkpoint is damaged"), std::string::npos) << error;
    EXPECT_TRUE(runtime.sessions().empty());
  }
  // An executor that is gone (or none): restored, with no process to watch.
  for (const json& pid : {json(-1), json(999999999)}) {
    std::string error;
    EXPECT_TRUE(runtime.restore(executor(pid), error)) << pid.dump() << ": " << error;
    EXPECT_TRUE(runtime.sessions().empty());
  }
}

}  // namespace
}  // namespace steward::cluster
