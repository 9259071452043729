#include "common/http_response_parser.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace steward {
namespace {

// Feeds `text` `step` bytes at a time, as a socket might deliver it.
std::size_t feed_in_steps(HttpResponseParser& p, const std::string& text, std::size_t step) {
  std::size_t used = 0;
  for (std::size_t at = 0; at < text.size(); at += step) {
    const std::string_view piece = std::string_view(text).substr(at, step);
    const std::size_t n = p.feed(piece);
    used += n;
    if (n < piece.size()) break;
  }
  return used;
}

TEST(HttpResponseParser, ReadsALengthFramedResponseWhateverTheSplit) {
  const std::string text =
      "HTTP/1.1 202 Accepted\r\nContent-Type: text/plain\r\nX-Thing:  spaced  \r\n"
      "Content-Length: 11\r\n\r\nhello world";
  for (std::size_t step : {1u, 2u, 5u, 17u, 1000u}) {
    HttpResponseParser p;
    EXPECT_EQ(feed_in_steps(p, text, step), text.size());
    ASSERT_TRUE(p.done()) << step << " " << p.error();
    EXPECT_EQ(p.status(), 202);
    EXPECT_EQ(p.header("content-type"), "text/plain");
    EXPECT_EQ(p.header("X-THING"), "spaced");
    EXPECT_EQ(p.header("absent"), "");
    EXPECT_EQ(p.body(), "hello world");
    EXPECT_TRUE(p.keep_alive());
  }
}

TEST(HttpResponseParser, ReadsChunksWithExtensionsAndTrailersIntoTheBodyFunction) {
  const std::string text =
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"
      "5;name=value\r\nhello\r\n"
      "1A\r\n abcdefghijklmnopqrstuvwxy\r\n"
      "0\r\nExpires: never\r\n\r\n";
  for (std::size_t step : {1u, 3u, 7u, 1000u}) {
    std::string body;
    int pieces = 0;
    HttpResponseParser p(false, [&](std::string_view piece) {
      body.append(piece);
      ++pieces;
      return true;
    });
    EXPECT_EQ(feed_in_steps(p, text, step), text.size());
    ASSERT_TRUE(p.done()) << p.error();
    EXPECT_EQ(body, "hello abcdefghijklmnopqrstuvwxy");
    EXPECT_TRUE(p.body().empty());  // the function took it
    EXPECT_GE(pieces, 2);
    EXPECT_TRUE(p.keep_alive());
  }
}

TEST(HttpResponseParser, ABodyWithoutLengthEndsWithTheConnection) {
  HttpResponseParser p;
  const std::string text = "HTTP/1.0 200 OK\nServer: old\n\nline one\nline two";
  EXPECT_EQ(p.feed(text), text.size());
  EXPECT_FALSE(p.done());
  p.end_of_input();
  ASSERT_TRUE(p.done());
  EXPECT_EQ(p.body(), "line one\nline two");
  EXPECT_FALSE(p.keep_alive());
  EXPECT_EQ(p.header("server"), "old");
}

TEST(HttpResponseParser, SomeAnswersHaveNoBody) {
  for (const char* text : {"HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n",
                           "HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\n",
                           "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"}) {
    HttpResponseParser p;
    p.feed(text);
    EXPECT_TRUE(p.done()) << text;
    EXPECT_TRUE(p.body().empty());
  }
  HttpResponseParser head(true);  // the answer to a HEAD request
  head.feed("HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\n");
  EXPECT_TRUE(head.done());
}

TEST(HttpResponseParser, SkipsAnInterimAnswer) {
  HttpResponseParser p;
  p.feed("HTTP/1.1 100 Continue\r\nX-Early: 1\r\n\r\nHTTP/1.1 201 Created\r\n");
  EXPECT_FALSE(p.head_done());
  EXPECT_EQ(p.status(), 0);
  p.feed("Content-Length: 2\r\n\r\nok");
  ASSERT_TRUE(p.done());
  EXPECT_EQ(p.status(), 201);
  EXPECT_EQ(p.header("X-Early"), "");
  EXPECT_EQ(p.body(), "ok");
}

TEST(HttpResponseParser, StopsAtTheEndOfItsResponse) {
  HttpResponseParser p;
  const std::string first = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc";
  EXPECT_EQ(p.feed(first + "HTTP/1.1 200 OK\r\n"), first.size());
  EXPECT_TRUE(p.done());
  EXPECT_EQ(p.body(), "abc");
  EXPECT_EQ(p.feed("more"), 0u);
}

TEST(HttpResponseParser, KeepAliveFollowsVersionAndConnectionHeader) {
  auto keeps = [](const std::string& head) {
    HttpResponseParser p;
    p.feed(head + "Content-Length: 0\r\n\r\n");
    EXPECT_TRUE(p.done());
    return p.keep_alive();
  };
  EXPECT_TRUE(keeps("HTTP/1.1 200 OK\r\n"));
  EXPECT_FALSE(keeps("HTTP/1.1 200 OK\r\nConnection: Close\r\n"));
  EXPECT_FALSE(keeps("HTTP/1.1 200 OK\r\nConnection: upgrade, close\r\n"));
  EXPECT_FALSE(keeps("HTTP/1.0 200 OK\r\n"));
  EXPECT_TRUE(keeps("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\n"));
}

TEST(HttpResponseParser, AFieldSentTwiceIsOneList) {
  HttpResponseParser chunked;
  const std::string text =
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\nConnection: keep-alive\r\n"
      "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n3\r\nabc\r\n0\r\n\r\n";
  EXPECT_EQ(chunked.feed(text), text.size());
  ASSERT_TRUE(chunked.done()) << chunked.error();
  EXPECT_EQ(chunked.body(), "abc");  // framed by the chunks, not by the connection's end
  EXPECT_FALSE(chunked.keep_alive());
  EXPECT_EQ(chunked.header_list("transfer-encoding"), "gzip, chunked");
}

TEST(HttpResponseParser, ALinesLimitDoesNotDependOnHowItArrives) {
  for (const std::size_t length :
       {HttpResponseParser::kMaxLine, HttpResponseParser::kMaxLine + 1}) {
    // A chunk-size line of `length` characters, most of them a chunk extension.
    const std::string text = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1;" +
                             std::string(length - 2, 'e') + "\r\nx\r\n0\r\n\r\n";
    HttpResponseParser whole;
    whole.feed(text);
    HttpResponseParser bytewise;
    feed_in_steps(bytewise, text, 1);
    const bool fits = length <= HttpResponseParser::kMaxLine;
    EXPECT_EQ(whole.done(), fits) << length << whole.error();
    EXPECT_EQ(bytewise.done(), fits) << length << bytewise.error();
    EXPECT_EQ(whole.error(), bytewise.error()) << length;
  }
}

TEST(HttpResponseParser, ABodyFunctionThatSaysNoCancels) {
  HttpResponseParser p(false, [](std::string_view) { return false; });
  p.feed("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nbody");
  EXPECT_TRUE(p.failed());
  EXPECT_EQ(p.error(), "canceled");
  EXPECT_FALSE(p.keep_alive());
}

struct Broken {
  std::string text;
  std::string error;  // a part of the error
};

TEST(HttpResponseParser, NamesWhatIsWrongWithABrokenResponse) {
  const std::vector<Broken> cases = {
      {"SMTP/1.1 200 OK\r\n\r\n", "bad status line"},
      {"HTTP/1.1 20 OK\r\n\r\n", "bad status line"},
      {"HTTP/1.1 abc OK\r\n\r\n", "bad status line"},
      {"HTTP/1.1 999 Odd\r\n\r\n", "bad status line"},
      {"HTTP/2.0 200 OK\r\n\r\n", "bad status line"},
      {"HTTP/1.1 200 OK\r\nno colon here\r\n\r\n", "bad header line"},
      {"HTTP/1.1 200 OK\r\nbad name: x\r\n\r\n", "bad header name"},
      {"HTTP/1.1 200 OK\r\nA: 1\r\n folded\r\n\r\n", "folded header"},
      {"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", "bad Content-Length"},
      {"HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n", "bad Content-Length"},
      {"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", "conflicting"},
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "bad chunk size"},
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1000000000000000\r\n",
       "bad chunk size"},
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n", "longer than its size"},
      {"HTTP/1.1 101 Switching Protocols\r\n\r\n", "switched protocols"},
  };
  for (const Broken& c : cases) {
    HttpResponseParser p;
    p.feed(c.text);
    EXPECT_TRUE(p.failed()) << c.text;
    EXPECT_NE(p.error().find(c.error), std::string::npos) << c.text << ": " << p.error();
    EXPECT_FALSE(p.keep_alive());
  }
}

