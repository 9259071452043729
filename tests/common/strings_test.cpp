#include "common/strings.hpp"

#include <gtest/gtest.h>

namespace steward {
namespace {

TEST(Strings, MentionsFindsTextAnywhereInTheBody) {
  EXPECT_TRUE(mentions(R"({"a":"b","type":"ACCEPT"})", "\"ACCEPT\""));
  EXPECT_TRUE(mentions(R"("ACCEPT")", "\"ACCEPT\""));
  EXPECT_FALSE(mentions(R"({"type":"ACCEPTED"})", "\"ACCEPT\""));
  EXPECT_FALSE(mentions(R"({"type":"ACCEP)", "\"ACCEPT\""));
  EXPECT_FALSE(mentions("", "\"ACCEPT\""));
  EXPECT_TRUE(mentions("anything", ""));
  // A body that is all quotes but for the end, as JSON text nearly is.
  std::string quotes(100000, '"');
  EXPECT_FALSE(mentions(quotes, "\"OFFERS\""));
  EXPECT_TRUE(mentions(quotes + "OFFERS\"", "\"OFFERS\""));
  // Bytes past a NUL count too.
  EXPECT_TRUE(mentions(std::string("a\0\"x\"", 5), "\"x\""));
}

TEST(Strings, UrlSegmentEscapesAllButUnreservedBytes) {
  EXPECT_EQ(url_segment("server-conf_1.x~"), "server-conf_1.x~");
  EXPECT_EQ(url_segment("a b/c?d%"), "a%20b%2Fc%3Fd%25");
  EXPECT_EQ(url_segment("\xC3\xA9"), "%C3%A9");
  EXPECT_EQ(url_segment("."), "%2E");
  EXPECT_EQ(url_segment(".."), "%2E%2E");
  EXPECT_EQ(url_segment("..."), "...");
}

TEST(Strings, ParseIntIsStrict) {
  EXPECT_EQ(parse_int("42"), 42);
  EXPECT_EQ(parse_int("+7"), 7);
  EXPECT_EQ(parse_int("-3"), -3);
  EXPECT_FALSE(parse_int(""));
  EXPECT_FALSE(parse_int("4x"));
  EXPECT_FALSE(parse_int("1.5"));
  EXPECT_FALSE(parse_int("0x10"));
  EXPECT_FALSE(parse_int("99999999999999999999"));
}

TEST(Strings, ParseDoubleIsStrict) {
  EXPECT_EQ(parse_double("0.5"), 0.5);
  EXPECT_EQ(parse_double("2"), 2.0);
  EXPECT_FALSE(parse_double("nan"));
  EXPECT_FALSE(parse_double("inf"));
  EXPECT_FALSE(parse_double("1.5MB"));
  EXPECT_FALSE(parse_double(""));
}

TEST(Strings, ClosestMatchSuggestsPlausibleTypos) {
  std::vector<std::string> fields = {"cpus", "memory", "volume", "volumes", "readiness-check"};
  EXPECT_EQ(closest_match("cpu", fields), "cpus");
  EXPECT_EQ(closest_match("memroy", fields), "memory");
  EXPECT_EQ(closest_match("readines-check", fields), "readiness-check");
  EXPECT_FALSE(closest_match("zookeeper", fields));
}

TEST(Strings, QuoteCutsLongValuesOnACharacterBoundary) {
  EXPECT_EQ(quote("abc"), "\"abc\"");
  std::string long_value(200, 'x');
  EXPECT_EQ(quote(long_value), "\"" + std::string(77, 'x') + "...\"");
  // A two-byte character straddling the cut is dropped whole, never split.
  std::string accented = std::string(76, 'a') + "\xc3\xa9" + std::string(100, 'b');
  EXPECT_EQ(quote(accented), "\"" + std::string(76, 'a') + "...\"");
}

TEST(Strings, HelpersFormatForMessages) {
  EXPECT_EQ(join_alternatives({"a"}), "a");
  EXPECT_EQ(join_alternatives({"a", "b", "c"}), "a, b or c");
  EXPECT_EQ(format_number(0.5), "0.5");
  EXPECT_EQ(format_number(256), "256");
  EXPECT_EQ(trim("  x y \n"), "x y");
  EXPECT_TRUE(iequals("Running", "RUNNING"));
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
}

}  // namespace
}  // namespace steward
