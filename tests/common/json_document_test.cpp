#include "common/json_document.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <nlohmann/json.hpp>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

namespace steward {
namespace {

using nlohmann::json;

// True when `v` is the value nlohmann read, kind for kind (an integer is not a float).
bool same(const JsonValue& v, const json& j, std::string& why, const std::string& at = "$") {
  auto differ = [&](const std::string& what) {
    why = at + ": " + what + " (nlohmann: " + j.dump() + ")";
    return false;
  };
  switch (v.kind()) {
    case JsonValue::Kind::null:
      return j.is_null() || differ("null");
    case JsonValue::Kind::boolean:
      return (j.is_boolean() && j.get<bool>() == v.get<bool>()) || differ("boolean");
    case JsonValue::Kind::integer:
      return (j.type() == json::value_t::number_integer &&
              j.get<std::int64_t>() == v.get<std::int64_t>()) ||
             differ("integer " + std::to_string(v.get<std::int64_t>()));
    case JsonValue::Kind::unsigned_integer:
      return (j.type() == json::value_t::number_unsigned &&
              j.get<std::uint64_t>() == v.get<std::uint64_t>()) ||
             differ("unsigned " + std::to_string(v.get<std::uint64_t>()));
    case JsonValue::Kind::floating:
      return (j.is_number_float() && j.get<double>() == v.get<double>()) ||
             differ("float " + std::to_string(v.get<double>()));
    case JsonValue::Kind::string:
      return (j.is_string() && j.get<std::string>() == v.get<std::string>()) ||
             differ("string " + v.get<std::string>());
    case JsonValue::Kind::array: {
      if (!j.is_array() || j.size() != v.size()) return differ("array");
      std::size_t i = 0;
      for (const JsonValue& item : v) {
        if (!same(item, j[i], why, at + "[" + std::to_string(i) + "]")) return false;
        ++i;
      }
      return true;
    }
    case JsonValue::Kind::object: {
      if (!j.is_object()) return differ("object");
      std::size_t unique = 0;
      for (const JsonValue& member : v) {
        const std::string key(member.key());
        if (v.find(key) != &member) continue;  // a key given twice: the last counts
        ++unique;
        if (!j.contains(key)) return differ("member " + key);
        if (!same(member, j[key], why, at + "." + key)) return false;
      }
      return unique == j.size() || differ("member count");
    }
  }
  return differ("kind");
}

// Parses `text` both ways: both refuse it, or both read the same tree.
void agrees(const std::string& text) {
  JsonDocument doc;
  const bool ours = doc.parse(text);
  const json theirs = json::parse(text, nullptr, false);
  ASSERT_EQ(ours, !theirs.is_discarded())
      << "text: " << json(text).dump(-1, ' ', false, json::error_handler_t::replace)
      << " ours: " << (ours ? "accepted" : doc.error());
  if (!ours) {
    EXPECT_FALSE(doc.error().empty());
    EXPECT_TRUE(doc.root().is_null());
    return;
  }
  std::string why;
  EXPECT_TRUE(same(doc.root(), theirs, why)) << why;
}

TEST(JsonDocument, AcceptsAndReadsWhatNlohmannDoes) {
  const std::vector<std::string> texts = {"",
                                          " ",
                                          "null",
                                          "true",
                                          "false",
                                          "nul",
                                          "truex",
                                          "tru",
                                          "0",
                                          "-0",
                                          "-",
                                          "01",
                                          "1.",
                                          ".5",
                                          "1.5",
                                          "-1.5e3",
                                          "1E+2",
                                          "1e-2",
                                          "1e",
                                          "1e+",
                                          "2.5E400",
                                          "-1e400",
                                          "1e-400",
                                          "4.9e-324",
                                          "18446744073709551615",
                                          "18446744073709551616",
                                          "-9223372036854775808",
                                          "-9223372036854775809",
                                          "9223372036854775808",
                                          "123456789012345678901234567890",
                                          "\"\"",
                                          "\"a\"",
                                          "\"a",
                                          "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"",
                                          "\"\\x\"",
                                          "\"\\u00e9\"",
                                          "\"\\u00E9\"",
                                          "\"\\u12\"",
                                          "\"\\ud83d\\ude00\"",
                                          "\"\\ud83d\"",
                                          "\"\\ud83dx\"",
                                          "\"\\ude00\"",
                                          "\"\\ud83d\\u0041\"",
                                          "\"\\u0000\"",
                                          "\"tab\there\"",
                                          "\"\x01\"",
                                          "\"\xc3\xa9\"",
                                          "\"\xc3\"",
                                          "\"\xc0\xaf\"",
                                          "\"\xed\xa0\x80\"",
                                          "\"\xf4\x90\x80\x80\"",
                                          "\"\xf0\x9f\x98\x80\"",
                                          "\"\xe2\x82\xac\"",
                                          "\"\xe0\x80\xaf\"",
                                          "\"\xff\"",
                                          "[]",
                                          "{}",
                                          "[ ]",
                                          "{ }",
                                          "[1,2,3]",
                                          "[1,]",
                                          "[,1]",
                                          "[1 2]",
                                          "[",
                                          "]",
                                          "{\"a\":1}",
                                          "{\"a\" : 1 }",
                                          "{\"a\":1,}",
                                          "{a:1}",
                                          "{\"a\"}",
                                          "{\"a\":}",
                                          "{\"a\":1 \"b\":2}",
                                          "{\"a\":1,\"a\":2}",
                                          "{\"a\":{\"b\":[1,{\"c\":null}]},\"d\":\"e\"}",
                                          "[[[[[[[[[[]]]]]]]]]]",
                                          "[[[[[",
                                          "\xef\xbb\xbf{}",
                                          "\xef\xbb{}",
                                          "\xef{}",
                                          "\xef\xbb\xbf",
                                          " \xef\xbb\xbf{}",
                                          "{} ",
                                          "{} x",
                                          "{}{}",
                                          std::string("[1]\0x", 5),
                                          std::string("\0", 1),
                                          std::string("[\0]", 3),
                                          std::string("\"a\0b\"", 5),
                                          "\t\n\r [1] \t\n\r",
                                          "[1]\f",
                                          "\"\\/\"",
                                          "{\"\\u0061\":1}",
                                          "{\"a\\nb\":\"c\\\"d\"}",
                                          "[true,false,null,-1,1,1.0,\"x\",[],{}]"};
  for (const std::string& text : texts)
    agrees(text);
}

TEST(JsonDocument, AgreesWithNlohmannOnRandomTexts) {
  // Valid texts, then each with bytes changed, cut or repeated: the tokens JSON is made of
  // and the bytes that trip a parser (escapes, high bytes, NUL, a byte order mark).
  std::mt19937 rng(20261128);
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
  const std::vector<std::string> atoms = {"0",
                                          "-1",
                                          "7",
                                          "3.25",
                                          "-0.5e-3",
                                          "1e308",
                                          "18446744073709551615",
                                          "18446744073709551616",
                                          "-9223372036854775809",
                                          "true",
                                          "false",
                                          "null",
                                          "\"\"",
                                          "\"ab\"",
                                          "\"\\u00e9\\n\"",
                                          "\"\\ud83d\\ude00\"",
                                          "\"\xc3\xa9\"",
                                          "\"\\\"\""};
  std::function<std::string(int)> value = [&](int depth) -> std::string {
    const int choice = depth > 3 ? 0 : pick(3);
    if (choice == 0) return atoms[static_cast<std::size_t>(pick(static_cast<int>(atoms.size())))];
    std::string out = choice == 1 ? "[" : "{";
    const int n = pick(4);
    for (int i = 0; i < n; ++i) {
      if (i > 0) out += pick(8) == 0 ? " , " : ",";
      if (choice == 2) out += "\"" + std::string(1, static_cast<char>('a' + pick(3))) + "\":";
      out += value(depth + 1);
    }
    return out + (choice == 1 ? "]" : "}");
  };
  const std::string noise[] = {"\\",
                               "\"",
                               "\\u",
                               "\\ud800",
                               "\x80",
                               "\xc3",
                               "\xef\xbb\xbf",
                               std::string(1, '\0'),
                               ",",
                               ":",
                               "[",
                               "]",
                               "{",
                               "}",
                               "e",
                               "-",
                               ".",
                               " ",
                               "\x1f",
                               "0"};
  for (int round = 0; round < 20000; ++round) {
    std::string text = value(0);
    const int edits = pick(3);
    for (int e = 0; e < edits && !text.empty(); ++e) {
      const auto at = static_cast<std::size_t>(pick(static_cast<int>(text.size())));
      switch (pick(3)) {
        case 0:
          text.insert(at, noise[pick(20)]);
          break;
        case 1:
          text.erase(at, 1);
          break;
        default:
          text.resize(at);
          break;
      }
    }
    agrees(text);
    if (HasFailure()) return;
  }
}

TEST(JsonDocument, AnswersNlohmannsQueries) {
  JsonDocument doc;
  ASSERT_TRUE(doc.parse(R"({"a": 1, "b": [true, "x", -2, 2.5], "a": {"c": null}, "e": "\u00e9"})"))
      << doc.error();
  const JsonValue& root = doc.root();
  ASSERT_TRUE(root.is_object());
  EXPECT_EQ(root.size(), 4u);  // the key given twice is there twice, in order
  std::vector<std::string> keys;
  for (const JsonValue& member : root)
    keys.emplace_back(member.key());
  EXPECT_EQ(keys, (std::vector<std::string>{"a", "b", "a", "e"}));
  // A key given twice reads as its last value.
  auto a = root.find("a");
  ASSERT_NE(a, root.end());
  EXPECT_TRUE(a->is_object());
  EXPECT_TRUE(a->contains("c"));
  EXPECT_TRUE((*a)["c"].is_null());
  EXPECT_EQ(root.find("missing"), root.end());
  EXPECT_FALSE(root.contains("missing"));
  EXPECT_THROW((void)root["missing"], std::out_of_range);
  const JsonValue& b = root["b"];
  ASSERT_TRUE(b.is_array());
  ASSERT_EQ(b.size(), 4u);
  const JsonValue* item = b.begin();
  EXPECT_TRUE(item[0].is_boolean());
  EXPECT_TRUE(item[0].get<bool>());
  EXPECT_EQ(item[1], "x");
  EXPECT_FALSE(item[1] == "y");
  EXPECT_FALSE(item[0] == "true");
  EXPECT_TRUE(item[2].is_number_integer());
  EXPECT_FALSE(item[2].is_number_unsigned());
  EXPECT_EQ(item[2].get<int>(), -2);
  EXPECT_TRUE(item[3].is_number_float());
  EXPECT_EQ(item[3].get<int>(), 2);  // cast, as nlohmann's get<int>() does
  EXPECT_DOUBLE_EQ(item[3].get<double>(), 2.5);
  EXPECT_EQ(b.find("x"), b.end());  // not an object: nothing to find
  EXPECT_EQ(root["e"].get<std::string>(), "\xc3\xa9");
  // A value of another kind than asked for throws.
  EXPECT_THROW((void)item[1].get<double>(), std::logic_error);
  EXPECT_THROW((void)item[2].get<std::string>(), std::logic_error);
  EXPECT_THROW((void)item[2].get<bool>(), std::logic_error);
  // A scalar has no children.
  EXPECT_EQ(item[2].begin(), item[2].end());
  EXPECT_TRUE(item[2].empty());
}

TEST(JsonDocument, KeepsStringsWithoutEscapesAsViewsOfTheText) {
  const std::string text = R"({"plain": "abc", "escaped": "a\tb"})";
  JsonDocument doc;
  ASSERT_TRUE(doc.parse(text));
  const std::string_view plain = doc.root()["plain"].string_view();
  EXPECT_EQ(plain, "abc");
  EXPECT_GE(plain.data(), text.data());
  EXPECT_LT(plain.data(), text.data() + text.size());
  EXPECT_EQ(doc.root()["escaped"].string_view(), "a\tb");
  EXPECT_EQ(doc.root().begin()->key().data(), text.data() + 2);
}

TEST(JsonDocument, ANewParseReplacesTheLastAndAFailedOneLeavesNothing) {
  JsonDocument doc;
  ASSERT_TRUE(doc.parse(R"({"a": [1, 2]})"));
  EXPECT_FALSE(doc.parse(R"({"a": [1, 2})"));
  EXPECT_NE(doc.error().find("byte 11"), std::string::npos) << doc.error();
  EXPECT_TRUE(doc.root().is_null());
  ASSERT_TRUE(doc.parse("[3]"));
  EXPECT_TRUE(doc.error().empty());
  ASSERT_EQ(doc.root().size(), 1u);
  EXPECT_EQ(doc.root().begin()->get<int>(), 3);
}

TEST(JsonDocument, ReadsDeepNestingWithoutRecursion) {
  const int depth = 200000;
  const std::string text = std::string(depth, '[') + std::string(depth, ']');
  JsonDocument doc;
  ASSERT_TRUE(doc.parse(text)) << doc.error();
  const JsonValue* v = &doc.root();
  int levels = 1;
  while (!v->empty()) {
    v = v->begin();
    ++levels;
  }
  EXPECT_EQ(levels, depth);
}

// nlohmann's tree of a value of ours (a key given twice: the last counts, as in nlohmann's).
json tree_of(const JsonValue& v) {
  switch (v.kind()) {
    case JsonValue::Kind::null:
      return nullptr;
    case JsonValue::Kind::boolean:
      return v.get<bool>();
    case JsonValue::Kind::integer:
      return v.get<std::int64_t>();
    case JsonValue::Kind::unsigned_integer:
      return v.get<std::uint64_t>();
    case JsonValue::Kind::floating:
      return v.get<double>();
    case JsonValue::Kind::string:
      return v.get<std::string>();
    case JsonValue::Kind::array: {
      json out = json::array();
      for (const JsonValue& item : v)
        out.push_back(tree_of(item));
      return out;
    }
    case JsonValue::Kind::object: {
      json out = json::object();
      for (const JsonValue& member : v)
        out[std::string(member.key())] = tree_of(member);
      return out;
    }
  }
  return nullptr;
}

// Records what it is handed (as nlohmann trees) and takes the objects without a "keep" member.
struct Recorder : JsonListing {
  Recorder(std::string_view outer, std::string_view inner, bool takes = true)
      : JsonListing(outer, inner), take_any(takes) {}
  void begin() override {
    ++begins;
    given.clear();
  }
  bool take(const JsonValue& element) override {
    given.push_back(tree_of(element));
    return take_any && !element.contains("keep");
  }
  bool take_any;
  int begins = 0;
  std::vector<json> given;
};

TEST(JsonDocument, HandsAListOverAsItIsParsedAndDropsWhatIsTaken) {
  const std::string text = R"({"other": {"offers": [{"x": 1}]},
      "offers": {"before": [{"y": 2}], "offers": [{"id": 1, "r": [{"n": 1}, {"n": 2}]},
        {"id": 2, "keep": true, "r": {"deep": [[{}]]}}, 7, [{"id": 3}], {}, {"id": 4}],
        "nested": {"offers": [{"z": 3}]}},
      "tail": [1, {"offers": {"offers": [{"w": 4}]}}]})";
  Recorder listing("offers", "offers");
  JsonDocument doc;
  ASSERT_TRUE(doc.parse(text, listing)) << doc.error();
  EXPECT_EQ(listing.begins, 2);  // root.offers, then root.offers.offers
  const json theirs = json::parse(text);
  std::vector<json> objects;
  for (const json& o : theirs["offers"]["offers"])
    if (o.is_object()) objects.push_back(o);
  EXPECT_EQ(listing.given, objects);  // in order, the objects only, whole
  // What was taken is gone from the document; the rest reads as nlohmann's tree.
  json left = theirs;
  left["offers"]["offers"] = json::parse(R"([{"id": 2, "keep": true, "r": {"deep": [[{}]]}}, 7,
                                             [{"id": 3}]])");
  std::string why;
  EXPECT_TRUE(same(doc.root(), left, why)) << why;
}

