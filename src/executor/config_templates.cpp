#include "executor/config_templates.hpp"

#include <fcntl.h>
#include <sys/fsuid.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

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

// This thread's file-system identity for a scope: the user's uid and gid and no supplementary
// groups, as the task itself runs. Each is this thread's alone (setfsuid and setfsgid are
// per thread; glibc's setgroups would change every thread's, so the system call is made
// directly), and the executor's other threads keep root's.
class FileIdentity {
 public:
  explicit FileIdentity(std::optional<FileOwner> as) {
    if (!as) return;
    const int n = getgroups(0, nullptr);
    groups_.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
    if (n > 0 && getgroups(n, groups_.data()) != n) return;
    if (syscall(SYS_setgroups, 0, nullptr) != 0) return;
    groups_changed_ = true;
    gid_ = setfsgid(as->gid);
    uid_ = setfsuid(as->uid);
    ids_changed_ = true;
    // Neither call says when it did nothing (an id the user namespace does not map): asked.
    ok_ = setfsuid(static_cast<uid_t>(-1)) == static_cast<int>(as->uid) &&
          setfsgid(static_cast<gid_t>(-1)) == static_cast<int>(as->gid);
  }
  ~FileIdentity() {
    if (ids_changed_) {
      setfsuid(static_cast<uid_t>(uid_));
      setfsgid(static_cast<gid_t>(gid_));
    }
    if (groups_changed_) syscall(SYS_setgroups, groups_.size(), groups_.data());
  }
  FileIdentity(const FileIdentity&) = delete;
  FileIdentity& operator=(const FileIdentity&) = delete;
  bool ok(const std::optional<FileOwner>& as) const { return !as || ok_; }

 private:
  std::vector<gid_t> groups_;
  bool groups_changed_ = false;
  bool ids_changed_ = false;
  bool ok_ = false;
  int uid_ = 0;
  int gid_ = 0;
};

class Descriptor {
 public:
  explicit Descriptor(int fd) : fd_(fd) {}
  ~Descriptor() {
    if (fd_ >= 0) close(fd_);
  }
  Descriptor(const Descriptor&) = delete;
  Descriptor& operator=(const Descriptor&) = delete;
  int get() const { return fd_; }
  void reset(int fd) {
    if (fd_ >= 0) close(fd_);
    fd_ = fd;
  }

 private:
  int fd_;
};

struct Rendered {
  std::string what;  // "config template NAME (VALUE)", for errors
  std::string dest;
  std::string text;
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

// Read and rendered by the executor, which fetched the template.
bool render_one(const std::string& name, const std::string& value, const fs::path& sandbox,
                const mustache::data& values, std::vector<Rendered>& out, std::string& error) {
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
    error = what + ": cannot read " + source + ": " + std::strerror(errno);
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
  out.push_back({what, dest, tmpl.render(values)});
  return true;
}

// Written from the sandbox down (`sandbox_fd`), as whoever this thread is now: the folders
// of dest made as needed, links followed with that user's rights only, and nothing above
// the sandbox looked up (its ancestors may be closed to the user).
bool write_one(int sandbox_fd, const fs::path& sandbox, const Rendered& r,
               std::vector<std::string>& created, std::string& error) {
  std::vector<std::string> parts;
  for (const fs::path& part : fs::path(r.dest))
    if (part != "." && !part.empty()) parts.push_back(part.string());
  if (parts.empty()) {
    error = r.what + ": no file to write";
    return false;
  }
  Descriptor dir(dup(sandbox_fd));
  fs::path at = sandbox;
  for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
    at /= parts[i];
    if (mkdirat(dir.get(), parts[i].c_str(), 0755) == 0) {
      created.push_back(at.string());
    } else if (errno != EEXIST) {
      error = r.what + ": cannot create " + at.string() + ": " + std::strerror(errno);
      return false;
    }
    const int next = openat(dir.get(), parts[i].c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (next < 0) {
      error = r.what + ": cannot enter " + at.string() + ": " + std::strerror(errno);
      return false;
    }
    dir.reset(next);
  }
  at /= parts.back();
  Descriptor file(
      openat(dir.get(), parts.back().c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (file.get() < 0) {
    error = r.what + ": cannot write " + at.string() + ": " + std::strerror(errno);
    return false;
  }
  for (std::size_t done = 0; done < r.text.size();) {
    const ssize_t n = write(file.get(), r.text.data() + done, r.text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      error = r.what + ": cannot write " + at.string() + ": " + std::strerror(errno);
      return false;
    }
    done += static_cast<std::size_t>(n);
  }
  created.push_back(at.string());
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
  // An exception here (memory, say) would end the executor from its loop: a failed launch.
  try {
    std::optional<mustache::data> values;
    std::vector<Rendered> rendered;
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
      if (!render_one(key.substr(kPrefix.size()), value, sandbox, *values, rendered, error))
        return false;
    }
    if (rendered.empty()) return true;
    const Descriptor dir(open(sandbox.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (dir.get() < 0) {
      error = "config templates: cannot open the sandbox: " + std::string(std::strerror(errno));
      return false;
    }
    const FileIdentity identity(as);
    if (!identity.ok(as)) {
      error =
          "config templates: cannot write as the task's user (uid " + std::to_string(as->uid) + ")";
      return false;
    }
    for (const Rendered& r : rendered)
      if (!write_one(dir.get(), sandbox, r, created, error)) return false;
    return true;
  } catch (const std::exception& e) {
    error = std::string("config templates: ") + e.what();
    return false;
  }
}

}  // namespace steward::executor
