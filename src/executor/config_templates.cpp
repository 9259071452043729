#include "executor/config_templates.hpp"

#include <sys/fsuid.h>

#include <filesystem>
#include <fstream>
#include <kainjow/mustache.hpp>
#include <optional>
#include <sstream>
#include <string_view>

#include "common/strings.hpp"

namespace fs = std::filesystem;
namespace mustache = kainjow::mustache;

namespace steward::executor {

namespace {

constexpr std::string_view kPrefix = "CONFIG_TEMPLATE_";
constexpr std::string_view kFolder = "config-templates/";
constexpr std::string_view kArtifacts = "/v1/artifacts/template/";

// This thread's file-system identity for a scope (setfsuid is per thread: the executor's other
// threads keep root's).
class FileIdentity {
 public:
  explicit FileIdentity(std::optional<FileOwner> as) {
    if (!as) return;
    active_ = true;
    gid_ = setfsgid(as->gid);
    uid_ = setfsuid(as->uid);
  }
  ~FileIdentity() {
    if (!active_) return;
    setfsuid(uid_);
    setfsgid(gid_);
  }
  FileIdentity(const FileIdentity&) = delete;
  FileIdentity& operator=(const FileIdentity&) = delete;

 private:
  bool active_ = false;
  int uid_ = 0;
  int gid_ = 0;
};
constexpr std::size_t kMaxTemplateBytes = 4 << 20;  // as the spec loader reads them
constexpr int kMaxDepth = 32;

// A path inside the sandbox: relative, and no part of it "..".
bool inside(const std::string& relative) {
  if (relative.empty()) return false;
  const fs::path p(relative);
  if (p.is_absolute()) return false;
  for (const fs::path& part : p)
    if (part == "..") return false;
  return true;
}

// kainjow's parser copies its tree as sections nest, so deep nesting costs memory
// quadratically: bounded before it parses (the spec loader bounds the spec the same way).
bool nested_too_deep(std::string_view text) {
  int depth = 0;
  for (std::size_t at = text.find("{{"); at != std::string_view::npos;
       at = text.find("{{", at + 2)) {
    if (at + 2 >= text.size()) break;
    const char kind = text[at + 2];
    if (kind == '#' || kind == '^') {
      if (++depth > kMaxDepth) return true;
    } else if (kind == '/') {
      --depth;
    }
  }
  return false;
}

bool render_one(const std::string& name, const std::string& value, const fs::path& sandbox,
                const mustache::data& values, std::vector<std::string>& created,
                std::string& error) {
  const auto comma = value.find(',');
  const std::string source = comma == std::string::npos ? "" : value.substr(0, comma);
  const std::string dest = comma == std::string::npos ? "" : value.substr(comma + 1);
  const std::string what = "config template " + name + " (" + value + ")";
  if (!inside(source) || !inside(dest)) {
    error = what + ": want \"<file>,<dest>\", both paths inside the sandbox";
    return false;
  }
  std::ifstream in(sandbox / source, std::ios::binary);
  if (!in) {
    error = what + ": " + source + " was not fetched into the sandbox";
    return false;
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (text.str().size() > kMaxTemplateBytes) {
    error = what + ": larger than 4 MiB";
    return false;
  }
  if (nested_too_deep(text.str())) {
    error = what + ": sections nested more than " + std::to_string(kMaxDepth) + " deep";
    return false;
  }
  mustache::mustache tmpl{text.str()};
  if (!tmpl.is_valid()) {
    error = what + ": " + tmpl.error_message();
    return false;
  }
  const std::string rendered = tmpl.render(values);

  const fs::path target = sandbox / dest;
  std::vector<fs::path> folders;
  for (fs::path f = target.parent_path(); f != sandbox && !fs::exists(f); f = f.parent_path())
    folders.insert(folders.begin(), f);
  std::error_code ec;
  fs::create_directories(target.parent_path(), ec);
  if (ec) {
    error = what + ": cannot create " + target.parent_path().string() + ": " + ec.message();
    return false;
  }
  for (const fs::path& f : folders)
    created.push_back(f.string());
  std::ofstream out(target, std::ios::binary | std::ios::trunc);
  out << rendered;
  out.close();
  if (!out) {
    error = what + ": cannot write " + target.string();
    return false;
  }
  created.push_back(target.string());
  return true;
}

}  // namespace

std::string fetch_folder(const std::string& sandbox, const std::string& uri,
                         const Environment& env) {
  if (uri.find(kArtifacts) == std::string::npos) return sandbox;
  const std::string file = uri.substr(uri.rfind('/') + 1);
  for (const auto& [key, value] : env)
    if (key.rfind(kPrefix, 0) == 0 && value.rfind(kFolder, 0) == 0 &&
        value.compare(kFolder.size(), value.find(',') - kFolder.size(), file) == 0)
      return (fs::path(sandbox) / kFolder).string();
  return sandbox;
}

bool render_config_templates(const std::string& sandbox, const Environment& env,
                             std::optional<FileOwner> as, std::vector<std::string>& created,
                             std::string& error) {
  const FileIdentity identity(as);
  std::optional<mustache::data> values;
  for (const auto& [key, value] : env) {
    if (key.size() <= kPrefix.size() || key.compare(0, kPrefix.size(), kPrefix) != 0) continue;
    if (!values) {
      values.emplace(mustache::data::type::object);
      for (const auto& [k, v] : env) {
        if (iequals(v, "true"))
          values->set(k, mustache::data::type::bool_true);
        else if (iequals(v, "false"))
          values->set(k, mustache::data::type::bool_false);
        else
          values->set(k, v);
      }
    }
    if (!render_one(key.substr(kPrefix.size()), value, sandbox, *values, created, error))
      return false;
  }
  return true;
}

}  // namespace steward::executor
