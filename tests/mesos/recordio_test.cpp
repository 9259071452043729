#include "mesos/recordio.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace steward::mesos {
namespace {

TEST(RecordIo, EncodesLengthNewlinePayload) {
  EXPECT_EQ(recordio_encode(R"({"type":"HEARTBEAT"})"), "20\n{\"type\":\"HEARTBEAT\"}");
}

TEST(RecordIo, ReassemblesRecordsAcrossArbitraryChunks) {
  std::string stream;
  std::vector<std::string> records;
  for (int i = 0; i < 50; ++i) {
    records.push_back(
        std::string(static_cast<std::size_t>(1 + i * 37), static_cast<char>('a' + i % 26)));
    stream += recordio_encode(records.back());
  }
  std::mt19937 rng(3);
  RecordIoReader reader;
  std::vector<std::string> out;
  for (std::size_t at = 0; at < stream.size();) {
    std::size_t n = 1 + rng() % 97;
    reader.feed(std::string_view(stream).substr(at, n));
    at += n;
    while (auto r = reader.next())
      out.push_back(*r);
  }
  EXPECT_EQ(out, records);
  EXPECT_TRUE(reader.error().empty());
}

TEST(RecordIo, ABufferGrownForOneLargeRecordIsGivenBackOnceConsumed) {
  RecordIoReader reader;
  const std::string big(4 * 1024 * 1024, 'x');
  reader.feed(recordio_encode(big));
  EXPECT_GT(reader.capacity(), RecordIoReader::kKeptCapacity);
  EXPECT_EQ(reader.next(), big);
  EXPECT_LE(reader.capacity(), RecordIoReader::kKeptCapacity);
  // Reading goes on as before.
  reader.feed(recordio_encode("after"));
  EXPECT_EQ(reader.next(), "after");
  EXPECT_EQ(reader.next(), std::nullopt);
  // A large record followed by part of the next: nothing of the next is lost, and the buffer
  // goes once that one is read too.
  const std::string next = recordio_encode("the next record");
  reader.feed(recordio_encode(big) + next.substr(0, 5));
  EXPECT_EQ(reader.next(), big);
  EXPECT_EQ(reader.next(), std::nullopt);
  reader.feed(next.substr(5));
  EXPECT_EQ(reader.next(), "the next record");
  EXPECT_LE(reader.capacity(), RecordIoReader::kKeptCapacity);
}

// A large record's bytes go into room made for them once its length is read: the buffer is
// not doubled on the way (a 5 MB record left an 8 MB buffer, and a copy at each doubling),
// not even by the next record's start arriving with its end.
TEST(RecordIo, ALargeRecordArrivingInChunksIsBufferedInRoomForItsLength) {
  RecordIoReader reader;
  const std::string big(5 * 1000 * 1000, 'o');
  const std::string first = recordio_encode(big);
  const std::string stream = first + recordio_encode("next");
  constexpr std::size_t kChunk = 48 * 1024;
  std::size_t most = 0;
  std::vector<std::string> got;
  for (std::size_t at = 0; at < stream.size(); at += kChunk) {
    reader.feed(std::string_view(stream).substr(at, kChunk));
    most = std::max(most, reader.capacity());
    while (auto r = reader.next())
      got.push_back(std::move(*r));
  }
  EXPECT_EQ(got, (std::vector<std::string>{big, "next"}));
  EXPECT_LE(most, first.size() + RecordIoReader::kFollowing);
  EXPECT_LE(reader.capacity(), RecordIoReader::kKeptCapacity);
}

// Large and small records, in chunks of any size: each comes out whole and in order.
TEST(RecordIo, ReassemblesLargeRecordsAmongSmallOnes) {
  std::mt19937 rng(11);
  std::string stream;
  std::vector<std::string> records;
  for (int i = 0; i < 40; ++i) {
    const std::size_t size =
        rng() % 3 == 0 ? RecordIoReader::kKeptCapacity + rng() % 400000 : 1 + rng() % 2000;
    std::string r(size, static_cast<char>('a' + i % 26));
    r.front() = '{';
    r.back() = static_cast<char>('0' + i % 10);
    records.push_back(r);
    stream += recordio_encode(r);
  }
  RecordIoReader reader;
  std::vector<std::string> out;
  for (std::size_t at = 0; at < stream.size();) {
    const std::size_t n = 1 + rng() % 300000;
    reader.feed(std::string_view(stream).substr(at, n));
    at += n;
    while (auto r = reader.next())
      out.push_back(std::move(*r));
  }
  EXPECT_EQ(out, records);
  EXPECT_TRUE(reader.error().empty());
}

TEST(RecordIo, WaitsForTheRestOfARecord) {
  RecordIoReader reader;
  reader.feed("5\nhel");
  EXPECT_FALSE(reader.next());
  reader.feed("lo3\nabc");
  EXPECT_EQ(reader.next(), "hello");
  EXPECT_EQ(reader.next(), "abc");
  EXPECT_FALSE(reader.next());
}

TEST(RecordIo, BrokenStreamsAreErrorsNotHangsOrHugeAllocations) {
  for (const char* bad : {"x\n", "\nabc", "0\n", "-1\nabc", "123456789012345678901234"}) {
    RecordIoReader reader;
    reader.feed(bad);
    EXPECT_FALSE(reader.next()) << bad;
    EXPECT_FALSE(reader.error().empty()) << bad;
    EXPECT_FALSE(reader.next());  // stays failed
  }
  RecordIoReader small(10);
  small.feed("11\n");
  EXPECT_FALSE(small.next());
  EXPECT_EQ(small.error(), "record of more than 10 bytes");
}

}  // namespace
}  // namespace steward::mesos
