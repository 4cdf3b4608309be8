// State snapshots: codec round trip, snapshot + tail equals the full fold at
// many points, damaged/foreign snapshots are skipped with fallback, periodic
// and checkpoint-time writing, and `verify --snapshots` / `tidemark snapshot`.
#include <cstdlib>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "engine/drift.h"
#include "engine/fold.h"
#include "engine/state_codec.h"
#include "store/event_log.h"
#include "tests/testing/cli_runner.h"
#include "tests/testing/temp_dir.h"

namespace tidemark::engine {
namespace {

using store::EventLog;
using store::OpenMode;

Event Ev(std::string run, std::string step, EventBody body) {
  Event e;
  e.run = std::move(run);
  e.step = std::move(step);
  e.body = std::move(body);
  return e;
}

// A journal that exercises every part of the fold: runs, steps, in-doubt and
// applied intents, failures, noops, observed changes, opaque actions,
// checkpoints, decisions and a rollback. Returns the head seq.
uint64_t FillJournal(EventLog& log, int runs) {
  for (int r = 0; r < runs; ++r) {
    const std::string run = "run-" + std::to_string(r);
    RunStarted rs;
    rs.plan_name = "plan " + std::to_string(r);
    rs.parameters = {{"primary", "SERVER1"}, {"n", std::to_string(r)}};
    rs.plan_sha256 = "abc";
    EXPECT_TRUE(log.Append(Ev(run, "", rs)).ok());
    for (int s = 0; s < 3; ++s) {
      const std::string step = "s" + std::to_string(s);
      EXPECT_TRUE(log.Append(Ev(run, step, StepStarted{"step " + step, "registry.set"})).ok());
      const Resource res = Resource::RegistryValue(
          "SERVER" + std::to_string(s), "HKLM\\SOFTWARE\\Outflow", "V" + std::to_string(r % 4));
      Intent in{res, Value::RegString("old"), Value::RegString("new" + std::to_string(r)),
                "registry.set@0", 0, s == 2};
      auto iseq = log.Append(Ev(run, step, in));
      EXPECT_TRUE(iseq.ok());
      if (s == 1 && r % 3 == 2) {
        EXPECT_TRUE(log.Append(Ev(run, step, Failed{*iseq, res, "denied"})).ok());
        EXPECT_TRUE(log.Append(Ev(run, step, StepFailed{"denied"})).ok());
        EXPECT_TRUE(log.Append(Ev(run, "", RunFailed{"step s1: denied"})).ok());
        break;
      }
      if (s == 2 && r % 4 == 3) break;  // an intent left in doubt
      EXPECT_TRUE(log.Append(Ev(run, step, Applied{*iseq, res, in.after, r % 2 == 0})).ok());
      const Resource cell = Resource::SqlCell("Registry", "OutflowServices",
                                              {KeyPart{"ServerId", Value::Integer(s)}}, "Url");
      EXPECT_TRUE(log.Append(Ev(run, step, Noop{cell, Value::Text("CN/" + step), "sql.update@1",
                                                false}))
                      .ok());
      EXPECT_TRUE(log.Append(Ev(run, step, ActionStarted{2, "exec", "setup.exe /q", "ff"})).ok());
      EXPECT_TRUE(log.Append(Ev(run, step,
                                Observed{Resource::Service("SERVER1", "dctomcat"), Value::Absent(),
                                         Value::Service(ServiceRun::kRunning, StartType::kAuto),
                                         false}))
                      .ok());
      EXPECT_TRUE(log.Append(Ev(run, step, ProcessStarted{2, 4000 + r, "boot/" + std::to_string(r)})).ok());
      if (s != 1 || r % 2 == 0) {
        EXPECT_TRUE(log.Append(Ev(run, step, ProcessExited{2, r % 3, r % 3 ? "exited with code" : ""})).ok());
      }
      if (s != 1) {
        EXPECT_TRUE(log.Append(Ev(run, step, ActionFinished{2, 0})).ok());
      }
      if (s == 0) {
        Checkpoint cp{"cp-" + std::to_string(r % 2), 0,
                      {BackupRecord{"Registry", "sqlite-vacuum-into", "/b/r.db", 42, "aa", true}}};
        EXPECT_TRUE(log.Append(Ev(run, step, cp)).ok());
      }
      if (s == 1) {
        EXPECT_TRUE(log.Append(Ev(run, step, Decision{0, "step-done", Value::Absent(), "x"})).ok());
      }
      EXPECT_TRUE(log.Append(Ev(run, step, StepFinished{})).ok());
    }
    if (r % 5 == 4) {
      EXPECT_TRUE(log.Append(Ev(run, "", RollbackStarted{"cp-0", 3, true, false})).ok());
      if (r % 10 != 9) {
        EXPECT_TRUE(log.Append(Ev(run, "", RollbackFinished{})).ok());
      }
    }
    if (r % 3 != 2) {
      EXPECT_TRUE(log.Append(Ev(run, "", RunFinished{})).ok());
    }
    EXPECT_TRUE(log.Append(Ev("", "", Note{"ticket " + std::to_string(r)})).ok());
  }
  return log.head().seq;
}

// The reference: a plain fold of events 1..up_to, no snapshots.
State FullFold(const EventLog& log, uint64_t up_to) {
  State state;
  EXPECT_TRUE(log.Scan(1, up_to, false, [&](const store::StoredEvent& e) {
                   state.Apply(e.event);
                   return true;
                 }).ok());
  return state;
}

std::string Encoded(const EventLog& log, const State& s) {
  auto e = log.Get(s.seq());
  return StateCodec::Encode(s, e.ok() ? e->hash : std::string(32, '\0'));
}

class SnapshotTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto log = EventLog::Open(dir_ / "journal", OpenMode::kCreate);
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    log_ = std::move(log).value();
    head_ = FillJournal(*log_, 12);
  }
  tidemark::testing::TempDir dir_;
  std::unique_ptr<EventLog> log_;
  uint64_t head_ = 0;
};

