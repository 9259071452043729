#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "placement/placement_rule.hpp"

namespace steward::placement {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::SizeIs;

PlacementRule parse_ok(std::string_view text) {
  auto r = parse_placement(text);
  EXPECT_TRUE(r.ok()) << text << ": " << ::testing::PrintToString(r.errors);
  return r.rule;
}

std::vector<std::string> parse_errors(std::string_view text) {
  auto r = parse_placement(text);
  EXPECT_FALSE(r.ok()) << text;
  EXPECT_TRUE(r.rule.empty()) << text << ": a rule with errors must place nothing";
  return r.errors;
}

Constraint only_constraint(std::string_view text) {
  auto rule = parse_ok(text);
  EXPECT_THAT(rule.constraints, SizeIs(1)) << text;
  return rule.constraints.empty() ? Constraint{} : rule.constraints[0];
}

// ---- accepted input ------------------------------------------------------------------------

TEST(PlacementParser, EmptyFormsPlaceAnywhere) {
  for (const char* text : {"", "   ", "\n\t ", "[]", " [ ] ", "[\n]"})
    EXPECT_TRUE(parse_ok(text).empty()) << text;
}

TEST(PlacementParser, ThreeSyntaxesGiveTheSameRule) {
  PlacementRule expected;
  expected.constraints = {{FieldKind::hostname, "hostname", Operator::max_per, "2"},
                          {FieldKind::zone, "@zone", Operator::group_by, "3"}};
  EXPECT_EQ(parse_ok(R"([["hostname","MAX_PER","2"],["@zone","GROUP_BY","3"]])"), expected);
  EXPECT_EQ(parse_ok("hostname:MAX_PER:2,@zone:GROUP_BY:3"), expected);

  PlacementRule single;
  single.constraints = {{FieldKind::hostname, "hostname", Operator::unique, std::nullopt}};
  EXPECT_EQ(parse_ok(R"(["hostname","UNIQUE"])"), single);
  EXPECT_EQ(parse_ok(R"([["hostname","UNIQUE"]])"), single);
  EXPECT_EQ(parse_ok("hostname:UNIQUE"), single);
}

TEST(PlacementParser, BracketParametersMayBeNumbers) {
  PlacementRule expected;
  expected.constraints = {{FieldKind::hostname, "hostname", Operator::max_per, "2"},
                          {FieldKind::zone, "@zone", Operator::group_by, "3"}};
  EXPECT_EQ(parse_ok(R"([["hostname", "MAX_PER", 2], ["@zone", "GROUP_BY", 3]])"), expected);
  EXPECT_EQ(only_constraint(R"(["@zone","GROUP_BY",3])").param, "3");
  EXPECT_EQ(only_constraint(R"(["rack","IS",1.5])").param, "1.5");
  EXPECT_EQ(only_constraint(R"(["rack","IS",-7])").param, "-7");
}

TEST(PlacementParser, EveryOperator) {
  struct Case {
    const char* text;
    Operator op;
    std::optional<std::string> param;
  };
  for (const Case& c : std::vector<Case>{
           {"hostname:UNIQUE", Operator::unique, std::nullopt},
           {"hostname:CLUSTER:node-1", Operator::cluster, "node-1"},
           {"hostname:IS:node-1", Operator::is, "node-1"},
           {"hostname:IS_NOT:node-1", Operator::is_not, "node-1"},
           {"hostname:LIKE:node-[0-9]+", Operator::like, "node-[0-9]+"},
           {"hostname:UNLIKE:gpu-.*", Operator::unlike, "gpu-.*"},
           {"hostname:MAX_PER:2", Operator::max_per, "2"},
           {"hostname:GROUP_BY", Operator::group_by, std::nullopt},
           {"hostname:GROUP_BY:4", Operator::group_by, "4"},
           {R"(["rack","UNIQUE"])", Operator::unique, std::nullopt},
           {R"(["rack","CLUSTER","r1"])", Operator::cluster, "r1"},
           {R"(["rack","IS","r1"])", Operator::is, "r1"},
           {R"(["rack","IS_NOT","r1"])", Operator::is_not, "r1"},
           {R"(["rack","LIKE","r[12]"])", Operator::like, "r[12]"},
           {R"(["rack","UNLIKE","r[12]"])", Operator::unlike, "r[12]"},
           {R"(["rack","MAX_PER","1"])", Operator::max_per, "1"},
           {R"(["rack","GROUP_BY"])", Operator::group_by, std::nullopt},
       }) {
    Constraint got = only_constraint(c.text);
    EXPECT_EQ(got.op, c.op) << c.text;
    EXPECT_EQ(got.param, c.param) << c.text;
  }
}

TEST(PlacementParser, OperatorsAreCaseInsensitive) {
  EXPECT_EQ(only_constraint("hostname:max_per:2").op, Operator::max_per);
  EXPECT_EQ(only_constraint(R"([["hostname","Unique"]])").op, Operator::unique);
  EXPECT_EQ(only_constraint("rack:Is_Not:r1").op, Operator::is_not);
  for (Operator op : {Operator::unique, Operator::cluster, Operator::is, Operator::is_not,
                      Operator::like, Operator::unlike, Operator::max_per, Operator::group_by}) {
    const std::string name(to_string(op));
    EXPECT_EQ(parse_operator(name), op) << name;
    std::string lower;
    for (char ch : name)
      lower += static_cast<char>(ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch);
    EXPECT_EQ(parse_operator(lower), op) << lower;
  }
  EXPECT_EQ(parse_operator("NOPE"), std::nullopt);
  EXPECT_EQ(parse_operator(""), std::nullopt);
}

TEST(PlacementParser, OperatorNamesAreUpperCase) {
  EXPECT_EQ(to_string(Operator::unique), "UNIQUE");
  EXPECT_EQ(to_string(Operator::cluster), "CLUSTER");
  EXPECT_EQ(to_string(Operator::is), "IS");
  EXPECT_EQ(to_string(Operator::is_not), "IS_NOT");
  EXPECT_EQ(to_string(Operator::like), "LIKE");
  EXPECT_EQ(to_string(Operator::unlike), "UNLIKE");
  EXPECT_EQ(to_string(Operator::max_per), "MAX_PER");
  EXPECT_EQ(to_string(Operator::group_by), "GROUP_BY");
}

TEST(PlacementParser, FieldKinds) {
  auto rule = parse_ok(
      "hostname:UNIQUE,@hostname:UNIQUE,@zone:UNIQUE,@region:UNIQUE,rack:UNIQUE,zone:UNIQUE,"
      "region:UNIQUE,node.type-2:UNIQUE,@gpu:UNIQUE");
  std::vector<FieldKind> kinds;
  std::vector<std::string> fields;
  for (const auto& c : rule.constraints) {
    kinds.push_back(c.kind);
    fields.push_back(c.field);
  }
  // Plain `zone` is an agent attribute named zone, as in Marathon; `@zone` is the fault domain.
  EXPECT_THAT(kinds, ElementsAre(FieldKind::hostname, FieldKind::hostname, FieldKind::zone,
                                 FieldKind::region, FieldKind::attribute, FieldKind::attribute,
                                 FieldKind::attribute, FieldKind::attribute, FieldKind::attribute));
  EXPECT_THAT(fields, ElementsAre("hostname", "@hostname", "@zone", "@region", "rack", "zone",
                                  "region", "node.type-2", "@gpu"));
}

TEST(PlacementParser, SpecialFieldsIgnoreCaseButKeepTheSpelling) {
  // As in dcos-commons: otherwise "HOSTNAME" would be an attribute no agent has.
  Constraint host = only_constraint("HOSTNAME:UNIQUE");
  EXPECT_EQ(host.kind, FieldKind::hostname);
  EXPECT_EQ(host.field, "HOSTNAME");
  EXPECT_EQ(only_constraint("@Zone:GROUP_BY").kind, FieldKind::zone);
  EXPECT_EQ(only_constraint(R"(["@REGION","IS","us-east"])").kind, FieldKind::region);
  EXPECT_EQ(only_constraint("@HostName:UNIQUE").kind, FieldKind::hostname);
}

TEST(PlacementParser, BlanksAroundPartsAreIgnored) {
  PlacementRule expected;
  expected.constraints = {{FieldKind::attribute, "rack", Operator::is, "r 1"},
                          {FieldKind::hostname, "hostname", Operator::max_per, "2"}};
  EXPECT_EQ(parse_ok("  rack : is :  r 1 ,\thostname:MAX_PER: 2\n"), expected);
  EXPECT_EQ(parse_ok(R"([[" rack ", " IS ", " r 1 "], ["hostname", "max_per", " 2"]])"), expected);
}

TEST(PlacementParser, EscapesInTheColonForm) {
  auto rule = parse_ok(R"(rack:LIKE:a\,b\:c,hostname:UNIQUE)");
  ASSERT_THAT(rule.constraints, SizeIs(2));
  EXPECT_EQ(rule.constraints[0].param, "a,b:c");
  EXPECT_EQ(rule.constraints[1].field, "hostname");
  // Other backslashes are kept, so regex escapes need no doubling; `\\` is one backslash.
  EXPECT_EQ(only_constraint(R"(hostname:LIKE:node-\d+\.example)").param, R"(node-\d+\.example)");
  EXPECT_EQ(only_constraint(R"(rack:IS:a\\b)").param, R"(a\b)");
  auto two = parse_ok(R"(rack:IS:a\\,hostname:UNIQUE)");
  ASSERT_THAT(two.constraints, SizeIs(2)) << "an escaped backslash leaves the comma a separator";
  EXPECT_EQ(two.constraints[0].param, R"(a\)");
  EXPECT_EQ(only_constraint(R"(rack:IS:ends\)").param, R"(ends\)");
}

TEST(PlacementParser, CanonicalColonForm) {
  EXPECT_EQ(to_string(PlacementRule{}), "");
  EXPECT_EQ(to_string(parse_ok(R"([["hostname","max_per",2],["@zone","group_by"]])")),
            "hostname:MAX_PER:2,@zone:GROUP_BY");
  EXPECT_EQ(to_string(parse_ok(R"(["rack","LIKE","a,b:c"])")), R"(rack:LIKE:a\,b\:c)");
  EXPECT_EQ(to_string(parse_ok(R"(["hostname","LIKE","node-\\d+"])")), R"(hostname:LIKE:node-\d+)");
}

TEST(PlacementParser, RoundTripsThroughTheColonForm) {
  for (const char* text :
       {R"([["hostname","MAX_PER","2"],["@zone","GROUP_BY"]])", R"(rack:IS:r\:1)",
        R"(["@region","LIKE","us-(east|west)-[0-9]"])", R"(["rack","IS","a\\"])",
        R"(["rack","IS","a\\,b"])", R"(["rack","LIKE","\\\\d:\\:,\\,"])",
        R"(rack:IS:a\\\,b,hostname:UNIQUE)", R"(HOSTNAME:unique,@Zone:group_by:3)"}) {
    auto rule = parse_ok(text);
    EXPECT_EQ(parse_ok(to_string(rule)), rule) << text << " -> " << to_string(rule);
  }
}

// ---- errors --------------------------------------------------------------------------------

TEST(PlacementParser, UnknownOperatorSuggestsTheClosest) {
  EXPECT_THAT(
      parse_errors("hostname:UNIQEU"),
      ElementsAre("constraint 1 \"hostname:UNIQEU\": unknown operator \"UNIQEU\"; did you mean "
                  "UNIQUE? operators are UNIQUE, CLUSTER, IS, IS_NOT, LIKE, UNLIKE, MAX_PER or "
                  "GROUP_BY"));
  EXPECT_THAT(parse_errors(R"([["rack","max-per","2"]])"),
              ElementsAre(AllOf(HasSubstr(R"(constraint 1 ["rack","max-per","2"])"),
                                HasSubstr("did you mean MAX_PER?"))));
  EXPECT_THAT(parse_errors("hostname:SOMEWHERE"),
              ElementsAre(AllOf(HasSubstr("unknown operator \"SOMEWHERE\""),
                                Not(HasSubstr("did you mean")), HasSubstr("GROUP_BY"))));
  EXPECT_THAT(parse_errors("hostname: "),
              ElementsAre(AllOf(HasSubstr("the operator is missing"), HasSubstr("UNIQUE"))));
}

TEST(PlacementParser, FieldIsChecked) {
  EXPECT_THAT(parse_errors(":UNIQUE"),
              ElementsAre("constraint 1 \":UNIQUE\": the field is missing; use hostname, @zone, "
                          "@region or an agent attribute name"));
  EXPECT_THAT(parse_errors(R"([["", "UNIQUE"]])"), ElementsAre(HasSubstr("field is missing")));
  EXPECT_THAT(parse_errors(R"([["[host", "UNIQUE"]])"),
              ElementsAre(HasSubstr("field \"[host\" is not a field name; use hostname, @zone")));
  EXPECT_THAT(parse_errors(R"(hostname:UNIQUE,["rack":IS:r1)"),
              ElementsAre(AllOf(HasSubstr("constraint 2"), HasSubstr("\"[\"rack\""))));
  EXPECT_THAT(parse_errors("my rack:UNIQUE"), ElementsAre(HasSubstr("\"my rack\" is not")));
  EXPECT_THAT(parse_errors(R"([[7, "UNIQUE"]])"),
              ElementsAre("constraint 1 [7,\"UNIQUE\"]: the field must be a string, got 7"));
}

TEST(PlacementParser, RequiredParametersAreChecked) {
  EXPECT_THAT(parse_errors("hostname:CLUSTER"),
              ElementsAre("constraint 1 \"hostname:CLUSTER\": CLUSTER needs a value to compare the "
                          "field with, e.g. hostname:CLUSTER:rack-1"));
  EXPECT_THAT(parse_errors("rack:IS"), ElementsAre(HasSubstr("IS needs a value")));
  EXPECT_THAT(parse_errors("rack:IS_NOT: "), ElementsAre(HasSubstr("IS_NOT needs a value")));
  EXPECT_THAT(parse_errors("rack:LIKE"),
              ElementsAre(HasSubstr("LIKE needs a regular expression, e.g. rack:LIKE:rack-[12]")));
  EXPECT_THAT(parse_errors(R"(["rack","UNLIKE"])"),
              ElementsAre(HasSubstr(
                  R"(UNLIKE needs a regular expression, e.g. ["rack","UNLIKE","rack-[12]"])")));
  EXPECT_THAT(parse_errors("hostname:MAX_PER"),
              ElementsAre(HasSubstr("MAX_PER needs a count, e.g. hostname:MAX_PER:2")));
}

TEST(PlacementParser, UniqueTakesNoParameter) {
  EXPECT_THAT(parse_errors("hostname:UNIQUE:1"),
              ElementsAre(HasSubstr("UNIQUE takes no parameter; remove \"1\"")));
  EXPECT_THAT(parse_errors("hostname:UNIQUE:"),
              ElementsAre(HasSubstr("UNIQUE takes no parameter; remove the empty one")));
  EXPECT_THAT(parse_errors(R"(["hostname","UNIQUE",1])"),
              ElementsAre(HasSubstr("UNIQUE takes no parameter")));
}

TEST(PlacementParser, CountsAreWholeNumbersAtLeastOne) {
  EXPECT_THAT(
      parse_errors("@zone:UNIQUE,hostname:MAX_PER:x"),
      ElementsAre(
          "constraint 2 \"hostname:MAX_PER:x\": MAX_PER needs a whole number >= 1, got \"x\""));
  for (const char* bad : {"0", "-1", "1.5", "2x", "0x10", "1e3", "99999999999999999999"}) {
    EXPECT_THAT(parse_errors(std::string("hostname:MAX_PER:") + bad),
                ElementsAre(HasSubstr("MAX_PER needs a whole number >= 1, got \"" +
                                      std::string(bad) + "\"")));
    EXPECT_THAT(parse_errors(std::string("@zone:GROUP_BY:") + bad),
                ElementsAre(AllOf(HasSubstr("GROUP_BY needs a whole number >= 1"),
                                  HasSubstr("or no count at all"))));
  }
  EXPECT_THAT(parse_errors(R"(["hostname","MAX_PER",0])"), ElementsAre(HasSubstr("got \"0\"")));
  EXPECT_THAT(parse_errors(R"(["hostname","MAX_PER",18446744073709551615])"),
              ElementsAre(HasSubstr("got \"18446744073709551615\"")));
  EXPECT_THAT(parse_errors(R"(["hostname","MAX_PER",2.5])"), ElementsAre(HasSubstr("\"2.5\"")));
}

TEST(PlacementParser, PatternsMustCompile) {
  EXPECT_THAT(
      parse_errors("hostname:UNLIKE:("),
      ElementsAre(AllOf(HasSubstr("constraint 1 \"hostname:UNLIKE:(\": \"(\" is not a valid "
                                  "regular expression ("),
                        HasSubstr("escape a special character"), HasSubstr("as \\, or \\:"))));
  EXPECT_THAT(parse_errors("rack:LIKE:[z-a]"), ElementsAre(HasSubstr("not a valid regular")));
  EXPECT_THAT(parse_errors(R"(rack:LIKE:a{2\,1})"), ElementsAre(HasSubstr("not a valid regular")));
  EXPECT_THAT(parse_errors("hostname:LIKE:" + std::string(600, 'a')),
              ElementsAre(HasSubstr("the pattern is 600 characters long; the limit is 512")));
  EXPECT_TRUE(parse_placement("hostname:LIKE:" + std::string(512, 'a')).ok());
  // libstdc++ would overflow a `long` reading these.
  EXPECT_THAT(parse_errors("rack:LIKE:a{99999999999999999999}"),
              ElementsAre(HasSubstr("longer than 9 digits")));
  EXPECT_THAT(parse_errors("rack:LIKE:a{1\\,99999999999999999999}"),
              ElementsAre(HasSubstr("longer than 9 digits")));
  EXPECT_THAT(parse_errors(R"(rack:LIKE:(a)\99999999999999999999)"),
              ElementsAre(HasSubstr("longer than 9 digits")));
}

TEST(PlacementParser, PatternsShareARepeatBudget) {
  // libstdc++ copies a counted atom per repetition: refuse before compiling, not after a second.
  EXPECT_THAT(parse_errors("rack:LIKE:(a{1000}){1000}"),
              ElementsAre(AllOf(HasSubstr("repeats too much"), HasSubstr("over 200000"),
                                HasSubstr("lower the {n} counts"))));
  EXPECT_TRUE(parse_placement(R"(["rack","LIKE","[a-z]{1,63}(\\.[a-z]{1,63}){0,3}"])").ok());
  EXPECT_TRUE(parse_placement("rack:LIKE:a{15000}").ok());
  // Many patterns that each fit must not add up to a slow check either.
  EXPECT_THAT(parse_errors("rack:LIKE:a{15000},hostname:UNLIKE:b{15000}"),
              ElementsAre(AllOf(HasSubstr("constraint 2"), HasSubstr("about 15002 regex states"),
                                HasSubstr("20000 together"))));
  std::string many;
  for (int i = 0; i < 2000; ++i)
    many += "rack:LIKE:(x{99}){99},";
  auto r = parse_placement(many + "hostname:UNIQUE");
  EXPECT_THAT(r.errors, SizeIs(1999)) << "only the first fits the budget";
}

TEST(PlacementParser, ShapeErrors) {
  EXPECT_THAT(parse_errors("hostname"),
              ElementsAre("constraint 1 \"hostname\": needs a field and an operator, e.g. "
                          "hostname:UNIQUE"));
  EXPECT_THAT(
      parse_errors(R"([["hostname"]])"),
      ElementsAre(HasSubstr(R"(needs a field and an operator, e.g. ["hostname","UNIQUE"])")));
  EXPECT_THAT(parse_errors(R"([[]])"), ElementsAre(HasSubstr("constraint 1 []: needs a field")));
  EXPECT_THAT(parse_errors("rack:LIKE:a:b"),
              ElementsAre(AllOf(HasSubstr("has 4 parts"), HasSubstr("as \\:"))));
  EXPECT_THAT(parse_errors(R"(["rack","LIKE","a","b"])"),
              ElementsAre(HasSubstr("has 4 elements; write [field, operator] or [field, "
                                    "operator, parameter]")));
  EXPECT_THAT(parse_errors("hostname:UNIQUE,,rack:UNIQUE"),
              ElementsAre("constraint 2 \"\": is empty; remove the extra ','"));
  EXPECT_THAT(parse_errors("hostname:UNIQUE,"), ElementsAre(HasSubstr("remove the extra ','")));
}

TEST(PlacementParser, JsonErrors) {
  EXPECT_THAT(parse_errors(R"([["hostname","UNIQUE"])"),
              ElementsAre(AllOf(HasSubstr("placement \"[[\"hostname\",\"UNIQUE\"]\" is not valid "
                                          "JSON"),
                                HasSubstr("hostname:UNIQUE"))));
  EXPECT_THAT(parse_errors(R"([['hostname','UNIQUE']])"),
              ElementsAre(HasSubstr("JSON strings take double quotes")));
  EXPECT_THAT(parse_errors(R"([["hostname","UNIQUE"]] trailing)"),
              ElementsAre(HasSubstr("is not valid JSON")));
  EXPECT_THAT(parse_errors(R"({"hostname": "UNIQUE"})"),
              ElementsAre(HasSubstr("is a JSON object; write a list of constraints")));
  EXPECT_THAT(parse_errors(R"([["hostname","UNIQUE"], "x"])"),
              ElementsAre("constraint 2 \"x\": must be a list like [\"hostname\",\"UNIQUE\"]"));
  EXPECT_THAT(parse_errors(R"([["hostname", 3]])"),
              ElementsAre(HasSubstr("the operator must be a string such as \"UNIQUE\", got 3")));
  for (const char* bad : {"null", "true", "{\"a\":1}", "[1]"}) {
    EXPECT_THAT(parse_errors(std::string(R"([["hostname","GROUP_BY",)") + bad + "]]"),
                ElementsAre(HasSubstr("the parameter must be a string or a number, got")))
        << bad;
  }
}

TEST(PlacementParser, EveryProblemIsReported) {
  auto errors = parse_errors("hostname:NOPE,rack:MAX_PER:x,hostname:UNIQUE,:LIKE:(");
  ASSERT_THAT(errors, SizeIs(4));
  EXPECT_THAT(errors[0], HasSubstr("constraint 1 \"hostname:NOPE\": unknown operator"));
  EXPECT_THAT(errors[1], HasSubstr("constraint 2 \"rack:MAX_PER:x\""));
  EXPECT_THAT(errors[2], HasSubstr("constraint 4 \":LIKE:(\": the field is missing"));
  EXPECT_THAT(errors[3], HasSubstr("constraint 4 \":LIKE:(\": \"(\" is not a valid regular"));
  // A bad field and a bad operator in the same row are both reported.
  EXPECT_THAT(
      parse_errors(R"([["", "UNIQEU"], [1, 2], ["hostname","IS"]])"),
      ElementsAre(HasSubstr("constraint 1"), HasSubstr("constraint 1"), HasSubstr("constraint 2"),
                  HasSubstr("constraint 2"), HasSubstr("constraint 3")));
}

TEST(PlacementParser, MessagesStayShortForHugeInput) {
  const std::string huge = "hostname:" + std::string(10000, 'X');
  auto errors = parse_errors(huge);
  ASSERT_THAT(errors, SizeIs(1));
  EXPECT_LT(errors[0].size(), 600u);
  EXPECT_THAT(errors[0], HasSubstr("..."));
  // Cut on a character boundary: no dangling UTF-8 lead byte before the ellipsis.
  std::string accents;
  for (int i = 0; i < 100; ++i)
    accents += "\xC3\xA9";  // é
  for (const std::string& e : parse_errors("rack:" + accents)) {
    std::size_t cuts = 0;
    for (auto dots = e.find("..."); dots != std::string::npos; dots = e.find("...", dots + 3)) {
      ++cuts;
      EXPECT_NE(static_cast<unsigned char>(e[dots - 1]), 0xC3u) << e;
    }
    EXPECT_EQ(cuts, 2u) << e;
  }
}

TEST(PlacementParser, HostileInputIsRefusedWithoutCrashing) {
  // Deep nesting must not recurse in the parser or its messages.
  const std::string deep = std::string(20000, '[') + std::string(20000, ']');
  EXPECT_FALSE(parse_placement(deep).ok());
  EXPECT_FALSE(parse_placement("[" + deep + "]").ok());
  EXPECT_FALSE(parse_placement(std::string(20000, '[')).ok());
  EXPECT_FALSE(
      parse_placement("rack:LIKE:" + std::string(200, '(') + std::string(200, ')') + "(").ok());
  EXPECT_TRUE(
      parse_placement("rack:LIKE:" + std::string(200, '(') + "a" + std::string(200, ')')).ok());
  std::string nul("hostname:IS:a\0b", 15);
  EXPECT_EQ(only_constraint(nul).param, std::string("a\0b", 3));
}

TEST(PlacementParser, RandomInputNeverThrows) {
  std::mt19937 rng(20240607);
  const std::string alphabet = "[]\",:\\@ aUNIQEhostzMAX_PR1.*(0{}-";
  const std::vector<std::string> seeds = {
      R"([["hostname","MAX_PER","2"],["@zone","GROUP_BY",3]])",
      "hostname:LIKE:a.*,@zone:GROUP_BY:3,rack:IS:r\\,1",
      R"(["@region","UNIQUE"])",
      "",
  };
  int parsed = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string text;
    if (i % 4 == 0) {  // pure noise
      for (int n = static_cast<int>(rng() % 40); n > 0; --n)
        text += alphabet[rng() % alphabet.size()];
    } else {  // a few edits to something valid
      text = seeds[rng() % seeds.size()];
      for (int e = 0, n = 1 + static_cast<int>(rng() % 4); e < n; ++e) {
        const std::size_t at = text.empty() ? 0 : rng() % text.size();
        const char ch = alphabet[rng() % alphabet.size()];
        switch (rng() % 3) {
          case 0:
            if (!text.empty()) text[at] = ch;
            break;
          case 1:
            text.insert(at, 1, ch);
            break;
          default:
            if (!text.empty()) text.erase(at, 1);
        }
      }
    }
    PlacementParseResult r;
    ASSERT_NO_THROW(r = parse_placement(text)) << text;
    if (r.ok()) {
      ++parsed;
      std::string canonical;
      ASSERT_NO_THROW(canonical = to_string(r.rule)) << text;
      EXPECT_EQ(parse_placement(canonical).rule, r.rule) << text << " -> " << canonical;
    } else {
      EXPECT_TRUE(r.rule.empty()) << text;
      for (const std::string& e : r.errors)
        EXPECT_FALSE(e.empty()) << text;
    }
  }
  EXPECT_GT(parsed, 1000) << "the mutations should leave plenty of valid rules";
}

}  // namespace
}  // namespace steward::placement
