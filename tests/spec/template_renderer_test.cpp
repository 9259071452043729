#include "spec/template_renderer.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "spec_test_util.hpp"

namespace steward::spec {
namespace {

using ::testing::ElementsAre;
using namespace steward::spec::testing;

TEST(TemplateRenderer, SubstitutesFromTheEnvironment) {
  auto r = render_template("count: {{N}}\nname: {{NAME}}\n", {{"N", "3"}, {"NAME", "x"}}, "svc.yml",
                           true);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.text, "count: 3\nname: x\n");
  EXPECT_TRUE(r.missing.empty());
}

TEST(TemplateRenderer, TrueAndFalseDriveSectionsInAnyCase) {
  const char* text = "{{#ON}}a: 1\n{{/ON}}{{^OFF}}b: 2\n{{/OFF}}{{#OFF}}c: 3\n{{/OFF}}";
  auto r = render_template(text, {{"ON", "True"}, {"OFF", "FALSE"}}, "svc.yml", true);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.text, "a: 1\nb: 2\n");
}

TEST(TemplateRenderer, DoubleBracesEscapeHtmlAndTripleBracesAreRaw) {
  // The dcos-commons convention: '{{{PLACEMENT}}}' for JSON-ish values.
  auto r = render_template("a: {{V}}\nb: {{{V}}}\nc: {{&V}}\n", {{"V", R"([["a","<b>&"]])"}},
                           "svc.yml", true);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.text,
            "a: [[&quot;a&quot;,&quot;&lt;b&gt;&amp;&quot;]]\nb: [[\"a\",\"<b>&\"]]\nc: "
            "[[\"a\",\"<b>&\"]]\n");
}

TEST(TemplateRenderer, MissingValuesRenderEmptyWithWarningsNamingTheLine) {
  auto r = render_template("a: 1\nb: {{B}}\nc: {{C}} {{B}}\n", {}, "svc.yml", false);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.text, "a: 1\nb: \nc:  \n");
  EXPECT_THAT(r.missing, ElementsAre("B", "C"));
  std::vector<std::string> out;
  for (const auto& d : r.diagnostics.items())
    out.push_back(d.to_string());
  EXPECT_THAT(out, ElementsAre("svc.yml:2: warning: template variable B is not set; it rendered "
                               "empty (fix: pass --env B=VALUE or set it in the environment)",
                               "svc.yml:3: warning: template variable C is not set; it rendered "
                               "empty (fix: pass --env C=VALUE or set it in the environment)",
                               "svc.yml:3: warning: template variable B is not set; it rendered "
                               "empty (fix: pass --env B=VALUE or set it in the environment)"));
}

TEST(TemplateRenderer, StrictModeFailsListingEveryNameAndLine) {
  auto r = render_template("a: {{A}}\nb: {{B}}\n", {}, "svc.yml", true);
  EXPECT_FALSE(r.ok());
  std::vector<std::string> out;
  for (const auto& d : r.diagnostics.items())
    out.push_back(d.to_string());
  EXPECT_THAT(out, ElementsAre("svc.yml:1: error: template variable A is not set (fix: pass --env "
                               "A=VALUE or set it in the environment)",
                               "svc.yml:2: error: template variable B is not set (fix: pass --env "
                               "B=VALUE or set it in the environment)"));
}

TEST(TemplateRenderer, SectionsOverMissingNamesAndDefaultsAreNotReported) {
  auto r =
      render_template("{{#FEATURE}}x: 1\n{{/FEATURE}}n: {{N}}{{^N}}2{{/N}}\n", {}, "svc.yml", true);
  ASSERT_TRUE(r.ok()) << r.diagnostics.items().at(0).to_string();
  EXPECT_EQ(r.text, "n: 2\n");
}

TEST(TemplateRenderer, UnclosedSectionIsAnErrorWithALine) {
  auto r = render_template("a: 1\n{{#X}}\nb: 2\n", {}, "svc.yml", false);
  EXPECT_FALSE(r.ok());
  ASSERT_EQ(r.diagnostics.items().size(), 1u);
  EXPECT_THAT(r.diagnostics.items()[0].to_string(), ::testing::StartsWith("svc.yml:"));
  EXPECT_THAT(r.diagnostics.items()[0].message, ::testing::HasSubstr("Unclosed section"));
}

TEST(TemplateRenderer, LineMapFollowsRemovedSections) {
  const char* text = "a: 1\n{{#OFF}}\nb: 2\nc: 3\n{{/OFF}}\nd: {{D}}\ne: 5\n";
  auto r = render_template(text, {{"OFF", "false"}, {"D", "4"}}, "svc.yml", true);
  ASSERT_TRUE(r.ok());
  // Rendered lines that exist in the source map to exactly that source line.
  std::vector<std::string> lines;
  std::size_t start = 0;
  for (std::size_t nl; (nl = r.text.find('\n', start)) != std::string::npos; start = nl + 1) {
    lines.push_back(r.text.substr(start, nl - start));
  }
  ASSERT_LE(lines.size(), r.line_map.size());
  std::map<std::string, int> source_line = {{"a: 1", 1}, {"d: 4", 6}, {"e: 5", 7}};
  int checked = 0;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].empty()) continue;  // kainjow may leave a blank line for a closed section
    ASSERT_TRUE(source_line.count(lines[i])) << lines[i];
    EXPECT_EQ(r.line_map[i], source_line[lines[i]]) << lines[i];
    ++checked;
  }
  EXPECT_EQ(checked, 3);
}

TEST(TemplateRenderer, YamlErrorsAfterRemovedSectionsPointAtTheSourceLine) {
  const char* text = "name: svc\n{{#OFF}}\nweb-url: x\n{{/OFF}}\npods:\n  app:\n    count: lots\n";
  auto r = load(text, {{"OFF", "false"}});
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(errors(r), ::testing::Contains(::testing::StartsWith(
                             "svc.yml:7:12: error: pods.app.count: must be a whole number")));
}

TEST(TemplateRenderer, DeeplyNestedSectionsAreRefusedBeforeRendering) {
  // kainjow's memory grows quadratically with nesting; 100,000 levels once exhausted memory.
  std::string deep;
  for (int i = 0; i < 100000; ++i)
    deep += "{{#A}}";
  for (int i = 0; i < 100000; ++i)
    deep += "{{/A}}";
  auto r = render_template("name: x\n" + deep + "\n", {{"A", "true"}}, "svc.yml", false);
  EXPECT_FALSE(r.ok());
  ASSERT_EQ(r.diagnostics.items().size(), 1u);
  EXPECT_EQ(r.diagnostics.items()[0].to_string(),
            "svc.yml:2: error: template sections are nested more than 32 deep (fix: flatten the "
            "{{#...}} sections)");
  std::string ok;
  for (int i = 0; i < 32; ++i)
    ok += "{{#A}}";
  ok += "v: 1";
  for (int i = 0; i < 32; ++i)
    ok += "{{/A}}";
  EXPECT_TRUE(render_template(ok, {{"A", "true"}}, "svc.yml", true).ok());
}

TEST(TemplateRenderer, PartialsAreNotRead) {
  auto r = render_template("a: {{> /etc/passwd}}\n", {}, "svc.yml", false);
  EXPECT_EQ(r.text, "a: \n");
}

}  // namespace
}  // namespace steward::spec
