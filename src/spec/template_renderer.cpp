#include "spec/template_renderer.hpp"

#include <algorithm>
#include <kainjow/mustache.hpp>
#include <set>

#include "common/strings.hpp"

namespace steward::spec {

namespace mustache = kainjow::mustache;

namespace {

// Records every name that resolves to nothing; the renderer itself only renders empty.
class RecordingContext : public mustache::basic_context<std::string> {
 public:
  explicit RecordingContext(const mustache::data* root) : inner_(root) {}
  void push(const mustache::data* data) override { inner_.push(data); }
  void pop() override { inner_.pop(); }
  const mustache::data* get(const std::string& name) const override {
    const mustache::data* found = inner_.get(name);
    if (found == nullptr && name != ".") asked_missing_.insert(name);
    return found;
  }
  const mustache::data* get_partial(const std::string&) const override {
    return nullptr;  // partials would read files named by the template; not supported
  }
  const std::set<std::string>& asked_missing() const { return asked_missing_; }

 private:
  mustache::context<std::string> inner_;
  mutable std::set<std::string> asked_missing_;
};

struct Tag {
  std::string name;
  bool section = false;   // #, ^ or /: a missing name there is fine
  bool inverted = false;  // ^: the template gives a default for when it is missing
  bool closing = false;   // /
  int line = 0;
};

// A light scan of the source's tags: kainjow tells which names were missing but not where.
std::vector<Tag> scan_tags(std::string_view text) {
  std::vector<Tag> tags;
  int line = 1;
  std::size_t i = 0;
  while (i < text.size()) {
    if (text[i] == '\n') {
      ++line;
      ++i;
      continue;
    }
    if (text.compare(i, 2, "{{") != 0) {
      ++i;
      continue;
    }
    std::size_t close = text.find("}}", i + 2);
    if (close == std::string_view::npos) break;
    std::string_view inner = text.substr(i + 2, close - i - 2);
    Tag tag;
    tag.line = line;
    if (!inner.empty() && inner.front() == '{') inner.remove_prefix(1);
    inner = trim(inner);
    if (!inner.empty() && (inner.front() == '#' || inner.front() == '^' || inner.front() == '/')) {
      tag.section = true;
      tag.inverted = inner.front() == '^';
      tag.closing = inner.front() == '/';
      inner.remove_prefix(1);
    } else if (!inner.empty() && (inner.front() == '&' || inner.front() == '!' ||
                                  inner.front() == '>' || inner.front() == '=')) {
      if (inner.front() != '&') {
        i = close + 2;
        continue;
      }
      inner.remove_prefix(1);
    }
    tag.name = std::string(trim(inner));
    for (std::size_t k = i; k < close; ++k) {
      if (text[k] == '\n') ++line;
    }
    tags.push_back(std::move(tag));
    i = close + 2;
  }
  return tags;
}

std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) {
      lines.push_back(text.substr(start));
      break;
    }
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

int line_of_offset(std::string_view text, std::size_t offset) {
  offset = std::min(offset, text.size());
  return 1 +
         static_cast<int>(std::count(text.begin(), text.begin() + static_cast<long>(offset), '\n'));
}

}  // namespace

