// The `steward` command line. CLI11 stays in this translation unit (it is costly to
// compile); each command lives in its own file behind a plain options struct.

#include <unistd.h>
#include <CLI/CLI.hpp>

#include <cstdlib>
#include <iostream>
#include <tuple>

#include "cli/cluster_command.hpp"
#include "cli/plan_preview_command.hpp"
#include "cli/pod_exec.hpp"
#include "cli/run_command.hpp"
#include "cli/service_commands.hpp"
#include "cli/update_command.hpp"
#include "cli/validate_command.hpp"
#include "common/allocator.hpp"
#include "executor/check_probe.hpp"
#include "executor/executor_main.hpp"
#include "sdk/service_runner.hpp"

int main(int argc, char** argv) {
  CLI::App app{"Steward: run stateful services on a cluster from one declarative spec"};
  app.require_subcommand(1);
  app.set_version_flag("--version", [] {
    return std::string("steward ") + STEWARD_VERSION + " (" + steward::allocator_name() + ")";
  });
  app.footer("Run `steward COMMAND --help` for a command's options and an example.");

  // --env / --env-file / --strict, for every command that reads a spec.
  auto add_spec_input = [](CLI::App* cmd, steward::cli::SpecInput& input,
                           const char* name = "spec") {
    cmd->add_option(name, input.spec_path, "The service spec (svc.yml)")->required();
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

  // Operator commands against a running scheduler.
  steward::cli::PlanCommandOptions plan_op;
  steward::cli::PodCommandOptions pod_op;
  steward::cli::DebugOffersOptions debug_op;
  auto add_target = [](CLI::App* cmd, steward::cli::ServiceTarget& t) {
    cmd->add_option("--service", t.service,
                    "The service (default: the only one running; STEWARD_API overrides)");
    cmd->add_option("--data-dir", t.data_dir,
                    "Where services keep their state (default $STEWARD_DATA_DIR or ~/.steward)");
    cmd->add_flag("--json", t.json, "Print the scheduler's JSON answer");
  };
  std::vector<CLI::App*> plan_ops;
  auto plan_op_cmd = [&](const char* name, const char* help, const char* example) {
    CLI::App* cmd = plan_cmd->add_subcommand(name, help);
    add_target(cmd, plan_op.target);
    cmd->footer(std::string("Example:\n  ") + example);
    cmd->callback([&plan_op, name] { plan_op.action = name; });
    plan_ops.push_back(cmd);
    return cmd;
  };
  plan_op_cmd("list", "The service's plans", "steward plan list --service hello-world");
  auto* show_cmd = plan_op_cmd("show", "A plan as a tree, with each step's status and duration",
                               "steward plan show deploy --watch");
  show_cmd->add_option("plan", plan_op.plan, "The plan (default deploy)");
  show_cmd->add_flag("--watch", plan_op.watch, "Redraw until the plan is COMPLETE or in ERROR");
  auto* start_cmd = plan_op_cmd("start", "Start a plan, with parameters for its tasks",
                                "steward plan start sidecar -p PLAN_PARAMETER=hi");
  start_cmd->add_option("plan", plan_op.plan, "The plan")->required();
  start_cmd->add_option("-p,--parameter", plan_op.parameters, "KEY=VALUE (repeatable)")
      ->allow_extra_args(false);
  auto* stop_cmd = plan_op_cmd("stop", "Stop a plan: interrupt it and reset its steps",
                               "steward plan stop sidecar");
  stop_cmd->add_option("plan", plan_op.plan, "The plan")->required();
  auto* pause_cmd =
      plan_op_cmd("pause", "Interrupt a plan, or one phase", "steward plan pause deploy world");
  pause_cmd->add_option("plan", plan_op.plan, "The plan")->required();
  pause_cmd->add_option("phase", plan_op.phase, "A phase (default: the whole plan)");
  auto* resume_cmd =
      plan_op_cmd("resume", "Continue an interrupted plan or phase", "steward plan resume deploy");
  resume_cmd->add_option("plan", plan_op.plan, "The plan")->required();
  resume_cmd->add_option("phase", plan_op.phase, "A phase (default: the whole plan)");
  auto* restart_plan_cmd =
      plan_op_cmd("force-restart", "Restart a plan, a phase or a step",
                  "steward plan force-restart deploy hello 'hello-0:[server]'");
  restart_plan_cmd->add_option("plan", plan_op.plan, "The plan")->required();
  restart_plan_cmd->add_option("phase", plan_op.phase, "A phase");
  restart_plan_cmd->add_option("step", plan_op.step, "A step of that phase");
  auto* complete_cmd = plan_op_cmd("force-complete", "Mark a plan, phase or step COMPLETE",
                                   "steward plan force-complete deploy world 'world-1:[server]'");
  complete_cmd->add_option("plan", plan_op.plan, "The plan")->required();
  complete_cmd->add_option("phase", plan_op.phase, "A phase");
  complete_cmd->add_option("step", plan_op.step, "A step of that phase");

  auto* pod_cmd = app.add_subcommand("pod", "Pods of a running service");
  pod_cmd->require_subcommand(1);
  std::vector<CLI::App*> pod_ops;
  auto pod_op_cmd = [&](const char* name, const char* help, const char* example, bool needs_pod) {
    CLI::App* cmd = pod_cmd->add_subcommand(name, help);
    add_target(cmd, pod_op.target);
    auto* arg = cmd->add_option("pod", pod_op.pod, "The pod instance (hello-0)");
    if (needs_pod) arg->required();
    cmd->footer(std::string("Example:\n  ") + example);
    cmd->callback([&pod_op, name] { pod_op.action = name; });
    pod_ops.push_back(cmd);
    return cmd;
  };
  pod_op_cmd("list", "The pod instances", "steward pod list", false);
  pod_op_cmd("status", "Tasks and their states, of one pod or all", "steward pod status hello-0",
             false);
  pod_op_cmd("info", "TaskInfos and latest TaskStatuses of a pod (JSON)",
             "steward pod info hello-0", true);
  pod_op_cmd("restart", "Kill a pod's tasks and relaunch them in place",
             "steward pod restart hello-0", true);
  pod_op_cmd("replace", "Move a pod to a new footprint (its volumes' data is lost)",
             "steward pod replace hello-0", true);
  for (auto [name, help, example] :
       {std::tuple{"pause",
                   "Relaunch tasks with an endless sleep instead of their command (no health "
                   "check, never ready), to get in and repair",
                   "steward pod pause hello-0 -t server"},
        std::tuple{"resume", "Relaunch paused tasks with their own command again",
                   "steward pod resume hello-0"}}) {
    CLI::App* cmd = pod_op_cmd(name, help, example, true);
    cmd->add_option("-t,--task", pod_op.tasks, "A task of the pod (repeatable; default: all)")
        ->allow_extra_args(false);
  }

  steward::cli::ReadCommandOptions read_op;
  std::vector<CLI::App*> read_ops;
  auto read_cmd = [&](CLI::App* parent, const char* name, const char* what, const char* help,
                      const char* example) {
    CLI::App* cmd = parent->add_subcommand(name, help);
    add_target(cmd, read_op.target);
    cmd->footer(std::string("Example:\n  ") + example);
    cmd->callback([&read_op, what] { read_op.what = what; });
    read_ops.push_back(cmd);
    return cmd;
  };
  auto* config_cmd = app.add_subcommand("config", "Configurations of a running service");
  config_cmd->require_subcommand(1);
  read_cmd(config_cmd, "list", "config-list", "Configuration ids", "steward config list");
  read_cmd(config_cmd, "show", "config-show", "One configuration (the spec, as JSON)",
           "steward config show 2f1c...")
      ->add_option("id", read_op.arg, "The configuration id")
      ->required();
  read_cmd(config_cmd, "target", "config-target", "The target configuration",
           "steward config target");
  read_cmd(config_cmd, "target-id", "config-target-id", "The target configuration's id",
           "steward config target-id");
  auto* state_cmd = app.add_subcommand("state", "What a running service keeps in its state");
  state_cmd->require_subcommand(1);
  read_cmd(state_cmd, "framework-id", "framework-id", "Its Mesos framework id",
           "steward state framework-id");
  read_cmd(state_cmd, "properties", "properties", "Property keys", "steward state properties");
  read_cmd(state_cmd, "property", "property", "One property's value",
           "steward state property deploy-completed")
      ->add_option("key", read_op.arg, "The key")
      ->required();
  read_cmd(&app, "health", "health",
           "The service's status (RUNNING, DEPLOYING_STARTING, RECOVERING_PENDING, ...)",
           "steward health --service hello-world");
  read_cmd(&app, "endpoints", "endpoints", "Advertised ports: the names, or one's addresses",
           "steward endpoints http")
      ->add_option("name", read_op.arg, "An endpoint");

  steward::cli::UpdateOptions update_op;
  auto* update_cmd = app.add_subcommand(
      "update", "Give a running service a new target configuration (a rolling update)");
  update_cmd->add_option("name", update_op.target.service, "The service")->required();
  add_spec_input(update_cmd, update_op.input, "--spec");
  update_cmd->add_flag("--dry-run", update_op.dry_run,
                       "Show the changes and the pods that would restart; change nothing");
  update_cmd->add_option(
      "--data-dir", update_op.target.data_dir,
      "Where services keep their state (default $STEWARD_DATA_DIR or ~/.steward)");
  update_cmd->add_flag("--json", update_op.target.json, "Print the scheduler's JSON answer");
  update_cmd->footer(
      "Exit status: 0 accepted (or a dry run that would be), 1 refused, 2 an invalid spec.\n"
      "Example:\n"
      "  steward update hello-world --spec examples/hello-world/svc.yml -e HELLO_COUNT=3 "
      "--dry-run");

  steward::cli::PodExecOptions exec_op;
  auto* exec_cmd = pod_cmd->add_subcommand(
      "exec", "Run a command in a task's sandbox, with its environment (embedded cluster)");
  add_target(exec_cmd, exec_op.target);
  exec_cmd->add_option("pod", exec_op.pod, "The pod instance")->required();
  exec_cmd->add_option("task", exec_op.task, "The task (server or hello-0-server)")->required();
  exec_cmd->add_option("command", exec_op.command, "The command, after --")->required();
  exec_cmd->footer(
      "Exit status: the command's, or 1 when the task is not found.\n"
      "Example:\n  steward pod exec world-0 server -- cat world-data/output");

  auto* debug_cmd = app.add_subcommand("debug", "Why is it not running?");
  debug_cmd->require_subcommand(1);
  auto* offers_cmd = debug_cmd->add_subcommand(
      "offers", "The latest offer evaluations: per step and offer, the first stage that failed");
  add_target(offers_cmd, debug_op.target);
  offers_cmd->add_option("--plan", debug_op.plan, "Only this plan");
  offers_cmd->add_option("--phase", debug_op.phase, "Only this phase");
  offers_cmd->add_option("--step", debug_op.step, "Only this step");
  offers_cmd->footer("Example:\n  steward debug offers --plan deploy");

  steward::cli::ClusterOptions cluster;
  auto* cluster_cmd = app.add_subcommand("cluster", "The embedded single-host cluster");
  cluster_cmd->require_subcommand(1);
  auto add_data_dir = [&](CLI::App* cmd) {
    cmd->add_option("--data-dir", cluster.data_dir,
                    "Where the cluster keeps its state (default $STEWARD_CLUSTER_DIR or "
                    "~/.steward/cluster)");
  };
  auto add_master = [&](CLI::App* cmd) {
    add_data_dir(cmd);
    cmd->add_option("--master", cluster.master,
                    "URL of a running cluster (default: the one started from --data-dir)");
  };
  auto* up_cmd = cluster_cmd->add_subcommand("up", "Start a cluster (master and agents)");
  up_cmd->add_option("--config", cluster.config,
                     "cluster.yml (default: 4 agents sharing this machine)");
  add_data_dir(up_cmd);
  up_cmd->add_option("--listen", cluster.listen,
                     "host:port to serve the Mesos API on (port 0: any)");
  up_cmd->add_flag("--foreground", cluster.foreground, "Stay in the foreground (Ctrl-C stops)");
  up_cmd->footer(
      "Example:\n  steward cluster up --listen 127.0.0.1:5050\n  steward cluster status");
  auto* down_cmd = cluster_cmd->add_subcommand("down", "Stop the running cluster");
  add_data_dir(down_cmd);
  down_cmd->add_flag("--keep-tasks", cluster.keep_tasks,
                     "Leave executors and tasks running; the next `cluster up` adopts them");
  auto* status_cmd = cluster_cmd->add_subcommand(
      "status",
      "Agents (resources used, free, reserved per role), frameworks, executors, tasks, volumes");
  add_master(status_cmd);
  status_cmd->add_flag("--json", cluster.json, "Print the status as JSON");
  auto* agent_cmd =
      cluster_cmd->add_subcommand("agent", "Fault injection: stop, start or remove an agent");
  add_master(agent_cmd);
  agent_cmd->add_option("action", cluster.action, "stop | start | remove")
      ->required()
      ->check(CLI::IsMember({"stop", "start", "remove"}));
  agent_cmd->add_option("agent", cluster.target, "Agent id or name (agent-0)")->required();
  agent_cmd->footer(
      "stop: the agent becomes unreachable (its tasks TASK_UNREACHABLE, or TASK_LOST)\n"
      "start: it comes back; remove: gone for good (TASK_GONE_BY_OPERATOR)\n"
      "Example:\n  steward cluster agent stop agent-1");
  auto* task_cmd = cluster_cmd->add_subcommand("task", "End a task on a simulated agent");
  add_master(task_cmd);
  task_cmd->add_option("action", cluster.action, "finish | fail")
      ->required()
      ->check(CLI::IsMember({"finish", "fail"}));
  task_cmd->add_option("task", cluster.target, "Task id")->required();

  steward::cli::RunOptions run;
  auto add_run_options = [&](CLI::App* cmd) { steward::sdk::add_serve_options(*cmd, run); };
  auto* run_cmd = app.add_subcommand(
      "run", "Run a service's scheduler: deploy the spec and keep it at its goal");
  add_spec_input(run_cmd, run.input);
  add_run_options(run_cmd);
  run_cmd->add_flag("--uninstall", run.uninstall,
                    "Uninstall the service instead: kill its tasks, release its reservations "
                    "and volumes, deregister, wipe its state");
  run_cmd->footer(
      "Stays in the foreground; Ctrl-C stops the scheduler and leaves the tasks running.\n"
      "Exit status: 0 after Ctrl-C or an uninstall, 1 on a failure, 2 for an invalid spec.\n"
      "Example:\n"
      "  steward run examples/hello-world/svc.yml --env HELLO_COUNT=3");
  auto* uninstall_cmd = app.add_subcommand(
      "uninstall", "Uninstall a service: kill, release reservations and volumes, wipe state");
  uninstall_cmd->add_option("name", run.name, "The service name")->required();
  add_run_options(uninstall_cmd);
  uninstall_cmd->footer(
      "A running scheduler of the service is stopped first.\n"
      "Example:\n  steward uninstall hello-world");

  // Started by an agent, never by hand: not listed in --help.
  auto* executor_cmd = app.add_subcommand("executor", "");
  executor_cmd->group("");
  std::vector<std::string> probe_args;
  auto* check_cmd = app.add_subcommand("check", "");
  check_cmd->group("");
  check_cmd->add_option("args", probe_args)->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    // Usage errors exit 2, like every other invalid input; --help and --version exit 0.
    return code == 0 ? 0 : 2;
  }
  if (validate_cmd->parsed()) return steward::cli::run_validate(validate, std::cout, std::cerr);
  if (preview_cmd->parsed()) return steward::cli::run_plan_preview(preview, std::cout, std::cerr);
  if (executor_cmd->parsed()) return steward::executor::run_executor(std::cerr);
  if (check_cmd->parsed()) return steward::executor::run_probe(probe_args, std::cout, std::cerr);
  for (CLI::App* cmd : plan_ops)
    if (cmd->parsed()) {
      plan_op.colour = isatty(STDOUT_FILENO) && std::getenv("NO_COLOR") == nullptr;
      return steward::cli::run_plan_command(plan_op, std::cout, std::cerr);
    }
  for (CLI::App* cmd : pod_ops)
    if (cmd->parsed()) return steward::cli::run_pod_command(pod_op, std::cout, std::cerr);
  if (exec_cmd->parsed()) return steward::cli::run_pod_exec(exec_op, std::cout, std::cerr);
  if (offers_cmd->parsed()) return steward::cli::run_debug_offers(debug_op, std::cout, std::cerr);
  for (CLI::App* cmd : read_ops)
    if (cmd->parsed()) return steward::cli::run_read_command(read_op, std::cout, std::cerr);
  if (update_cmd->parsed()) return steward::cli::run_update(update_op, std::cout, std::cerr);
  if (run_cmd->parsed()) return steward::cli::run_service(run, std::cout, std::cerr);
  if (uninstall_cmd->parsed()) return steward::cli::run_uninstall(run, std::cout, std::cerr);
  if (up_cmd->parsed()) return steward::cli::run_cluster_up(cluster, std::cout, std::cerr);
  if (down_cmd->parsed()) return steward::cli::run_cluster_down(cluster, std::cout, std::cerr);
  if (status_cmd->parsed()) return steward::cli::run_cluster_status(cluster, std::cout, std::cerr);
  if (agent_cmd->parsed()) return steward::cli::run_cluster_agent(cluster, std::cout, std::cerr);
  if (task_cmd->parsed()) return steward::cli::run_cluster_task(cluster, std::cout, std::cerr);
  return 2;
}
