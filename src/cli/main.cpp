// The `steward` command line. CLI11 stays in this translation unit (it is costly to
// compile); each command lives in its own file behind a plain options struct.

#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/validate_command.hpp"

int main(int argc, char** argv) {
  CLI::App app{"Steward: run stateful services on a cluster from one declarative spec"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("steward ") + STEWARD_VERSION);
  app.footer("Run `steward COMMAND --help` for a command's options and an example.");

  steward::cli::ValidateOptions validate;
  auto* cmd = app.add_subcommand("validate", "Check a service spec and print its summary");
  cmd->add_option("spec", validate.spec_path, "The service spec (svc.yml)")->required();
  // One value per flag, so `--env K=V svc.yml` does not swallow the spec as a second value.
  cmd->add_option("--env,-e", validate.env,
                  "Template value KEY=VALUE (repeatable; wins over the environment)")
      ->allow_extra_args(false);
  cmd->add_option("--env-file", validate.env_files, "File of KEY=VALUE lines (repeatable)")
      ->allow_extra_args(false);
  cmd->add_flag("--strict", validate.strict, "Fail on any template variable that is not set");
  cmd->add_flag("--json", validate.json, "Print the result as JSON");
  cmd->footer(
      "Exit status: 0 when valid, 2 with every error listed.\n"
      "Example:\n"
      "  steward validate examples/hello-world/svc.yml --env HELLO_COUNT=3 --strict");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    // Usage errors exit 2, like every other invalid input; --help and --version exit 0.
    return code == 0 ? 0 : 2;
  }
  if (cmd->parsed()) return steward::cli::run_validate(validate, std::cout, std::cerr);
  return 2;
}
