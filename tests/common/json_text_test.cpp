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

TEST(JsonText, IndentedIsTheTextOfAnIndentedDump) {
  std::string text;
  JsonText out(text, 2);
  out.begin_object().key("a").begin_array().value(1).value(2).begin_object();
  out.field("b", true).end_object().begin_array().end_array().end_array();
  out.key("c").null().key("d").begin_object().end_object().id_field("e", "x").end_object();
  EXPECT_EQ(text, json::parse(text).dump(2));
  EXPECT_EQ(text.substr(0, 18), "{\n  \"a\": [\n    1,\n");
}

// Writes `v` through JsonText the way the scheduler's writers do: keys in sorted order, which
// is the order of nlohmann's objects.
void write_value(JsonText& out, const json& v) {
  if (v.is_object()) {
    out.begin_object();
    for (const auto& [k, member] : v.items()) {
      out.key(k);
      write_value(out, member);
    }
    out.end_object();
  } else if (v.is_array()) {
    out.begin_array();
    for (const auto& e : v)
      write_value(out, e);
    out.end_array();
  } else if (v.is_string()) {
    out.value(v.get<std::string>());
  } else if (v.is_boolean()) {
    out.value(v.get<bool>());
  } else if (v.is_null()) {
    out.null();
  } else if (v.is_number_float()) {
    out.value(v.get<double>());
  } else {
    out.value(v.get<std::int64_t>());
  }
}

json random_tree(std::mt19937& rng, int depth) {
  switch (depth > 3 ? rng() % 4 : rng() % 6) {
    case 0:
      return json(static_cast<std::int64_t>(rng() % 2000) - 1000);
    case 1: {  // a string, sometimes with a character to escape, or a number with a fraction
      static const std::string chars = "ab\"\\\n\x01\xc3\xa9";
      std::string text(rng() % 4, 'x');
      for (char& c : text)
        c = chars[rng() % chars.size()];
      return rng() % 2 == 0 ? json(text) : json(static_cast<double>(rng() % 1000) / 8);
    }
    case 2:
      return json(rng() % 2 == 0);
    case 3:
      return json(nullptr);
    case 4: {
      json a = json::array();
      for (unsigned i = rng() % 4; i > 0; --i)
        a.push_back(random_tree(rng, depth + 1));
      return a;
    }
    default: {
      json o = json::object();
      for (unsigned i = rng() % 4; i > 0; --i)
        o[(rng() % 5 == 0 ? "k\"" : "k") + std::to_string(rng() % 10)] =
            random_tree(rng, depth + 1);
      return o;
    }
  }
}

TEST(JsonText, RandomTreesGiveTheTextOfDumpAtEveryIndent) {
  std::mt19937 rng(11);
  for (int i = 0; i < 2000; ++i) {
    const json tree = random_tree(rng, 0);
    for (int indent : {-1, 0, 2, 4}) {
      std::string text;
      JsonText out(text, indent);
      write_value(out, tree);
      ASSERT_EQ(text, tree.dump(indent, ' ', false, json::error_handler_t::replace))
          << "indent " << indent;
    }
  }
}

TEST(JsonText, KeysAreEscapedAsStringsAre) {
  const std::string odd = std::string("a\"b\\c\n\x01") + "\xff";
  std::string text;
  JsonText(text).begin_object().field(odd, 1).field("plain", 2).end_object();
  EXPECT_EQ(text, dumped(json::parse(text)));
  EXPECT_EQ(json::parse(text).size(), 2u);
  EXPECT_EQ(text.substr(0, 17), "{\"a\\\"b\\\\c\\n\\u0001");
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

// Strings are checked for what needs escaping eight bytes at a time: every byte value, at
// every place of strings across that width and the tail after it, is written as nlohmann
// writes it.
TEST(JsonText, EveryByteAtEveryPlaceIsEscapedAsNlohmannDoes) {
  for (std::size_t length = 1; length <= 19; ++length)
    for (std::size_t at = 0; at < length; ++at)
      for (int byte = 0; byte < 256; ++byte) {
        std::string s(length, 'a');
        s[at] = static_cast<char>(byte);
        ASSERT_EQ(written(s), dumped(json(s))) << length << " " << at << " " << byte;
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
