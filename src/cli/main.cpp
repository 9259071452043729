// The `steward` command line. CLI11 stays in this translation unit (it is costly to
// compile); each command lives in its own file behind a plain options struct.

#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/plan_preview_command.hpp"
#include "cli/validate_command.hpp"

int main(int argc, char** argv) {
  CLI::App app{"Steward: run stateful services on a cluster from one declarative spec"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("steward ") + STEWARD_VERSION);
  app.footer("Run `steward COMMAND --help` for a command's options and an example.");

  // --env / --env-file / --strict, for every command that reads a spec.
  auto add_spec_input = [](CLI::App* cmd, steward::cli::SpecInput& input) {
    cmd->add_option("spec", input.spec_path, "The service spec (svc.yml)")->required();
    // One value per flag, so `--env K=V svc.yml` does not swallow the spec as a second value.
    cmd->add_option("--env,-e", input.env,
                    "Template value KEY=VALUE (repeatable; wins over the environment)")
        ->allow_extra_args(false);
    cmd->add_option("--env-file", input.env_files, "File of KEY=VALUE lines (repeatable)")
        ->allow_extra_args(false);
    cmd->add_flag("--strict", input.strict, "Fail on any template variable that is not set");
  };

  steward::cli::ValidateOptions validate;
  auto* validate_cmd = app.add_subcommand("validate", "Check a service spec and print its summary");
  add_spec_input(validate_cmd, validate.input);
  validate_cmd->add_flag("--json", validate.json, "Print the result as JSON");
  validate_cmd->footer(
      "Exit status: 0 when valid, 2 with every error listed.\n"
      "Example:\n"
      "  steward validate examples/hello-world/svc.yml --env HELLO_COUNT=3 --strict");

  steward::cli::PlanPreviewOptions preview;
  auto* plan_cmd = app.add_subcommand("plan", "Plans of a service");
  plan_cmd->require_subcommand(1);
  plan_cmd->footer("Example:\n  steward plan preview examples/hello-world/svc.yml");
  auto* preview_cmd =
      plan_cmd->add_subcommand("preview", "Print every plan a spec generates, as a tree");
  add_spec_input(preview_cmd, preview.input);
  preview_cmd->add_flag("--json", preview.json, "Print the plans as JSON (PlanInfo shape)");
  preview_cmd->add_flag("--after-deploy", preview.deploy_completed,
                        "Show the plans of a service whose deploy has completed (update plan)");
  preview_cmd->footer(
      "Exit status: 0, or 2 when the spec is invalid.\n"
      "Example:\n"
      "  steward plan preview examples/hello-world/svc.yml --env WORLD_COUNT=3");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    // Usage errors exit 2, like every other invalid input; --help and --version exit 0.
    return code == 0 ? 0 : 2;
  }
  if (validate_cmd->parsed()) return steward::cli::run_validate(validate, std::cout, std::cerr);
  if (preview_cmd->parsed()) return steward::cli::run_plan_preview(preview, std::cout, std::cerr);
  return 2;
}
