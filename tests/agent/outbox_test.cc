#include "agent/outbox.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "protocol/codec.h"
#include "tests/support/temp_dir.h"

namespace labsweep::agent {
namespace {

using labsweep::testing::TempDir;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

protocol::Metrics metrics(int64_t trial, int64_t step) {
  return {0, trial, {{step, "loss", 0.5, 1000}}};
}

// The sequence numbers of what the outbox hands out now, marking it sent.
std::vector<uint64_t> send_all(Outbox& outbox) {
  std::vector<uint64_t> seqs;
  outbox.send_pending([&](std::string_view frame) {
    Result<protocol::Message> m = protocol::decode(frame);
    EXPECT_TRUE(m.is_ok());
    if (auto* metrics = std::get_if<protocol::Metrics>(&m.value())) seqs.push_back(metrics->seq);
    if (auto* s = std::get_if<protocol::TrialStarted>(&m.value())) seqs.push_back(s->seq);
    if (auto* e = std::get_if<protocol::TrialEnded>(&m.value())) seqs.push_back(e->seq);
    return true;
  });
  return seqs;
}

TEST(OutboxTest, NumbersMessagesInOrderAndSendsEachOnce) {
  TempDir dir;
  auto outbox = Outbox::open(dir.path()).value();
  EXPECT_EQ(outbox->add(protocol::TrialStarted{0, 7, 1}), 1u);
  EXPECT_EQ(outbox->add(metrics(7, 0)), 2u);
  EXPECT_EQ(outbox->add(protocol::TrialEnded{0, 7, 0, 0, false, "", 2}), 3u);
  EXPECT_THAT(send_all(*outbox), ElementsAre(1, 2, 3));
  EXPECT_THAT(send_all(*outbox), IsEmpty());  // nothing new
  outbox->add(metrics(7, 1));
  EXPECT_THAT(send_all(*outbox), ElementsAre(4));
}

TEST(OutboxTest, AckIsCumulativeAndTrimsOnlyWhatItCovers) {
  TempDir dir;
  auto outbox = Outbox::open(dir.path()).value();
  for (int i = 0; i < 5; ++i) outbox->add(metrics(1, i));
  send_all(*outbox);
  outbox->ack(3);
  EXPECT_EQ(outbox->unacked(), 2u);
  outbox->rewind();
  EXPECT_THAT(send_all(*outbox), ElementsAre(4, 5));
  outbox->ack(2);  // an older ack changes nothing
  EXPECT_EQ(outbox->unacked(), 2u);
  outbox->ack(5);
  EXPECT_EQ(outbox->unacked(), 0u);
  EXPECT_EQ(outbox->memory_bytes(), 0u);
}

TEST(OutboxTest, RewindResendsEverythingUnackedInOrder) {
  TempDir dir;
  auto outbox = Outbox::open(dir.path()).value();
  for (int i = 0; i < 4; ++i) outbox->add(metrics(1, i));
  EXPECT_THAT(send_all(*outbox), ElementsAre(1, 2, 3, 4));
  outbox->ack(1);
  outbox->rewind();  // reconnected: 2..4 were perhaps lost with the old connection
  outbox->add(metrics(1, 9));
  EXPECT_THAT(send_all(*outbox), ElementsAre(2, 3, 4, 5));
}

TEST(OutboxTest, AFullTransportGetsTheSameMessageAgain) {
  TempDir dir;
  auto outbox = Outbox::open(dir.path()).value();
  for (int i = 0; i < 3; ++i) outbox->add(metrics(1, i));
  int taken = 0;
  outbox->send_pending([&](std::string_view) { return ++taken <= 1; });
  EXPECT_THAT(send_all(*outbox), ElementsAre(2, 3));
}

TEST(OutboxTest, SpillsBeyondTheMemoryBoundAndReadsBackInOrder) {
  TempDir dir;
  size_t frame = protocol::encode(metrics(1, 0)).size();
  auto outbox = Outbox::open(dir.path(), 3 * frame).value();
  for (int i = 0; i < 10; ++i) outbox->add(metrics(1, i));
  EXPECT_EQ(outbox->unacked(), 10u);
  EXPECT_EQ(outbox->spilled(), 7u);
  EXPECT_LE(outbox->memory_bytes(), 3 * frame);
  EXPECT_GT(std::filesystem::file_size(dir.path() / "outbox.spill"), 0u);
  // Only what is in memory is in flight; acks make room for the spilled messages, in order.
  EXPECT_THAT(send_all(*outbox), ElementsAre(1, 2, 3));
  outbox->ack(2);
  EXPECT_THAT(send_all(*outbox), ElementsAre(4, 5));
  outbox->ack(5);
  EXPECT_THAT(send_all(*outbox), ElementsAre(6, 7, 8));
  outbox->ack(8);
  EXPECT_THAT(send_all(*outbox), ElementsAre(9, 10));
  EXPECT_EQ(outbox->spilled(), 0u);
  EXPECT_EQ(std::filesystem::file_size(dir.path() / "outbox.spill"), 0u);  // emptied once read
  outbox->ack(10);
  EXPECT_EQ(outbox->unacked(), 0u);
}

TEST(OutboxTest, SequenceNumbersKeepIncreasingAcrossRestarts) {
  TempDir dir;
  uint64_t last = 0;
  {
    auto outbox = Outbox::open(dir.path()).value();
    for (int i = 0; i < 3; ++i) last = outbox->add(metrics(1, i));
  }
  auto outbox = Outbox::open(dir.path()).value();
  EXPECT_GT(outbox->add(metrics(1, 3)), last);
}

TEST(OutboxTest, ARestartResendsWhatTheLastRunSpilled) {
  TempDir dir;
  size_t frame = protocol::encode(metrics(1, 0)).size();
  {
    auto outbox = Outbox::open(dir.path(), frame).value();
    for (int i = 0; i < 4; ++i) outbox->add(metrics(1, i));  // 1 in memory (lost), 3 spilled
  }
  auto outbox = Outbox::open(dir.path()).value();
  EXPECT_THAT(send_all(*outbox), ElementsAre(2, 3, 4));
  EXPECT_GT(outbox->add(metrics(1, 9)), 4u);
}

TEST(OutboxTest, ACorruptSpillTailIsDroppedNotMisread) {
  TempDir dir;
  size_t frame = protocol::encode(metrics(1, 0)).size();
  {
    auto outbox = Outbox::open(dir.path(), frame).value();
    for (int i = 0; i < 4; ++i) outbox->add(metrics(1, i));
  }
  std::filesystem::path spill = dir.path() / "outbox.spill";
  uint64_t size = std::filesystem::file_size(spill);
  {
    // Flip a byte inside the last record: its checksum no longer matches.
    std::fstream f(spill, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(size - 3));
    f.put('\x7f');
  }
  auto outbox = Outbox::open(dir.path()).value();
  EXPECT_THAT(send_all(*outbox), ElementsAre(2, 3));
}

TEST(SpillFileTest, ATornTailIsCutOffAndAppendsContinueAfterTheGoodRecords) {
  TempDir dir;
  std::filesystem::path path = dir.path() / "spill";
  {
    auto file = SpillFile::open(path).value();
    ASSERT_TRUE(file->append(1, "one").is_ok());
    ASSERT_TRUE(file->append(2, "two").is_ok());
  }
  uint64_t good = std::filesystem::file_size(path);
  std::ofstream(path, std::ios::app | std::ios::binary) << std::string("\x05\x00\x00", 3);
  auto file = SpillFile::open(path).value();
  EXPECT_EQ(file->dropped_bytes(), 3u);
  EXPECT_EQ(std::filesystem::file_size(path), good);
  ASSERT_TRUE(file->append(3, "three").is_ok());
  EXPECT_EQ(file->read_next()->frame, "one");
  EXPECT_EQ(file->read_next()->frame, "two");
  std::optional<SpillFile::Record> third = file->read_next();
  ASSERT_TRUE(third.has_value());
  EXPECT_EQ(third->seq, 3u);
  EXPECT_EQ(third->frame, "three");
  EXPECT_FALSE(file->read_next().has_value());
}

TEST(SpillFileTest, AHugeLengthInAHeaderIsNotTrusted) {
  TempDir dir;
  std::filesystem::path path = dir.path() / "spill";
  std::string header(16, '\xff');  // length 4 GiB - 1
  std::ofstream(path, std::ios::binary) << header << "x";
  auto file = SpillFile::open(path).value();
  EXPECT_EQ(file->unread(), 0u);
  EXPECT_EQ(file->dropped_bytes(), 17u);
}

TEST(SpillFileTest, GarbageFilesOfEverySizeOpenWithoutRecords) {
  TempDir dir;
  std::filesystem::path path = dir.path() / "spill";
  for (size_t n = 0; n < 64; ++n) {
    std::ofstream(path, std::ios::binary | std::ios::trunc)
        << std::string(n, static_cast<char>('a' + n % 26));
    auto file = SpillFile::open(path).value();
    EXPECT_EQ(file->unread(), 0u) << n;
  }
}

TEST(SpillFileTest, Crc32MatchesTheStandardCheckValue) {
  EXPECT_EQ(crc32("123456789"), 0xCBF43926u);
}

}  // namespace
}  // namespace labsweep::agent
