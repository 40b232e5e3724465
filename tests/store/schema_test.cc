#include "store/schema.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <array>

#include "store/connection.h"
#include "store/store_reader.h"
#include "store/store_writer.h"
#include "tests/store/store_fixture.h"
#include "tests/support/temp_dir.h"

namespace labsweep::store {
namespace {

using std::chrono::milliseconds;
using testing::FailsWith;
using testing::IsOk;

class SchemaTest : public ::testing::Test {
 protected:
  Connection open() {
    Result<Connection> db = Connection::open(path_, AccessMode::kReadWrite, milliseconds(1000));
    EXPECT_THAT(db, IsOk());
    return std::move(db).value();
  }
  int64_t version(Connection& db) { return *schema_version(db); }
  bool has_table(Connection& db, const std::string& name) {
    return *db.query_int("SELECT count(*) FROM sqlite_schema WHERE name = '" + name + "'",
                         "look up table") == 1;
  }

  ::labsweep::testing::TempDir dir_;
  std::filesystem::path path_ = dir_.path() / "labsweep.db";
};

TEST_F(SchemaTest, TheVersionIsTheNumberOfMigrations) {
  EXPECT_EQ(current_schema_version(), static_cast<int64_t>(migrations().size()));
  EXPECT_GE(current_schema_version(), 1);
}

TEST_F(SchemaTest, AnEmptyFileIsMigratedToTheCurrentVersion) {
  Connection db = open();
  EXPECT_EQ(version(db), 0);
  ASSERT_THAT(migrate(db, migrations()), IsOk());
  EXPECT_EQ(version(db), current_schema_version());
  for (const char* table : {"sweeps", "trials", "metric_keys", "metric_points", "trial_summaries",
                            "agents", "events", "trials_by_sweep", "trials_by_sweep_status"}) {
    EXPECT_TRUE(has_table(db, table)) << table;
  }
  EXPECT_THAT(check_schema_version(db, current_schema_version()), IsOk());
}

TEST_F(SchemaTest, MigratingAgainChangesNothing) {
  Connection db = open();
  ASSERT_THAT(migrate(db, migrations()), IsOk());
  ASSERT_THAT(migrate(db, migrations()), IsOk());
  EXPECT_EQ(version(db), current_schema_version());
}

TEST_F(SchemaTest, AnOlderDatabaseIsBroughtForwardKeepingItsRows) {
  constexpr std::array<std::string_view, 3> steps = {
      "CREATE TABLE a (x INTEGER)",
      "ALTER TABLE a ADD COLUMN y INTEGER NOT NULL DEFAULT 7",
      "CREATE TABLE b (z INTEGER); INSERT INTO b SELECT x + y FROM a",
  };
  Connection db = open();
  ASSERT_THAT(migrate(db, std::span(steps).first(1)), IsOk());
  EXPECT_EQ(version(db), 1);
  ASSERT_THAT(db.exec("INSERT INTO a (x) VALUES (1)", "insert"), IsOk());
  ASSERT_THAT(migrate(db, steps), IsOk());
  EXPECT_EQ(version(db), 3);
  EXPECT_EQ(*db.query_int("SELECT z FROM b", "read"), 8);
}

TEST_F(SchemaTest, AFailingStepLeavesTheLastVersionThatCommitted) {
  constexpr std::array<std::string_view, 3> steps = {
      "CREATE TABLE a (x INTEGER)",
      "CREATE TABLE b (x INTEGER); CREATE TABLE a (x INTEGER)",  // fails after creating b
      "CREATE TABLE c (x INTEGER)",
  };
  Connection db = open();
  EXPECT_THAT(migrate(db, steps), FailsWith(StatusCode::kInternal,
                                            "migrate to schema version 2: table a already exists"));
  EXPECT_EQ(version(db), 1);
  EXPECT_TRUE(has_table(db, "a"));
  EXPECT_FALSE(has_table(db, "b"));  // the step's transaction was rolled back
  EXPECT_FALSE(has_table(db, "c"));
  EXPECT_FALSE(db.in_transaction());
}

TEST_F(SchemaTest, ANewerDatabaseIsRefusedAndLeftAlone) {
  {
    Connection db = open();
    ASSERT_THAT(migrate(db, migrations()), IsOk());
    ASSERT_THAT(db.exec("PRAGMA user_version = 99", "set version"), IsOk());
  }
  std::string expected = path_.string() +
                         ": schema version 99 is newer than this labsweep knows (" +
                         std::to_string(current_schema_version()) + "); use a newer labsweep";
  EXPECT_THAT(StoreWriter::open(path_), FailsWith(StatusCode::kFailedPrecondition, expected));
  EXPECT_THAT(StoreReader::open(path_), FailsWith(StatusCode::kFailedPrecondition, expected));
  Connection db = open();
  EXPECT_EQ(version(db), 99);
}

TEST_F(SchemaTest, AReaderDoesNotMigrate) {
  { Connection db = open(); }  // an empty database, version 0
  EXPECT_THAT(StoreReader::open(path_), FailsWith(StatusCode::kFailedPrecondition,
                                                  path_.string() + ": schema version 0, expected " +
                                                      std::to_string(current_schema_version()) +
                                                      "; the writer migrates it when it opens"));
  Result<std::unique_ptr<StoreWriter>> writer = StoreWriter::open(path_);
  ASSERT_THAT(writer, IsOk());
  EXPECT_THAT(StoreReader::open(path_), IsOk());
}

TEST_F(SchemaTest, TheWriterRefusesAFileThatIsNotADatabase) {
  std::string garbage = dir_.write(
      "notes.txt", "these are not the tables you are looking for\n" + std::string(4096, '.'));
  Result<std::unique_ptr<StoreWriter>> writer = StoreWriter::open(garbage);
  EXPECT_THAT(writer, FailsWith(StatusCode::kIoError,
                                "open " + garbage + ": set journal mode: file is not a database"));
}

TEST_F(SchemaTest, TheSchemaEnforcesItsChecks) {
  Connection db = open();
  ASSERT_THAT(migrate(db, migrations()), IsOk());
  EXPECT_THAT(db.exec("INSERT INTO sweeps (name, method, spec_text, seed, state, created_ms) "
                      "VALUES ('s', 'grid', '', 1, 'paused', 0)",
                      "insert"),
              FailsWith(StatusCode::kFailedPrecondition,
                        "insert: CHECK constraint failed: state IN ('running', 'completed', "
                        "'stopped')"));
  EXPECT_THAT(db.exec("INSERT INTO trials (sweep_id, suggestion_index, params_json, status, "
                      "created_ms) VALUES (42, 0, '{}', 'pending', 0)",
                      "insert"),
              FailsWith(StatusCode::kFailedPrecondition, "insert: FOREIGN KEY constraint failed"));
}

}  // namespace
}  // namespace labsweep::store
