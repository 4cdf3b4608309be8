// Journal backups (RocksDB checkpoint): a copy of a live journal opens and
// verifies on its own with the head it had when copied; `tidemark journal backup`.
#include <string>

#include <gtest/gtest.h>

#include "store/event_log.h"
#include "store/sha256.h"
#include "tests/testing/cli_runner.h"
#include "tests/testing/temp_dir.h"

namespace tidemark::store {
namespace {

void AppendNotes(EventLog& log, int n) {
  for (int i = 0; i < n; ++i) {
    Event e;
    e.run = "r";
    e.body = Note{"note " + std::to_string(i)};
    ASSERT_TRUE(log.Append(std::move(e), {"blob " + std::to_string(i)}).ok());
  }
}

TEST(JournalBackupTest, CopyOfLiveJournalOpensAndVerifiesAlone) {
  tidemark::testing::TempDir dir;
  auto log = EventLog::Open(dir / "journal", OpenMode::kCreate);
  ASSERT_TRUE(log.ok());
  AppendNotes(**log, 200);
  ASSERT_TRUE(log.value()->PutSnapshot(100, "snapshot bytes").ok());
  const Head at_backup = log.value()->head();
  ASSERT_TRUE(log.value()->Backup(dir / "copy").ok());
  AppendNotes(**log, 5);  // the live journal goes on; the copy must not see it
  auto copy = EventLog::Open(dir / "copy", OpenMode::kReadOnly);
  ASSERT_TRUE(copy.ok()) << copy.status().ToString();
  auto report = copy.value()->Verify();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->ok) << report->problem;
  EXPECT_EQ(report->events, 200u);
  EXPECT_EQ(report->head.seq, at_backup.seq);
  EXPECT_EQ(report->head.hash, at_backup.hash);
  EXPECT_EQ(copy.value()->journal_id(), log.value()->journal_id());
  EXPECT_EQ(*copy.value()->GetSnapshot(100).value(), "snapshot bytes");
  EXPECT_TRUE(copy.value()->GetBlob(Sha256Hex("blob 7")).value().has_value());
  // The copy is a journal in its own right: it takes a writer and appends.
  copy.value().reset();
  auto writable = EventLog::Open(dir / "copy", OpenMode::kWrite);
  ASSERT_TRUE(writable.ok()) << writable.status().ToString();
  AppendNotes(**writable, 1);
  EXPECT_EQ(writable.value()->head().seq, 201u);
}

TEST(JournalBackupTest, CliBackupPrintsTheCopysHeadAndRefusesAnExistingDir) {
  tidemark::testing::TempDir dir;
  const std::string journal = (dir / "journal").string();
  Head head;
  {
    auto log = EventLog::Open(journal, OpenMode::kCreate);
    ASSERT_TRUE(log.ok());
    AppendNotes(**log, 30);
    head = log.value()->head();
  }
  const std::string dest = (dir / "copy").string();
  auto r = tidemark::testing::RunTidemark({"journal", "backup", dest, "--journal", journal});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("head hash " + ToHex(head.hash)), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("head seq  30"), std::string::npos) << r.out;
  auto again = tidemark::testing::RunTidemark({"journal", "backup", dest, "--journal", journal});
  EXPECT_EQ(again.exit_code, 2);
  EXPECT_NE(again.err.find("already exists"), std::string::npos) << again.err;
  auto verify = tidemark::testing::RunTidemark({"verify", "--journal", dest});
  EXPECT_EQ(verify.exit_code, 0) << verify.err;
}

}  // namespace
}  // namespace tidemark::store
