#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>

#include "placement/placement_rule.hpp"

namespace steward::placement {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

PlacementRule parse_ok(std::string_view text) {
  auto r = parse_placement(text);
  EXPECT_TRUE(r.ok()) << text << ": " << ::testing::PrintToString(r.errors);
  return r.rule;
}

std::vector<std::string> parse_errors(std::string_view text) {
  auto r = parse_placement(text);
  EXPECT_FALSE(r.ok()) << text;
  EXPECT_TRUE(r.rule.empty()) << "a rule with errors places nothing";
  return r.errors;
}

TEST(PlacementParser, EmptyFormsPlaceAnywhere) {
  for (const char* text : {"", "   ", "[]", " [ ] "})
    EXPECT_TRUE(parse_ok(text).empty()) << text;
}

TEST(PlacementParser, ThreeSyntaxesGiveTheSameRule) {
  PlacementRule expected;
  expected.constraints = {{FieldKind::hostname, "hostname", Operator::max_per, "2"},
                          {FieldKind::zone, "@zone", Operator::group_by, "3"}};
  EXPECT_EQ(parse_ok(R"([["hostname","MAX_PER","2"],["@zone","GROUP_BY","3"]])"), expected);
  EXPECT_EQ(parse_ok("hostname:MAX_PER:2,@zone:GROUP_BY:3"), expected);
  EXPECT_EQ(parse_ok(R"([["hostname", "MAX_PER", 2], ["@zone", "GROUP_BY", 3]])"), expected);
  PlacementRule single;
  single.constraints = {{FieldKind::hostname, "hostname", Operator::unique, std::nullopt}};
  EXPECT_EQ(parse_ok(R"(["hostname","UNIQUE"])"), single);
  EXPECT_EQ(parse_ok("hostname:UNIQUE"), single);
}

TEST(PlacementParser, EveryOperator) {
  struct Case {
    const char* text;
    Operator op;
    std::optional<std::string> param;
  };
  for (const Case& c :
       std::vector<Case>{{"hostname:UNIQUE", Operator::unique, std::nullopt},
                         {"hostname:CLUSTER:node-1", Operator::cluster, "node-1"},
                         {"hostname:IS:node-1", Operator::is, "node-1"},
                         {"hostname:IS_NOT:node-1", Operator::is_not, "node-1"},
                         {"hostname:LIKE:node-[0-9]+", Operator::like, "node-[0-9]+"},
                         {"hostname:UNLIKE:gpu-.*", Operator::unlike, "gpu-.*"},
                         {"hostname:MAX_PER:2", Operator::max_per, "2"},
                         {"hostname:GROUP_BY", Operator::group_by, std::nullopt},
                         {"hostname:GROUP_BY:4", Operator::group_by, "4"}}) {
    auto rule = parse_ok(c.text);
    ASSERT_EQ(rule.constraints.size(), 1u) << c.text;
    EXPECT_EQ(rule.constraints[0].op, c.op) << c.text;
    EXPECT_EQ(rule.constraints[0].param, c.param) << c.text;
  }
}

TEST(PlacementParser, OperatorsAreCaseInsensitive) {
  EXPECT_EQ(parse_ok("hostname:max_per:2").constraints.at(0).op, Operator::max_per);
  EXPECT_EQ(parse_ok(R"([["hostname","Unique"]])").constraints.at(0).op, Operator::unique);
  EXPECT_EQ(parse_operator("group_by"), Operator::group_by);
  EXPECT_EQ(to_string(Operator::is_not), "IS_NOT");
}

TEST(PlacementParser, FieldKinds) {
  auto rule = parse_ok(
      "hostname:UNIQUE,@hostname:UNIQUE,@zone:UNIQUE,@region:UNIQUE,rack:UNIQUE,zone:UNIQUE");
  std::vector<FieldKind> kinds;
  for (const auto& c : rule.constraints)
    kinds.push_back(c.kind);
  // Plain `zone` is an agent attribute named zone, as in Marathon; `@zone` is the fault domain.
  EXPECT_THAT(kinds, ElementsAre(FieldKind::hostname, FieldKind::hostname, FieldKind::zone,
                                 FieldKind::region, FieldKind::attribute, FieldKind::attribute));
}

TEST(PlacementParser, EscapesInTheColonForm) {
  auto rule = parse_ok(R"(rack:LIKE:a\,b\:c,hostname:UNIQUE)");
  ASSERT_EQ(rule.constraints.size(), 2u);
  EXPECT_EQ(rule.constraints[0].param, "a,b:c");
  EXPECT_EQ(to_string(rule), R"(rack:LIKE:a\,b\:c,hostname:UNIQUE)");
}

TEST(PlacementParser, RoundTripsThroughTheColonForm) {
  for (const char* text : {R"([["hostname","MAX_PER","2"],["@zone","GROUP_BY"]])", "rack:IS:r\\:1",
                           R"(["@region","LIKE","us-(east|west)-[0-9]"])"}) {
    auto rule = parse_ok(text);
    EXPECT_EQ(parse_ok(to_string(rule)), rule) << text << " -> " << to_string(rule);
  }
}

TEST(PlacementParser, UnknownOperatorSuggestsTheClosest) {
  EXPECT_THAT(
      parse_errors("hostname:UNIQEU"),
      ElementsAre("constraint 1 \"hostname:UNIQEU\": unknown operator \"UNIQEU\"; did you mean "
                  "UNIQUE? operators are UNIQUE, CLUSTER, IS, IS_NOT, LIKE, UNLIKE, MAX_PER or "
                  "GROUP_BY"));
}

TEST(PlacementParser, ParametersAreChecked) {
  EXPECT_THAT(
      parse_errors("hostname:MAX_PER:x"),
      ElementsAre(
          "constraint 1 \"hostname:MAX_PER:x\": MAX_PER needs a whole number >= 1, got \"x\""));
  EXPECT_THAT(parse_errors("hostname:MAX_PER:0"),
              ElementsAre(HasSubstr("MAX_PER needs a whole number >= 1, got \"0\"")));
  EXPECT_THAT(parse_errors("hostname:MAX_PER"),
              ElementsAre(HasSubstr("MAX_PER needs a count, e.g. hostname:MAX_PER:2")));
  EXPECT_THAT(parse_errors("@zone:GROUP_BY:-1"),
              ElementsAre(HasSubstr("GROUP_BY needs a whole number >= 1")));
  EXPECT_THAT(parse_errors("hostname:UNIQUE:1"),
              ElementsAre(HasSubstr("UNIQUE takes no parameter; drop \"1\"")));
  EXPECT_THAT(parse_errors("hostname:CLUSTER"), ElementsAre(HasSubstr("CLUSTER needs a value")));
  EXPECT_THAT(parse_errors("hostname:IS"), ElementsAre(HasSubstr("IS needs a value")));
  EXPECT_THAT(parse_errors("hostname:IS_NOT"), ElementsAre(HasSubstr("IS_NOT needs a value")));
  EXPECT_THAT(parse_errors("hostname:LIKE"),
              ElementsAre(HasSubstr("LIKE needs a regular expression")));
  EXPECT_THAT(parse_errors("hostname:UNLIKE:("),
              ElementsAre(HasSubstr("\"(\" is not a valid regular expression")));
  EXPECT_THAT(parse_errors("hostname:LIKE:" + std::string(600, 'a')),
              ElementsAre(HasSubstr("longer than 512")));
}

TEST(PlacementParser, ShapeErrors) {
  EXPECT_THAT(parse_errors("hostname"), ElementsAre(HasSubstr("needs a field and an operator")));
  EXPECT_THAT(parse_errors(":UNIQUE"), ElementsAre(HasSubstr("the field is empty")));
  EXPECT_THAT(parse_errors("a:LIKE:b:c"), ElementsAre(HasSubstr("has 4 parts")));
  EXPECT_THAT(parse_errors(R"([["[host", "UNIQUE"]])"),
              ElementsAre(HasSubstr("\"[host\" is not a field; use hostname, @zone, @region")));
  EXPECT_THAT(parse_errors(R"([["hostname","UNIQUE")"),
              ElementsAre(HasSubstr("is not a valid constraint list")));
  EXPECT_THAT(parse_errors(R"([["hostname","UNIQUE"], "x"])"),
              ElementsAre(HasSubstr("must be a list")));
  EXPECT_THAT(parse_errors(R"([["hostname", {"a": 1}]])"),
              ElementsAre(HasSubstr("must be a string or a number")));
}

TEST(PlacementParser, EveryBadConstraintIsReported) {
  auto errors = parse_errors("hostname:NOPE,rack:MAX_PER:x,hostname:UNIQUE");
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_THAT(errors[0], HasSubstr("constraint 1"));
  EXPECT_THAT(errors[1], HasSubstr("constraint 2"));
}

TEST(PlacementParser, RandomInputNeverThrows) {
  std::mt19937 rng(7);
  const std::string alphabet = "[]\",:\\@ aUNIQEhostzMAX_PR1.*(0{}";
  const std::vector<std::string> seeds = {R"([["hostname","MAX_PER","2"]])",
                                          "hostname:LIKE:a.*,@zone:GROUP_BY:3",
                                          R"(["@region","UNIQUE"])"};
  int ok = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string text = seeds[rng() % seeds.size()];
    for (int e = 0, n = 1 + static_cast<int>(rng() % 4); e < n; ++e) {
      std::size_t at = text.empty() ? 0 : rng() % text.size();
      if (rng() % 2 && !text.empty()) {
        text[at] = alphabet[rng() % alphabet.size()];
      } else {
        text.insert(at, 1, alphabet[rng() % alphabet.size()]);
      }
    }
    PlacementParseResult r;
    ASSERT_NO_THROW(r = parse_placement(text)) << text;
    if (r.ok()) {
      ++ok;
      EXPECT_EQ(parse_placement(to_string(r.rule)).rule, r.rule) << text;
    } else {
      EXPECT_TRUE(r.rule.empty());
    }
  }
  EXPECT_GT(ok, 0);
}

}  // namespace
}  // namespace steward::placement