TEST(HttpResponseParser, RefusesAHeadTooLongOrWithTooManyHeaders) {
  HttpResponseParser long_head;
  long_head.feed("HTTP/1.1 200 OK\r\nX: ");
  std::size_t fed = 0;
  while (!long_head.failed() && fed < 2 * HttpResponseParser::kMaxHead) {
    long_head.feed(std::string(1000, 'a'));
    fed += 1000;
  }
  EXPECT_TRUE(long_head.failed());
  EXPECT_NE(long_head.error().find("too long"), std::string::npos);
  EXPECT_LE(fed, HttpResponseParser::kMaxHead + 1000);

  std::string many = "HTTP/1.1 200 OK\r\n";
  for (std::size_t i = 0; i <= HttpResponseParser::kMaxHeaders; ++i)
    many += "X-" + std::to_string(i) + ": 1\r\n";
  HttpResponseParser p;
  p.feed(many + "\r\n");
  EXPECT_TRUE(p.failed());
  EXPECT_NE(p.error().find("too many headers"), std::string::npos);

  HttpResponseParser chunk_line;
  chunk_line.feed("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1;");
  chunk_line.feed(std::string(20000, 'e'));
  EXPECT_TRUE(chunk_line.failed());
  EXPECT_NE(chunk_line.error().find("too long"), std::string::npos);
}

TEST(HttpResponseParser, AConnectionThatEndsEarlySaysWhere) {
  HttpResponseParser none;
  none.end_of_input();
  EXPECT_TRUE(none.failed());
  EXPECT_NE(none.error().find("before a response"), std::string::npos);

  HttpResponseParser cut;
  cut.feed("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc");
  cut.end_of_input();
  EXPECT_TRUE(cut.failed());
  EXPECT_NE(cut.error().find("middle of the response"), std::string::npos);
  EXPECT_EQ(cut.status(), 200);
}

}  // namespace
}  // namespace steward
