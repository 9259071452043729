// A bounded, seeded mutation test of the loader that runs in every ctest (the libFuzzer
// harness in tests/fuzz goes deeper but needs clang). Inputs come from the examples,
// mutated byte-wise and line-wise; the loader must return, not throw or crash, and a
// spec it returns must carry no errors.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "spec/spec_loader.hpp"

namespace steward::spec {
namespace {

std::vector<std::string> seeds() {
  std::vector<std::string> out;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(
           std::string(STEWARD_SOURCE_DIR) + "/examples")) {
    if (entry.path().extension() != ".yml") continue;
    std::ifstream in(entry.path());
    std::ostringstream text;
    text << in.rdbuf();
    out.push_back(text.str());
  }
  return out;
}

std::string mutate(std::string text, std::mt19937& rng) {
  static const std::string alphabet = "{}[]:,-#&*!|>'\"\n \t0123456789.^/\\%@abcxyz";
  static const std::vector<std::string> tokens = {
      "{{",          "}}",    "{{#X}}", "{{/X}}",   "{{^X}}",   "{{{X}}}", ": ", "- ",
      "&a ",         "*a",    "\n  ",   "\t",       "[[",       "]]",      "~",  "null",
      "true",        "-1",    "1e999",  "0x10",     "\"",       "'",       "? ", "!!str ",
      "%YAML 1.2\n", "---\n", "...\n",  "<<: *a\n", "\xff\xfe", "\r\n"};
  int edits = 1 + static_cast<int>(rng() % 8);
  for (int e = 0; e < edits; ++e) {
    if (text.empty()) text = "x";
    std::size_t at = rng() % text.size();
    switch (rng() % 6) {
      case 0:
        text[at] = alphabet[rng() % alphabet.size()];
        break;
      case 1:
        text.erase(at, 1 + rng() % 16);
        break;
      case 2:
        text.insert(at, tokens[rng() % tokens.size()]);
        break;
      case 3: {  // duplicate a line
        std::size_t start = text.rfind('\n', at);
        start = start == std::string::npos ? 0 : start + 1;
        std::size_t end = text.find('\n', at);
        if (end == std::string::npos) end = text.size();
        text.insert(start, text.substr(start, end - start) + "\n");
        break;
      }
      case 4: {  // swap indentation
        std::size_t nl = text.find('\n', at);
        if (nl != std::string::npos) text.insert(nl + 1, rng() % 2 ? "  " : " ");
        break;
      }
      default:
        text.resize(at);
        break;
    }
  }
  return text;
}

TEST(SpecMutation, LoaderSurvivesMutatedExamples) {
  auto inputs = seeds();
  ASSERT_FALSE(inputs.empty());
  std::mt19937 rng(20261123);
  LoadOptions options;
  options.env = {{"ON", "true"}, {"OFF", "false"}};
  int loaded = 0;
  int refused = 0;
  constexpr int kRounds = 3000;
  for (int i = 0; i < kRounds; ++i) {
    std::string input = mutate(inputs[rng() % inputs.size()], rng);
    LoadResult r;
    ASSERT_NO_THROW(r = load_spec_text(input, "m.yml",
                                       std::string(STEWARD_SOURCE_DIR) + "/examples/hello-world",
                                       options))
        << input;
    if (r.ok()) {
      ++loaded;
      ASSERT_FALSE(r.diagnostics.has_errors());
    } else {
      ++refused;
      ASSERT_TRUE(r.diagnostics.has_errors()) << "refused without saying why:\n" << input;
      for (const auto& d : r.diagnostics.items())
        ASSERT_FALSE(d.message.empty());
    }
  }
  // Both outcomes occur, or the mutations are not exercising the loader.
  EXPECT_GT(loaded, 0);
  EXPECT_GT(refused, 0);
}

TEST(SpecMutation, DeepNestingIsAnErrorNotAStackOverflow) {
  LoadOptions options;
  for (std::string open : {"[", "{a: "}) {
    std::string text = "name: x\npods: ";
    for (int i = 0; i < 100000; ++i)
      text += open;
    LoadResult r;
    ASSERT_NO_THROW(r = load_spec_text(text, "deep.yml", ".", options));
    EXPECT_FALSE(r.ok());
  }
  std::string sections;
  for (int i = 0; i < 20000; ++i)
    sections += "{{#A}}";
  LoadResult r;
  ASSERT_NO_THROW(r = load_spec_text(sections, "deep.yml", ".", options));
  EXPECT_FALSE(r.ok());
}

}  // namespace
}  // namespace steward::spec
