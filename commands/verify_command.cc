// `tidemark verify`: recompute the hash chain and RocksDB checksums; print the
// head (seq, hash) for the change ticket. --expect-head fails (exit 6) when the
// journal's chain no longer contains that head.
#include "commands/commands.h"
#include "commands/json_writer.h"
#include "engine/fold.h"
#include "store/sha256.h"

namespace tidemark::commands {

int RunVerify(Context& ctx) {
  po::options_description desc("verify");
  std::string expect;
  bool snapshots = false;
  desc.add_options()("expect-head", po::value<std::string>(&expect),
                     "a head hash (hex) recorded earlier that must still be in the chain")
      ("snapshots", po::bool_switch(&snapshots),
       "also refold from the start and check every state snapshot against the fold");
  po::positional_options_description pos;
  po::variables_map vm;
  CommonOptions common;
  int code = 0;
  if (!ParseArgs(ctx, desc, pos, vm, common, "verify [--expect-head HASH] [--snapshots]", code)) return code;
  if (!expect.empty()) {
    std::string raw;
    if (!FromHex(expect, &raw) || raw.size() != 32) {
      return Fail(ctx, Status::InvalidInput("--expect-head '" + expect +
                                            "' is not a head hash (64 hex digits, as verify prints it)"));
    }
    expect = ToHex(raw);
  }
  auto log = OpenJournal(common, store::OpenMode::kReadOnly);
  if (!log.ok()) {
    if (common.json && log.status().code() == StatusCode::kCorruption) {
      JsonWriter w;
      w.BeginObject().Field("ok", false).Field("problem", log.status().message()).EndObject();
      ctx.out << w.str() << "\n";
    }
    return Fail(ctx, log.status());
  }
  auto report = log.value()->Verify();
  if (!report.ok()) return Fail(ctx, report.status());
  const auto& r = report.value();
  bool expect_found = true;
  uint64_t expect_seq = 0;
  if (r.ok && !expect.empty()) {
    expect_found = false;
    Status st = log.value()->Scan(1, 0, false, [&](const store::StoredEvent& e) {
      if (ToHex(e.hash) == expect) {
        expect_found = true;
        expect_seq = e.event.seq;
        return false;
      }
      return true;
    });
    if (!st.ok()) return Fail(ctx, st);
  }
  std::vector<engine::SnapshotCheck> snap_checks;
  size_t snap_bad = 0;
  if (r.ok && snapshots) {
    auto checks = engine::CheckSnapshots(*log.value());
    if (!checks.ok()) return Fail(ctx, checks.status());
    snap_checks = std::move(checks).value();
    for (const auto& c : snap_checks) snap_bad += c.ok ? 0 : 1;
  }
  if (common.json) {
    JsonWriter w;
    w.BeginObject().Field("ok", r.ok && expect_found && snap_bad == 0).Field("events", r.events);
    if (r.ok) w.Field("head_seq", r.head.seq).Field("head_hash", ToHex(r.head.hash));
    if (!r.ok) w.Field("first_bad_seq", r.first_bad_seq).Field("problem", r.problem);
    if (!expect.empty()) w.Field("expected_head_found", expect_found).Field("expected_head_seq", expect_seq);
    if (snapshots) {
      w.Key("snapshots").BeginArray();
      for (const auto& c : snap_checks) {
        w.BeginObject().Field("seq", c.seq).Field("ok", c.ok).Field("problem", c.problem).EndObject();
      }
      w.EndArray();
    }
    w.EndObject();
    ctx.out << w.str() << "\n";
  }
  if (!r.ok) {
    ctx.err << "tidemark verify: JOURNAL INTEGRITY FAILURE"
            << (r.first_bad_seq ? " at seq " + std::to_string(r.first_bad_seq) : std::string())
            << ": " << r.problem << "\n";
    return 6;
  }
  if (!expect_found) {
    ctx.err << "tidemark verify: the expected head " << expect
            << " is not in the chain (the journal was truncated or rewritten)\n";
    return 6;
  }
  if (snap_bad > 0) {
    for (const auto& c : snap_checks) {
      if (!c.ok) ctx.err << "tidemark verify: snapshot " << c.seq << " " << c.problem << "\n";
    }
    ctx.err << "tidemark verify: " << snap_bad << " of " << snap_checks.size()
            << " snapshot(s) do not match the fold (folds skip them; `tidemark snapshot` writes a "
               "fresh one)\n";
    return 6;
  }
  if (!common.json) {
    ctx.out << "journal OK: " << r.events << " events, chain and checksums verified\n"
            << "head seq  " << r.head.seq << "\n"
            << "head hash " << ToHex(r.head.hash) << "\n";
    if (!expect.empty()) ctx.out << "expected head found at seq " << expect_seq << "\n";
    if (snapshots) {
      ctx.out << snap_checks.size() << " snapshot(s) match the fold at their seq\n";
    }
  }
  return 0;
}

}  // namespace tidemark::commands