TEST_F(SnapshotTest, CodecRoundTripsEveryPartOfTheState) {
  const State full = FullFold(*log_, head_);
  ASSERT_FALSE(full.resources().empty());
  ASSERT_EQ(full.runs().size(), 12u);
  const std::string bytes = Encoded(*log_, full);
  auto decoded = StateCodec::Decode(bytes);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(decoded->seq, head_);
  EXPECT_EQ(decoded->format_version, kSnapshotFormatVersion);
  EXPECT_EQ(decoded->head_hash, log_->head().hash);
  EXPECT_EQ(Encoded(*log_, decoded->state), bytes);
  // Spot checks that the decoded state is the state, not just stable bytes.
  EXPECT_EQ(decoded->state.run_order(), full.run_order());
  const RunState* run = decoded->state.FindRun("run-3");
  ASSERT_NE(run, nullptr);
  EXPECT_EQ(run->in_doubt.size(), 1u);
  EXPECT_EQ(run->info.parameters, full.FindRun("run-3")->info.parameters);
  EXPECT_EQ(decoded->state.checkpoints().size(), 2u);
  for (const auto& [id, rs] : full.resources()) {
    auto it = decoded->state.resources().find(id);
    ASSERT_NE(it, decoded->state.resources().end()) << id;
    EXPECT_EQ(it->second.value, rs.value) << id;
    EXPECT_EQ(it->second.seq, rs.seq) << id;
    EXPECT_EQ(it->second.secret, rs.secret) << id;
  }
}

TEST_F(SnapshotTest, SnapshotPlusTailEqualsFullFoldAtManyPoints) {
  for (uint64_t s : {7ull, 40ull, 41ull, 99ull, 150ull}) {
    ASSERT_TRUE(WriteSnapshot(*log_, s).ok());
  }
  for (uint64_t point = 1; point <= head_; point += 3) {
    FoldInfo info;
    auto folded = FoldFromSnapshots(*log_, point, &info);
    ASSERT_TRUE(folded.ok()) << folded.status().ToString();
    EXPECT_TRUE(info.skipped.empty());
    EXPECT_LE(info.snapshot_seq, point);
    EXPECT_EQ(info.snapshot_seq + info.events_folded, point);
    EXPECT_EQ(Encoded(*log_, *folded), Encoded(*log_, FullFold(*log_, point))) << "at " << point;
  }
  FoldInfo info;
  auto at_head = FoldJournal(*log_);
  ASSERT_TRUE(at_head.ok());
  EXPECT_EQ(Encoded(*log_, *at_head), Encoded(*log_, FullFold(*log_, head_)));
  ASSERT_TRUE(FoldFromSnapshots(*log_, 120, &info).ok());
  EXPECT_EQ(info.snapshot_seq, 99u);
  EXPECT_EQ(info.events_folded, 21u);
}

