#include "common/json_text.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>
#include <random>

namespace steward {
namespace {

using nlohmann::json;

std::string dumped(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

template <class T>
std::string written(const T& v) {
  std::string text;
  JsonText(text).value(v);
  return text;
}

TEST(JsonText, SeparatesMembersAndNestedValues) {
  std::string text;
  JsonText out(text);
  out.begin_object().key("a").begin_array().value(1).value(2).begin_object();
  out.field("b", true).end_object().begin_array().end_array().end_array();
  out.key("c").null().key("d").begin_object().end_object().id_field("e", "x").end_object();
  EXPECT_EQ(text, R"({"a":[1,2,{"b":true},[]],"c":null,"d":{},"e":{"value":"x"}})");
  EXPECT_EQ(text, dumped(json::parse(text)));
}

TEST(JsonText, AppendsToWhatIsThere) {
  std::string text = "prefix ";
  JsonText(text).begin_array().raw(R"({"k":1})").value("v").end_array();
  EXPECT_EQ(text, R"(prefix [{"k":1},"v"])");
}

TEST(JsonText, ALiteralIsAStringNotABoolean) {
  EXPECT_EQ(written("text"), R"("text")");
  EXPECT_EQ(written(std::string("text")), R"("text")");
  EXPECT_EQ(written(false), "false");
}

TEST(JsonText, StringsAreEscapedAsNlohmannDoes) {
  for (const std::string& s :
       {std::string(), std::string("plain"), std::string("quote \" and \\ slash"),
        std::string("line\nfeed\ttab\r\b\f"), std::string("nul \0 and \x1f", 11),
        std::string("del \x7f"), std::string("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80")}) {
    EXPECT_EQ(written(s), dumped(json(s))) << s;
    EXPECT_EQ(json::parse(written(s)).get<std::string>(), s);
  }
}

TEST(JsonText, InvalidUtf8IsReplacedNotThrown) {
  for (const std::string& s : {std::string("\xff"), std::string("ab\xc3"), std::string("\xe2\x82"),
                               std::string("\xc3(x"), std::string("\xed\xa0\x80 surrogate")}) {
    std::string text;
    ASSERT_NO_THROW(text = written(s));
    EXPECT_EQ(text, dumped(json(s)));
    EXPECT_NE(json::parse(text).get<std::string>().find("\xef\xbf\xbd"), std::string::npos) << s;
  }
}

TEST(JsonText, RandomBytesGiveTheSameTextAsNlohmann) {
  std::mt19937 rng(7);
  for (int i = 0; i < 5000; ++i) {
    std::string s(rng() % 12, '\0');
    for (char& c : s)
      c = static_cast<char>(rng() % 4 == 0 ? rng() % 256 : 'a' + rng() % 26);
    EXPECT_EQ(written(s), dumped(json(s)));
  }
}

TEST(JsonText, NumbersAreWrittenAsNlohmannWritesThem) {
  const double doubles[] = {0.0,
                            -0.0,
                            1.0,
                            0.1,
                            0.01,
                            2.5,
                            1e15,
                            1e16,
                            1e21,
                            1e-5,
                            1e-7,
                            123.456,
                            -7.25,
                            1.0 / 3,
                            3e300,
                            5e-324,
                            std::numeric_limits<double>::max()};
  for (double d : doubles)
    EXPECT_EQ(written(d), dumped(json(d))) << d;
  std::mt19937_64 rng(11);
  for (int i = 0; i < 20000; ++i) {
    double d;
    std::uint64_t bits = rng();
    std::memcpy(&d, &bits, sizeof d);
    if (!std::isfinite(d)) continue;
    ASSERT_EQ(written(d), dumped(json(d))) << bits;
    ASSERT_EQ(json::parse(written(d)).get<double>(), d);
  }
  EXPECT_EQ(written(std::numeric_limits<double>::infinity()), "null");
  EXPECT_EQ(written(std::nan("")), "null");
  EXPECT_EQ(written(std::numeric_limits<std::int64_t>::min()), "-9223372036854775808");
  EXPECT_EQ(written(std::numeric_limits<std::uint64_t>::max()), "18446744073709551615");
  EXPECT_EQ(written(std::uint32_t{4000000000u}), "4000000000");
  EXPECT_EQ(written(-3), "-3");
}

}  // namespace
}  // namespace steward
