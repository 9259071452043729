// scripts/steward-completion.bash, run by a real bash.

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <string>

namespace {

// COMPREPLY for the command line `words` with the cursor on the last word.
std::string complete(const std::string& words) {
  const std::string script = std::string(STEWARD_SOURCE_DIR) + "/scripts/steward-completion.bash";
  const std::string command = "bash -c 'source " + script + "; COMP_WORDS=(" + words +
                              "); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _steward; "
                              "echo \"${COMPREPLY[*]}\"' 2>&1";
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  std::array<char, 4096> buf{};
  std::size_t n = 0;
  while (pipe && (n = fread(buf.data(), 1, buf.size(), pipe)) > 0)
    out.append(buf.data(), n);
  if (pipe) pclose(pipe);
  return out;
}

TEST(Completion, CommandsAndSubcommands) {
  EXPECT_EQ(complete("steward pl"), "plan\n");
  EXPECT_EQ(complete("steward p"), "plan pod\n");
  EXPECT_EQ(complete("steward pod re"), "restart replace resume\n");
  EXPECT_EQ(complete("steward cluster agent s"), "stop start\n");
  EXPECT_EQ(complete("steward plan show --j"), "--json\n");
}

}  // namespace
