#pragma once

// A task's config templates, rendered into its sandbox before it starts, as dcos-commons'
// bootstrap helper renders them: each CONFIG_TEMPLATE_<NAME>="<file>,<dest>" of the task's
// environment names a template fetched into the sandbox and where its rendering goes, both
// relative to the sandbox. Values come from that same environment ({{X}} HTML-escaped,
// {{{X}}} raw, "true"/"false" drive sections, a name not set renders empty), as the spec's
// own rendering does.

#include <string>
#include <utility>
#include <vector>

namespace steward::executor {

// False with `error` (naming the template) on the first template that cannot be rendered or
// written; `created` gets every file and folder it made, in the order it made them.
bool render_config_templates(const std::string& sandbox,
                             const std::vector<std::pair<std::string, std::string>>& env,
                             std::vector<std::string>& created, std::string& error);

}  // namespace steward::executor