// Damages the snapshot at `seq` in one of several ways; the fold must fall back.
void ExpectFallback(EventLog& log, uint64_t head, uint64_t earlier, uint64_t damaged) {
  FoldInfo info;
  auto folded = FoldFromSnapshots(log, head, &info);
  ASSERT_TRUE(folded.ok()) << folded.status().ToString();
  EXPECT_EQ(info.snapshot_seq, earlier);
  ASSERT_EQ(info.skipped.size(), 1u);
  EXPECT_NE(info.skipped[0].find("snapshot " + std::to_string(damaged)), std::string::npos)
      << info.skipped[0];
  EXPECT_EQ(Encoded(log, *folded), Encoded(log, FullFold(log, head)));
  auto checks = CheckSnapshots(log);
  ASSERT_TRUE(checks.ok());
  ASSERT_EQ(checks->size(), 2u);
  EXPECT_TRUE((*checks)[0].ok);
  EXPECT_FALSE((*checks)[1].ok);
}

// A step resumed (a second stepStarted) keeps its earlier attempt's place and
// the action it was interrupted in: a kill right after the resume must not
// make the next resume start the step over or forget that action.
TEST(ResumedStepTest, KeepsTheInterruptedActionAndItsProgram) {
  State state;
  uint64_t seq = 0;
  auto apply = [&](std::string step, EventBody body) {
    Event e = Ev("r", std::move(step), std::move(body));
    e.seq = ++seq;
    state.Apply(e);
  };
  apply("", RunStarted{});
  apply("setup", StepStarted{"Vendor setup", "exec"});
  apply("setup", ActionStarted{1, "exec", "setup.exe", "scan"});
  apply("setup", ProcessStarted{1, 77, "boot/5"});
  apply("setup", Decision{0, "rerun-step", Value::Absent(), "exec `setup.exe`"});
  apply("setup", StepStarted{"Vendor setup (resumed)", "exec"});
  const RunState* run = state.FindRun("r");
  ASSERT_NE(run, nullptr);
  const StepState* step = run->FindStep("setup");
  ASSERT_NE(step, nullptr);
  EXPECT_EQ(step->status, StepStatus::kRunning);
  EXPECT_EQ(run->steps.size(), 1u) << "one step, attempted twice";
  EXPECT_EQ(step->attempts, 2);
  EXPECT_EQ(step->last_action, 1);
  ASSERT_TRUE(step->open_action.has_value());
  EXPECT_EQ(step->open_action->scan_blob, "scan");
  ASSERT_TRUE(step->open_process.has_value());
  EXPECT_EQ(step->open_process->pid, 77);
  apply("setup", ActionFinished{1, 0});
  apply("setup", StepFinished{});
  apply("setup", StepStarted{"Vendor setup, again", "exec"});  // a finished step starts anew
  EXPECT_EQ(run->FindStep("setup")->last_action, -1);
}

TEST_F(SnapshotTest, FlippedByteIsSkipped) {
  ASSERT_TRUE(WriteSnapshot(*log_, 30).ok());
  ASSERT_TRUE(WriteSnapshot(*log_, 100).ok());
  std::string bytes = *log_->GetSnapshot(100).value();
  bytes[bytes.size() / 2] = static_cast<char>(bytes[bytes.size() / 2] ^ 0x10);
  ASSERT_TRUE(log_->PutSnapshot(100, bytes).ok());
  EXPECT_EQ(ReadSnapshot(*log_, 100).status().code(), StatusCode::kCorruption);
  ExpectFallback(*log_, head_, 30, 100);
}

TEST_F(SnapshotTest, TruncatedSnapshotIsSkipped) {
  ASSERT_TRUE(WriteSnapshot(*log_, 30).ok());
  ASSERT_TRUE(log_->PutSnapshot(100, "short").ok());
  ExpectFallback(*log_, head_, 30, 100);
}

TEST_F(SnapshotTest, WrongHeadHashIsSkipped) {
  ASSERT_TRUE(WriteSnapshot(*log_, 30).ok());
  // A well-formed snapshot of the right state whose hash is not event 100's.
  ASSERT_TRUE(log_->PutSnapshot(100, StateCodec::Encode(FullFold(*log_, 100),
                                                        std::string(32, 'x')))
                  .ok());
  EXPECT_EQ(ReadSnapshot(*log_, 100).status().code(), StatusCode::kCorruption);
  ExpectFallback(*log_, head_, 30, 100);
}

