#include "executor/config_templates.hpp"

#include <fcntl.h>
#include <sys/fsuid.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <filesystem>
#include <kainjow/mustache.hpp>
#include <optional>
#include <string_view>

#include "common/config_template_names.hpp"
#include "common/strings.hpp"

namespace fs = std::filesystem;
namespace mustache = kainjow::mustache;

namespace steward::executor {

namespace {

constexpr std::string_view kPrefix = kConfigTemplateVariable;
constexpr std::string_view kFolder = kConfigTemplateFolder;

// The call with 32-bit group ids (on 32-bit x86 and ARM the plain one has 16-bit ids).
#ifdef SYS_setgroups32
constexpr long kSetGroups = SYS_setgroups32;
#else
constexpr long kSetGroups = SYS_setgroups;
#endif

// This thread's file-system identity for a scope: the user's uid and gid and no supplementary
// groups, as the task itself runs. Each is this thread's alone (setfsuid and setfsgid are
// per thread; glibc's setgroups would change every thread's, so the system call is made
// directly), and the executor's other threads keep root's.
class FileIdentity {
 public:
  explicit FileIdentity(std::optional<FileOwner> as) {
    if (!as) {
      ok_ = true;  // nothing to switch to
      return;
    }
    const int n = getgroups(0, nullptr);
    if (n < 0) return;
    groups_.resize(static_cast<std::size_t>(n));
    if (n > 0 && getgroups(n, groups_.data()) != n) return;
    if (syscall(kSetGroups, 0, nullptr) != 0) return;
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
    if (groups_changed_) syscall(kSetGroups, groups_.size(), groups_.data());
  }
  FileIdentity(const FileIdentity&) = delete;
  FileIdentity& operator=(const FileIdentity&) = delete;
  bool ok() const { return ok_; }

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

// Read and rendered by the executor, in a sandbox only it has written so far: the template
// must be a regular file right in config-templates/, read without following a link and only
// up to the size a template may have.
bool render_one(int sandbox_fd, const std::string& name, const std::string& value,
                const mustache::data& values, std::vector<RenderedConfig>& out,
                std::string& error) {
  const auto comma = value.find(',');
  const std::string source = comma == std::string::npos ? "" : value.substr(0, comma);
  const std::string dest = comma == std::string::npos ? "" : value.substr(comma + 1);
  const std::string what = "config template " + name + " (" + value + ")";
  const std::string file =
      source.rfind(kFolder, 0) == 0 ? source.substr(kFolder.size()) : std::string();
  if (file.empty() || file.find('/') != std::string::npos || file == "." || file == ".." ||
      !inside(dest) || dest.back() == '/') {
    error = what + ": want \"config-templates/<file>,<dest>\", dest a file in the sandbox";
    return false;
  }
  const std::string folder(kFolder.substr(0, kFolder.size() - 1));
  const Descriptor dir(
      openat(sandbox_fd, folder.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  const Descriptor in(dir.get() < 0 ? -1
                                    : openat(dir.get(), file.c_str(),
                                             O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
  struct stat st {};
  if (in.get() < 0 || fstat(in.get(), &st) != 0) {
    error = what + ": cannot read " + source + ": " + std::strerror(errno);
    return false;
  }
  if (!S_ISREG(st.st_mode)) {
    error = what + ": " + source + " is not a regular file";
    return false;
  }
  if (static_cast<std::size_t>(st.st_size) > kMaxTemplateBytes) {
    error = what + ": larger than 4 MiB";
    return false;
  }
  std::string text(static_cast<std::size_t>(st.st_size), '\0');
  std::size_t got = 0;
  while (got < text.size()) {
    const ssize_t n = read(in.get(), text.data() + got, text.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      error = what + ": cannot read " + source + ": " + std::strerror(errno);
      return false;
    }
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
  }
  text.resize(got);
  if (nested_too_deep(text)) {
    error = what + ": sections nested more than " + std::to_string(kMaxDepth) + " deep";
    return false;
  }
  mustache::mustache tmpl{text};
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
bool write_one(int sandbox_fd, const fs::path& sandbox, const RenderedConfig& r,
               std::vector<std::string>& created, std::string& error) {
  std::vector<std::string> parts;
  for (const fs::path& part : fs::path(r.dest))
    if (part != "." && !part.empty()) parts.push_back(part.string());
  if (parts.empty()) {
    error = r.what + ": no file to write";
    return false;
  }
  Descriptor dir(fcntl(sandbox_fd, F_DUPFD_CLOEXEC, 0));
  if (dir.get() < 0) {
    error = r.what + ": " + std::strerror(errno);
    return false;
  }
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
  // Not blocking on a FIFO the task left there, and only ever a regular file truncated.
  Descriptor file(
      openat(dir.get(), parts.back().c_str(), O_WRONLY | O_CREAT | O_NONBLOCK | O_CLOEXEC, 0644));
  struct stat st {};
  if (file.get() < 0 || fstat(file.get(), &st) != 0) {
    error = r.what + ": cannot write " + at.string() + ": " + std::strerror(errno);
    return false;
  }
  if (!S_ISREG(st.st_mode)) {
    error = r.what + ": cannot write " + at.string() + ": not a regular file";
    return false;
  }
  if (ftruncate(file.get(), 0) != 0 ||
      fcntl(file.get(), F_SETFL, fcntl(file.get(), F_GETFL) & ~O_NONBLOCK) != 0) {
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
  if (uri.find(kTemplateArtifacts) == std::string::npos) return sandbox;
  const std::string file = uri.substr(uri.rfind('/') + 1);
  for (const auto& [key, value] : env)
    if (key.rfind(kPrefix, 0) == 0 && value.rfind(kFolder, 0) == 0 &&
        value.compare(kFolder.size(), value.find(',') - kFolder.size(), file) == 0)
      return (fs::path(sandbox) / kFolder).string();
  return sandbox;
}

bool render_config_templates(const std::string& sandbox, const Environment& env,
                             std::vector<RenderedConfig>& rendered, std::string& error) {
  // An exception here (memory, say) would end the executor from its loop: a failed launch.
  try {
    std::optional<mustache::data> values;
    std::optional<Descriptor> dir;
    for (const auto& [key, value] : env) {
      if (key.size() <= kPrefix.size() || key.compare(0, kPrefix.size(), kPrefix) != 0) continue;
      if (!values) {
        dir.emplace(open(sandbox.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        if (dir->get() < 0) {
          error = "config templates: cannot open the sandbox: " + std::string(std::strerror(errno));
          return false;
        }
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
      if (!render_one(dir->get(), key.substr(kPrefix.size()), value, *values, rendered, error))
        return false;
    }
    return true;
  } catch (const std::exception& e) {
    error = std::string("config templates: ") + e.what();
    return false;
  }
}

bool write_config_templates(const std::string& sandbox, const std::vector<RenderedConfig>& rendered,
                            std::optional<FileOwner> as, std::vector<std::string>& created,
                            std::string& error) {
  if (rendered.empty()) return true;
  try {
    const Descriptor dir(open(sandbox.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (dir.get() < 0) {
      error = "config templates: cannot open the sandbox: " + std::string(std::strerror(errno));
      return false;
    }
    const FileIdentity identity(as);
    if (!identity.ok()) {
      error =
          "config templates: cannot write as the task's user (uid " + std::to_string(as->uid) + ")";
      return false;
    }
    for (const RenderedConfig& r : rendered)
      if (!write_one(dir.get(), sandbox, r, created, error)) return false;
    return true;
  } catch (const std::exception& e) {
    error = std::string("config templates: ") + e.what();
    return false;
  }
}

}  // namespace steward::executor
