#pragma once

// A task's config templates, rendered into its sandbox before it starts, as dcos-commons'
// bootstrap helper renders them: each CONFIG_TEMPLATE_<NAME>="config-templates/<file>,<dest>"
// of the task's environment names a template fetched into the sandbox and where its
// rendering goes, relative to the sandbox. Values come from that same environment ({{X}}
// HTML-escaped, {{{X}}} raw, "true"/"false" drive sections, a name not set renders empty),
// as the spec's own rendering does.

#include <sys/types.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace steward::executor {

using Environment = std::vector<std::pair<std::string, std::string>>;

struct FileOwner {
  uid_t uid;
  gid_t gid;
};

// The folder under the sandbox where `uri` is fetched: config-templates/ for one of the task's
// config templates (a scheduler's artifact whose file a CONFIG_TEMPLATE_* of `env` names),
// apart from what the pod's `uris` bring; else the sandbox itself.
std::string fetch_folder(const std::string& sandbox, const std::string& uri,
                         const Environment& env);

struct RenderedConfig {
  std::string what;  // "config template NAME (VALUE)", for errors
  std::string dest;  // relative to the sandbox
  std::string text;
};

// Phase one, by the executor in a sandbox it alone has written so far (before it is given to
// the task's user): every CONFIG_TEMPLATE_<NAME>="config-templates/<file>,<dest>" of `env`
// read (a regular file of at most 4 MiB, no link followed) and rendered. False with `error`
// naming the first template that cannot be.
bool render_config_templates(const std::string& sandbox, const Environment& env,
                             std::vector<RenderedConfig>& rendered, std::string& error);

// Phase two: each rendering written into its dest, from the sandbox's descriptor down, the
// folders of dest made as needed. With `as`, as that user (this thread's uid, gid and groups
// for the call): a task's volume is the task's, and a link it left there must not lead a
// root executor to write where the task could not. Only regular files are written. `created`
// gets every file and folder made, in order.
bool write_config_templates(const std::string& sandbox, const std::vector<RenderedConfig>& rendered,
                            std::optional<FileOwner> as, std::vector<std::string>& created,
                            std::string& error);

}  // namespace steward::executor