TEST_F(SnapshotTest, SnapshotFiledUnderAnotherSeqIsSkipped) {
  ASSERT_TRUE(WriteSnapshot(*log_, 30).ok());
  auto e = log_->Get(90);
  ASSERT_TRUE(e.ok());
  ASSERT_TRUE(log_->PutSnapshot(100, StateCodec::Encode(FullFold(*log_, 90), e->hash)).ok());
  ExpectFallback(*log_, head_, 30, 100);
}

TEST_F(SnapshotTest, UnknownFormatVersionIsSkippedToTheStart) {
  auto e = log_->Get(100);
  ASSERT_TRUE(e.ok());
  ASSERT_TRUE(
      log_->PutSnapshot(100, StateCodec::Encode(FullFold(*log_, 100), e->hash, 99)).ok());
  EXPECT_EQ(ReadSnapshot(*log_, 100).status().code(), StatusCode::kUnsupported);
  FoldInfo info;
  auto folded = FoldFromSnapshots(*log_, 0, &info);
  ASSERT_TRUE(folded.ok());
  EXPECT_EQ(info.snapshot_seq, 0u);
  EXPECT_EQ(info.events_folded, head_);
  ASSERT_EQ(info.skipped.size(), 1u);
  EXPECT_NE(info.skipped[0].find("format version 99"), std::string::npos) << info.skipped[0];
  EXPECT_EQ(Encoded(*log_, *folded), Encoded(*log_, FullFold(*log_, head_)));
}

TEST_F(SnapshotTest, MaybeSnapshotWritesWhenAMultipleIsCrossed) {
  testing::SetEnvVar("TIDEMARK_SNAPSHOT_EVERY", "50");
  EXPECT_EQ(SnapshotInterval(), 50u);
  auto first = MaybeSnapshot(*log_);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first.value(), head_);  // no snapshot yet and head >= 50
  auto again = MaybeSnapshot(*log_);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again.value(), 0u);     // nothing appended since
  const uint64_t before = head_;
  while (log_->head().seq / 50 == before / 50) {
    ASSERT_TRUE(log_->Append(Ev("", "", Note{"filler"})).ok());
  }
  auto crossed = MaybeSnapshot(*log_);
  ASSERT_TRUE(crossed.ok());
  EXPECT_EQ(crossed.value(), log_->head().seq);
  testing::SetEnvVar("TIDEMARK_SNAPSHOT_EVERY", "0");
  ASSERT_TRUE(log_->Append(Ev("", "", Note{"x"})).ok());
  EXPECT_EQ(MaybeSnapshot(*log_).value(), 0u);
  testing::SetEnvVar("TIDEMARK_SNAPSHOT_EVERY", nullptr);
  EXPECT_EQ(SnapshotInterval(), kDefaultSnapshotEvery);
  auto checks = CheckSnapshots(*log_);
  ASSERT_TRUE(checks.ok());
  ASSERT_EQ(checks->size(), 2u);
  for (const auto& c : *checks) EXPECT_TRUE(c.ok) << c.seq << ": " << c.problem;
}

TEST_F(SnapshotTest, CliSnapshotAndVerifySnapshots) {
  const std::string journal = (dir_ / "journal").string();
  log_.reset();  // release the writer lock
  auto snap = tidemark::testing::RunTidemark({"snapshot", "--journal", journal});
  ASSERT_EQ(snap.exit_code, 0) << snap.err;
  EXPECT_NE(snap.out.find("after event " + std::to_string(head_)), std::string::npos) << snap.out;
  auto ok = tidemark::testing::RunTidemark({"verify", "--snapshots", "--journal", journal});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_NE(ok.out.find("1 snapshot(s) match"), std::string::npos) << ok.out;
  {
    auto log = EventLog::Open(journal, OpenMode::kWrite);
    ASSERT_TRUE(log.ok());
    auto e = log.value()->Get(50);
    ASSERT_TRUE(e.ok());
    // A stale state filed as the state at 50 (checksum valid, hash right).
    ASSERT_TRUE(log.value()->PutSnapshot(50, StateCodec::Encode(FullFold(**log, 40), e->hash)).ok());
  }
  auto bad = tidemark::testing::RunTidemark({"verify", "--snapshots", "--journal", journal});
  EXPECT_EQ(bad.exit_code, 6);
  EXPECT_NE(bad.err.find("snapshot 50"), std::string::npos) << bad.err;
}

}  // namespace
}  // namespace tidemark::engine
