#include "store/connection.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "store/statement.h"
#include "store/statement_cache.h"
#include "tests/store/store_fixture.h"
#include "tests/support/temp_dir.h"

namespace labsweep::store {
namespace {

using std::chrono::milliseconds;
using testing::FailsWith;
using testing::IsOk;

class ConnectionTest : public ::testing::Test {
 protected:
  Connection open(AccessMode mode = AccessMode::kReadWrite) {
    Result<Connection> db = Connection::open(path_, mode, milliseconds(1234));
    EXPECT_THAT(db, IsOk());
    return std::move(db).value();
  }

  ::labsweep::testing::TempDir dir_;
  std::filesystem::path path_ = dir_.path() / "test.db";
};

TEST_F(ConnectionTest, AWriterConnectionIsDurableWalWithForeignKeys) {
  Connection db = open();
  EXPECT_EQ(*db.query_int("PRAGMA synchronous", "read"), 2);  // FULL
  EXPECT_EQ(*db.query_int("PRAGMA foreign_keys", "read"), 1);
  EXPECT_EQ(*db.query_int("PRAGMA busy_timeout", "read"), 1234);
  StatementCache cache(db);
  Result<StatementLease> mode = cache.lease("PRAGMA journal_mode");
  ASSERT_THAT(mode, IsOk());
  ASSERT_THAT(mode->get().step(), IsOk());
  EXPECT_EQ(mode->get().text(0), "wal");
}

TEST_F(ConnectionTest, AReadOnlyConnectionRefusesWrites) {
  Connection writer = open();
  ASSERT_THAT(writer.exec("CREATE TABLE t (x INTEGER)", "create"), IsOk());
  Connection reader = open(AccessMode::kReadOnly);
  EXPECT_EQ(*reader.query_int("PRAGMA busy_timeout", "read"), 1234);
  Status status = reader.exec("INSERT INTO t VALUES (1)", "insert");
  EXPECT_FALSE(status.is_ok());
  EXPECT_THAT(status.message(), ::testing::StartsWith("insert: "));
}

TEST_F(ConnectionTest, OpenErrorsNameTheFileAndSqlitesReason) {
  std::filesystem::path missing = dir_.path() / "no-such-dir" / "x.db";
  EXPECT_THAT(Connection::open(missing, AccessMode::kReadWrite, milliseconds(0)),
              FailsWith(StatusCode::kIoError,
                        "open " + missing.string() + ": unable to open database file"));
  std::string garbage = dir_.write("garbage.db", std::string(4096, 'x'));
  EXPECT_THAT(Connection::open(garbage, AccessMode::kReadWrite, milliseconds(0)),
              FailsWith(StatusCode::kIoError,
                        "open " + garbage + ": set journal mode: file is not a database"));
  EXPECT_THAT(Connection::open(garbage, AccessMode::kReadOnly, milliseconds(0)),
              FailsWith(StatusCode::kIoError,
                        "open " + garbage + ": read schema version: file is not a database"));
}

TEST_F(ConnectionTest, MovingHandsOverTheHandle) {
  Connection first = open();
  sqlite3* handle = first.get();
  Connection second = std::move(first);
  EXPECT_EQ(second.get(), handle);
  EXPECT_EQ(first.get(), nullptr);  // NOLINT(bugprone-use-after-move): the moved-from state
  first = std::move(second);
  EXPECT_EQ(first.get(), handle);
}

TEST_F(ConnectionTest, StatementErrorsCarrySqlitesMessage) {
  Connection db = open();
  EXPECT_THAT(Statement::prepare(db, "SELEKT 1"),
              FailsWith(StatusCode::kInternal, "prepare: near \"SELEKT\": syntax error"));
  EXPECT_THAT(
      Statement::prepare(db, "SELECT 1; SELECT 2"),
      FailsWith(StatusCode::kInternal, "prepare: more than one statement in 'SELECT 1; SELECT 2'"));
  Result<Statement> select = Statement::prepare(db, "SELECT ?1");
  ASSERT_THAT(select, IsOk());
  // A failed bind is reported by the next step.
  EXPECT_THAT(select->bind(5, int64_t{1}).step(),
              FailsWith(StatusCode::kInternal, "bind: column index out of range"));
  select->reset();
  EXPECT_THAT(select->bind(1, int64_t{1}).step(), IsOk());
}

TEST_F(ConnectionTest, ConstraintViolationsAreFailedPreconditions) {
  Connection db = open();
  ASSERT_THAT(db.exec("CREATE TABLE t (x INTEGER PRIMARY KEY)", "create"), IsOk());
  ASSERT_THAT(db.exec("INSERT INTO t VALUES (1)", "insert"), IsOk());
  EXPECT_THAT(
      db.exec("INSERT INTO t VALUES (1)", "insert again"),
      FailsWith(StatusCode::kFailedPrecondition, "insert again: UNIQUE constraint failed: t.x"));
}

TEST_F(ConnectionTest, ValuesRoundTripThroughAStatement) {
  Connection db = open();
  Result<Statement> select = Statement::prepare(db, "SELECT ?1, ?2, ?3, ?4, ?5");
  ASSERT_THAT(select, IsOk());
  std::string with_nul("a\0b", 3);
  select->bind(1, int64_t{-5}).bind(2, 2.5).bind(3, with_nul).bind(4, std::nullopt);
  select->bind(5, std::numeric_limits<double>::quiet_NaN());
  ASSERT_THAT(select->step(), IsOk());
  EXPECT_EQ(select->int64(0), -5);
  EXPECT_EQ(select->real(1), 2.5);
  EXPECT_EQ(select->text(2), with_nul);
  EXPECT_TRUE(select->is_null(3));
  EXPECT_EQ(select->optional_int64(3), std::nullopt);
  EXPECT_TRUE(std::isnan(select->real(4)));  // NaN goes in as NULL and comes out as NaN
}

TEST_F(ConnectionTest, TheCachePreparesOnceAndLeasesResetTheStatement) {
  Connection db = open();
  ASSERT_THAT(db.exec("CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1), (2)", "fill"), IsOk());
  StatementCache cache(db);
  const Statement* first = nullptr;
  {
    Result<StatementLease> lease = cache.lease("SELECT x FROM t ORDER BY x");
    ASSERT_THAT(lease, IsOk());
    first = &lease->get();
    ASSERT_THAT(lease->get().step(), IsOk());
    EXPECT_EQ(lease->get().int64(0), 1);
  }  // read only partly: the lease resets it
  Result<StatementLease> again = cache.lease("SELECT x FROM t ORDER BY x");
  ASSERT_THAT(again, IsOk());
  EXPECT_EQ(&again->get(), first);
  EXPECT_EQ(cache.size(), 1u);
  ASSERT_THAT(again->get().step(), IsOk());
  EXPECT_EQ(again->get().int64(0), 1);  // from the start again
}

}  // namespace
}  // namespace labsweep::store