TEST(JsonDocument, AListGivenAgainStartsOverAsAKeyGivenTwiceKeepsItsLast) {
  for (const std::string& text :
       {std::string(R"({"a": {"b": [{"n": 1}]}, "a": {"b": [{"n": 2}]}})"),
        std::string(R"({"a": {"b": [{"n": 1}], "b": [{"n": 2}]}})")}) {
    Recorder listing("a", "b");
    JsonDocument doc;
    ASSERT_TRUE(doc.parse(text, listing)) << doc.error();
    ASSERT_EQ(listing.given.size(), 1u) << text;
    EXPECT_EQ(listing.given[0], json::parse(R"({"n": 2})")) << text;
  }
  Recorder listing("a", "b");
  JsonDocument doc;
  ASSERT_TRUE(doc.parse(R"({"a": {"b": [{"n": 1}]}, "a": 5})", listing));
  EXPECT_TRUE(listing.given.empty());
  EXPECT_FALSE(doc.parse(R"({"a": {"b": [{"n": 1}, )", listing));  // not JSON: still an error
  EXPECT_TRUE(doc.root().is_null());
}

// On random texts: a listing that takes nothing leaves the document nlohmann's tree, and what
// it was given since its last begin() is root.a.b's objects, each whole.
TEST(JsonDocument, AListingThatTakesNothingChangesNothingOnRandomTexts) {
  std::mt19937 rng(20261129);
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
  std::function<std::string(int)> value = [&](int depth) -> std::string {
    const int choice = depth > 4 ? 0 : pick(3);
    if (choice == 0) return pick(2) ? "1" : "\"s\"";
    std::string out = choice == 1 ? "[" : "{";
    const int n = pick(4);
    for (int i = 0; i < n; ++i) {
      if (i > 0) out += ",";
      if (choice == 2) out += "\"" + std::string(1, static_cast<char>('a' + pick(3))) + "\":";
      out += value(depth + 1);
    }
    return out + (choice == 1 ? "]" : "}");
  };
  int lists = 0;
  for (int round = 0; round < 5000; ++round) {
    const std::string text = "{\"a\":{\"b\":" + value(2) + ",\"c\":" + value(1) + "}," + "\"" +
                             std::string(1, static_cast<char>('a' + pick(3))) + "\":" + value(1) +
                             "}";
    Recorder listing("a", "b", false);
    JsonDocument doc;
    ASSERT_TRUE(doc.parse(text, listing)) << text << ": " << doc.error();
    const json theirs = json::parse(text);
    std::string why;
    ASSERT_TRUE(same(doc.root(), theirs, why)) << text << ": " << why;
    std::vector<json> objects;
    if (theirs["a"].is_object() && theirs["a"].contains("b") && theirs["a"]["b"].is_array())
      for (const json& o : theirs["a"]["b"])
        if (o.is_object()) objects.push_back(o);
    ASSERT_EQ(listing.given, objects) << text;
    lists += objects.empty() ? 0 : 1;
  }
  EXPECT_GT(lists, 300);  // the generator does make lists of objects (468 of 5,000)
}

}  // namespace
}  // namespace steward