std::vector<int> map_rendered_lines(std::string_view source, std::string_view rendered) {
  auto src = split_lines(source);
  auto out = split_lines(rendered);
  const std::size_t n = src.size();
  const std::size_t m = out.size();
  std::vector<int> map(m);
  if (n == m) {
    for (std::size_t i = 0; i < m; ++i)
      map[i] = static_cast<int>(i) + 1;
    return map;
  }
  // Longest common subsequence of lines; bounded so a huge input cannot take quadratic
  // memory. Past the bound, lines map one to one (clamped), which is still a fair guess.
  constexpr std::size_t kMaxCells = 4'000'000;
  if (n * m > kMaxCells) {
    for (std::size_t i = 0; i < m; ++i)
      map[i] = static_cast<int>(std::min(i + 1, n));
    return map;
  }
  std::vector<std::uint32_t> lcs((n + 1) * (m + 1), 0);
  auto at = [&](std::size_t i, std::size_t j) -> std::uint32_t& { return lcs[i * (m + 1) + j]; };
  for (std::size_t i = n; i-- > 0;) {
    for (std::size_t j = m; j-- > 0;) {
      at(i, j) = src[i] == out[j] ? at(i + 1, j + 1) + 1 : std::max(at(i + 1, j), at(i, j + 1));
    }
  }
  // Anchors: rendered lines that are unchanged source lines.
  std::vector<std::pair<std::size_t, std::size_t>> anchors;  // (source, rendered), 0-based
  for (std::size_t i = 0, j = 0; i < n && j < m;) {
    if (src[i] == out[j]) {
      anchors.emplace_back(i++, j++);
    } else if (at(i + 1, j) >= at(i, j + 1)) {
      ++i;
    } else {
      ++j;
    }
  }
  anchors.emplace_back(n, m);  // a sentinel closing the last gap
  // Each gap's rendered lines came from that gap's source lines: pick, in order, the source
  // line sharing the longest prefix (a substituted line keeps the text before its tag).
  std::size_t prev_src = 0;
  std::size_t prev_out = 0;
  for (const auto& [a_src, a_out] : anchors) {
    std::size_t cursor = prev_src;
    for (std::size_t j = prev_out; j < a_out; ++j) {
      std::size_t best = std::min(cursor, a_src > 0 ? a_src - 1 : 0);
      std::size_t best_len = 0;
      for (std::size_t i = cursor; i < a_src; ++i) {
        std::size_t len = 0;
        while (len < src[i].size() && len < out[j].size() && src[i][len] == out[j][len])
          ++len;
        if (len > best_len) {
          best = i;
          best_len = len;
        }
      }
      map[j] = static_cast<int>(std::min(best + 1, n));
      if (best_len > 0) cursor = best + 1;
    }
    if (a_out < m) map[a_out] = static_cast<int>(a_src + 1);
    prev_src = a_src + 1;
    prev_out = a_out + 1;
  }
  return map;
}

RenderResult render_template(std::string_view text, const std::map<std::string, std::string>& env,
                             const std::string& file, bool strict) {
  RenderResult result;
  if (text.find("{{") == std::string_view::npos) {
    // Nothing to render; kainjow's parse costs more than everything else for large specs.
    result.text = std::string(text);
    result.line_map = map_rendered_lines(text, text);
    return result;
  }
  // kainjow's parser copies its component tree as it nests: deep nesting costs memory
  // quadratically, so bound it before it starts (real specs nest a level or two).
  const std::vector<Tag> tags = scan_tags(text);
  {
    constexpr int kMaxDepth = 32;
    int depth = 0;
    for (const Tag& tag : tags) {
      if (!tag.section) continue;
      depth += tag.closing ? -1 : 1;
      if (depth > kMaxDepth) {
        result.diagnostics.error(
            {file, tag.line, 0}, "",
            "template sections are nested more than " + std::to_string(kMaxDepth) + " deep",
            "flatten the {{#...}} sections");
        return result;
      }
    }
  }
  mustache::mustache tmpl{std::string(text)};
  if (!tmpl.is_valid()) {
    // kainjow reports e.g. "Unclosed section "X" at 123" with a byte offset.
    std::string message = tmpl.error_message();
    int line = 0;
    std::size_t at = message.rfind(" at ");
    if (at != std::string::npos) {
      if (auto offset = parse_int(message.substr(at + 4)); offset && *offset >= 0) {
        line = line_of_offset(text, static_cast<std::size_t>(*offset));
      }
    }
    result.diagnostics.error({file, line, 0}, "", "template error: " + message,
                             "close every {{#section}} with {{/section}} and every {{ with }}");
    return result;
  }

  mustache::data values{mustache::data::type::object};
  for (const auto& [key, value] : env) {
    if (iequals(value, "true")) {
      values.set(key, mustache::data::type::bool_true);
    } else if (iequals(value, "false")) {
      values.set(key, mustache::data::type::bool_false);
    } else {
      values.set(key, value);
    }
  }
  RecordingContext ctx{&values};
  result.text = tmpl.render(ctx);
  result.line_map = map_rendered_lines(text, result.text);

  // `{{X}}{{^X}}default{{/X}}` is how a template gives X a default: such a name is
  // optional, never reported.
  std::set<std::string> defaulted;
  for (const Tag& tag : tags) {
    if (tag.inverted) defaulted.insert(tag.name);
  }
  std::set<std::string> reported;
  for (const Tag& tag : tags) {
    if (tag.section || defaulted.count(tag.name) || !ctx.asked_missing().count(tag.name)) continue;
    reported.insert(tag.name);
    std::string message = "template variable " + tag.name + " is not set";
    std::string hint = "pass --env " + tag.name + "=VALUE or set it in the environment";
    if (strict) {
      result.diagnostics.error({file, tag.line, 0}, "", message, hint);
    } else {
      result.diagnostics.warning({file, tag.line, 0}, "", message + "; it rendered empty", hint);
    }
  }
  result.missing.assign(reported.begin(), reported.end());
  return result;
}

}  // namespace steward::spec
