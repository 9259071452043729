#pragma once

// How a task's config templates travel, as dcos-commons has it: the scheduler's API serves a
// template at <api>/v1/artifacts/template/<config id>/<pod type>/<task>/<config name>; the
// task's executor fetches it into config-templates/ in the sandbox; and
// CONFIG_TEMPLATE_<NAME>="config-templates/<file>,<dest>" in the task's environment says
// where its rendering goes. Shared by the spec, the launch builder, the API and the executor.

#include <string_view>

namespace steward {

inline constexpr std::string_view kConfigTemplateVariable = "CONFIG_TEMPLATE_";
inline constexpr std::string_view kConfigTemplateFolder = "config-templates/";
inline constexpr std::string_view kTemplateArtifacts = "/v1/artifacts/template/";

}  // namespace steward
