#include "common/http_message_parser.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace steward {
namespace {

// Feeds `text` `step` bytes at a time, as a socket might deliver it.
std::size_t feed_in_steps(HttpMessageParser& p, const std::string& text, std::size_t step) {
  std::size_t used = 0;
  for (std::size_t at = 0; at < text.size(); at += step) {
    const std::string_view piece = std::string_view(text).substr(at, step);
    const std::size_t n = p.feed(piece);
    used += n;
    if (n < piece.size()) break;
  }
  return used;
}

TEST(HttpMessageParser, ReadsALengthFramedResponseWhateverTheSplit) {
  const std::string text =
      "HTTP/1.1 202 Accepted\r\nContent-Type: text/plain\r\nX-Thing:  spaced  \r\n"
      "Content-Length: 11\r\n\r\nhello world";
  for (std::size_t step : {1u, 2u, 5u, 17u, 1000u}) {
    HttpMessageParser p;
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

TEST(HttpMessageParser, ReadsChunksWithExtensionsAndTrailersIntoTheBodyFunction) {
  const std::string text =
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"
      "5;name=value\r\nhello\r\n"
      "1A\r\n abcdefghijklmnopqrstuvwxy\r\n"
      "0\r\nExpires: never\r\n\r\n";
  for (std::size_t step : {1u, 3u, 7u, 1000u}) {
    std::string body;
    int pieces = 0;
    HttpMessageParser p(false, [&](std::string_view piece) {
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

// A declared length gets its room with the body's first bytes (a large ACCEPT is not grown
// step by step), a head alone none, and a length claimed beyond the bound only the bound.
TEST(HttpMessageParser, ABodyOfADeclaredLengthHasItsRoomAtOnceUpToABound) {
  const std::string body(300000, 'x');
  const std::string head =
      "POST /api HTTP/1.1\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n";
  auto p = HttpMessageParser::request(64 * 1024 * 1024);
  ASSERT_EQ(p.feed(head), head.size());
  EXPECT_LT(p.body().capacity(), 1024u) << "room made for a head alone";
  ASSERT_EQ(p.feed(std::string_view(body).substr(0, 1000)), 1000u);
  EXPECT_GE(p.body().capacity(), body.size());
  const char* room = p.body().data();
  ASSERT_EQ(feed_in_steps(p, body.substr(1000), 1000), body.size() - 1000);
  ASSERT_TRUE(p.done()) << p.error();
  EXPECT_EQ(p.body(), body);
  EXPECT_EQ(p.body().data(), room) << "the body moved while it arrived";

  const std::string claim = "POST /api HTTP/1.1\r\nContent-Length: 60000000\r\n\r\nx";
  auto q = HttpMessageParser::request(64 * 1024 * 1024);
  ASSERT_EQ(q.feed(claim), claim.size());
  EXPECT_FALSE(q.failed()) << q.error();
  EXPECT_GE(q.body().capacity(), HttpMessageParser::kReservedBody);
  EXPECT_LT(q.body().capacity(), 2 * HttpMessageParser::kReservedBody);
}

TEST(HttpMessageParser, ABodyWithoutLengthEndsWithTheConnection) {
  HttpMessageParser p;
  const std::string text = "HTTP/1.0 200 OK\nServer: old\n\nline one\nline two";
  EXPECT_EQ(p.feed(text), text.size());
  EXPECT_FALSE(p.done());
  p.end_of_input();
  ASSERT_TRUE(p.done());
  EXPECT_EQ(p.body(), "line one\nline two");
  EXPECT_FALSE(p.keep_alive());
  EXPECT_EQ(p.header("server"), "old");
}

TEST(HttpMessageParser, SomeAnswersHaveNoBody) {
  for (const char* text : {"HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n",
                           "HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\n",
                           "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"}) {
    HttpMessageParser p;
    p.feed(text);
    EXPECT_TRUE(p.done()) << text;
    EXPECT_TRUE(p.body().empty());
  }
  HttpMessageParser head(true);  // the answer to a HEAD request
  head.feed("HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\n");
  EXPECT_TRUE(head.done());
}

TEST(HttpMessageParser, SkipsAnInterimAnswer) {
  HttpMessageParser p;
  p.feed("HTTP/1.1 100 Continue\r\nX-Early: 1\r\n\r\nHTTP/1.1 201 Created\r\n");
  EXPECT_FALSE(p.head_done());
  EXPECT_EQ(p.status(), 0);
  p.feed("Content-Length: 2\r\n\r\nok");
  ASSERT_TRUE(p.done());
  EXPECT_EQ(p.status(), 201);
  EXPECT_EQ(p.header("X-Early"), "");
  EXPECT_EQ(p.body(), "ok");
}

TEST(HttpMessageParser, StopsAtTheEndOfItsResponse) {
  HttpMessageParser p;
  const std::string first = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc";
  EXPECT_EQ(p.feed(first + "HTTP/1.1 200 OK\r\n"), first.size());
  EXPECT_TRUE(p.done());
  EXPECT_EQ(p.body(), "abc");
  EXPECT_EQ(p.feed("more"), 0u);
}

TEST(HttpMessageParser, KeepAliveFollowsVersionAndConnectionHeader) {
  auto keeps = [](const std::string& head) {
    HttpMessageParser p;
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

TEST(HttpMessageParser, AFieldSentTwiceIsOneList) {
  HttpMessageParser chunked;
  const std::string text =
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\nConnection: keep-alive\r\n"
      "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n3\r\nabc\r\n0\r\n\r\n";
  EXPECT_EQ(chunked.feed(text), text.size());
  ASSERT_TRUE(chunked.done()) << chunked.error();
  EXPECT_EQ(chunked.body(), "abc");  // framed by the chunks, not by the connection's end
  EXPECT_FALSE(chunked.keep_alive());
  EXPECT_EQ(chunked.header_list("transfer-encoding"), "gzip, chunked");
}

TEST(HttpMessageParser, ALinesLimitDoesNotDependOnHowItArrives) {
  for (const std::size_t length : {HttpMessageParser::kMaxLine, HttpMessageParser::kMaxLine + 1}) {
    // A chunk-size line of `length` characters, most of them a chunk extension.
    const std::string text = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1;" +
                             std::string(length - 2, 'e') + "\r\nx\r\n0\r\n\r\n";
    HttpMessageParser whole;
    whole.feed(text);
    HttpMessageParser bytewise;
    feed_in_steps(bytewise, text, 1);
    const bool fits = length <= HttpMessageParser::kMaxLine;
    EXPECT_EQ(whole.done(), fits) << length << whole.error();
    EXPECT_EQ(bytewise.done(), fits) << length << bytewise.error();
    EXPECT_EQ(whole.error(), bytewise.error()) << length;
  }
}

TEST(HttpMessageParser, ABodyFunctionThatSaysNoCancels) {
  HttpMessageParser p(false, [](std::string_view) { return false; });
  p.feed("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nbody");
  EXPECT_TRUE(p.failed());
  EXPECT_EQ(p.error(), "canceled");
  EXPECT_FALSE(p.keep_alive());
}

struct Broken {
  std::string text;
  std::string error;  // a part of the error
};

TEST(HttpMessageParser, NamesWhatIsWrongWithABrokenResponse) {
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
    HttpMessageParser p;
    p.feed(c.text);
    EXPECT_TRUE(p.failed()) << c.text;
    EXPECT_NE(p.error().find(c.error), std::string::npos) << c.text << ": " << p.error();
    EXPECT_FALSE(p.keep_alive());
  }
}

TEST(HttpMessageParser, RefusesAHeadTooLongOrWithTooManyHeaders) {
  HttpMessageParser long_head;
  long_head.feed("HTTP/1.1 200 OK\r\nX: ");
  std::size_t fed = 0;
  while (!long_head.failed() && fed < 2 * HttpMessageParser::kMaxHead) {
    long_head.feed(std::string(1000, 'a'));
    fed += 1000;
  }
  EXPECT_TRUE(long_head.failed());
  EXPECT_NE(long_head.error().find("too long"), std::string::npos);
  EXPECT_LE(fed, HttpMessageParser::kMaxHead + 1000);

  std::string many = "HTTP/1.1 200 OK\r\n";
  for (std::size_t i = 0; i <= HttpMessageParser::kMaxHeaders; ++i)
    many += "X-" + std::to_string(i) + ": 1\r\n";
  HttpMessageParser p;
  p.feed(many + "\r\n");
  EXPECT_TRUE(p.failed());
  EXPECT_NE(p.error().find("too many headers"), std::string::npos);

  HttpMessageParser chunk_line;
  chunk_line.feed("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1;");
  chunk_line.feed(std::string(20000, 'e'));
  EXPECT_TRUE(chunk_line.failed());
  EXPECT_NE(chunk_line.error().find("too long"), std::string::npos);
}

TEST(HttpMessageParser, AConnectionThatEndsEarlySaysWhere) {
  HttpMessageParser none;
  none.end_of_input();
  EXPECT_TRUE(none.failed());
  EXPECT_NE(none.error().find("before a response"), std::string::npos);

  HttpMessageParser cut;
  cut.feed("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc");
  cut.end_of_input();
  EXPECT_TRUE(cut.failed());
  EXPECT_NE(cut.error().find("middle of the response"), std::string::npos);
  EXPECT_EQ(cut.status(), 200);
}

TEST(HttpMessageParser, ReadsARequestWhateverTheSplitAndStopsAtItsEnd) {
  const std::string first =
      "\r\nPOST /v1/plans/deploy/start?phase=a%20b HTTP/1.1\r\nHost: x\r\n"
      "Content-Length: 4\r\n\r\nbody";
  const std::string chunked =
      "PUT /x HTTP/1.0\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n"
      "2;ext=1\r\nab\r\n1\r\nc\r\n0\r\nTrailer: t\r\n\r\n";
  const std::string bare = "GET / HTTP/1.1\r\nConnection: close\r\n\r\n";
  for (std::size_t step : {1u, 3u, 7u, 1000u}) {
    // Three requests back to back: each parse takes only its own bytes.
    std::string text = first + chunked + bare;
    auto p = HttpMessageParser::request(100);
    std::size_t used = feed_in_steps(p, text, step);
    ASSERT_TRUE(p.done()) << step << " " << p.error();
    EXPECT_EQ(used, first.size());
    EXPECT_TRUE(p.is_request());
    EXPECT_EQ(p.method(), "POST");
    EXPECT_EQ(p.target(), "/v1/plans/deploy/start?phase=a%20b");
    EXPECT_EQ(p.header("host"), "x");
    EXPECT_EQ(p.body(), "body");
    EXPECT_TRUE(p.keep_alive());
    text.erase(0, used);

    auto q = HttpMessageParser::request(100);
    used = feed_in_steps(q, text, step);
    ASSERT_TRUE(q.done()) << step << " " << q.error();
    EXPECT_EQ(used, chunked.size());
    EXPECT_EQ(q.method(), "PUT");
    EXPECT_EQ(q.body(), "abc");
    EXPECT_TRUE(q.keep_alive());  // HTTP/1.0 that asked for it
    text.erase(0, used);

    auto r = HttpMessageParser::request(100);
    EXPECT_EQ(feed_in_steps(r, text, step), bare.size());
    ASSERT_TRUE(r.done()) << r.error();  // no length and no chunks: no body
    EXPECT_EQ(r.body(), "");
    EXPECT_FALSE(r.keep_alive());
  }
}

TEST(HttpMessageParser, ARequestThatAsksToContinueSaysSoUntilItsBodyIsIn) {
  auto p = HttpMessageParser::request(100);
  p.feed("POST / HTTP/1.1\r\nExpect: 100-Continue\r\nContent-Length: 2\r\n\r\n");
  EXPECT_TRUE(p.expects_continue());
  p.feed("ok");
  EXPECT_TRUE(p.done());
  EXPECT_FALSE(p.expects_continue());
  // HTTP/1.0 has no interim answers.
  auto old = HttpMessageParser::request(100);
  old.feed("POST / HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n");
  EXPECT_FALSE(old.expects_continue());
}

TEST(HttpMessageParser, NamesWhatIsWrongWithABrokenRequestAndTheStatusToAnswer) {
  struct Case {
    std::string text;
    int status;
    std::string says;
  };
  const Case cases[] = {
      {"GET\r\n\r\n", 400, "bad request line"},
      {"GET  / HTTP/1.1\r\n\r\n", 400, "bad request line"},
      {"GET / HTTP/1.1 extra\r\n\r\n", 400, "bad request line"},
      {"G(T / HTTP/1.1\r\n\r\n", 400, "bad request line"},
      {"GET / HTTQ/1.1\r\n\r\n", 400, "bad request line"},
      {"GET / HTTP/1.2\r\n\r\n", 505, "HTTP version \"1.2\" is not supported"},
      {"GET / HTTP/1.1\r\n folded\r\n\r\n", 400, "folded header line"},
      {"POST / HTTP/1.1\r\nContent-Length: 101\r\n\r\n", 413, "longer than 100 bytes"},
      {"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n65\r\n", 413, "longer than 100 bytes"},
      {"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n40\r\n" + std::string(64, 'a') +
           "\r\n40\r\n",
       413, "longer than 100 bytes"},
      {"POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", 501, "\"gzip\" is not implemented"},
      {"GET /" + std::string(HttpMessageParser::kMaxTarget, 'a') + " HTTP/1.1\r\n\r\n", 414,
       "the request target is longer than 8192 bytes"},
      {"POST / HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n", 400,
       "both Transfer-Encoding and Content-Length"},
      {"GET / HTTP/1.1\r\n" + std::string(HttpMessageParser::kMaxHead, 'a'), 431,
       "request head is too long"},
  };
  for (const Case& c : cases) {
    auto p = HttpMessageParser::request(100);
    p.feed(c.text);
    ASSERT_TRUE(p.failed()) << c.text;
    EXPECT_EQ(p.error_status(), c.status) << c.text;
    EXPECT_NE(p.error().find(c.says), std::string::npos) << c.text << ": " << p.error();
  }
  auto early = HttpMessageParser::request(100);
  early.end_of_input();
  EXPECT_EQ(early.error(), "the connection closed before a request");
}

}  // namespace
}  // namespace steward
