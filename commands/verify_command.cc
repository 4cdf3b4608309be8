// `tidemark verify`: recompute the hash chain and RocksDB checksums; print the
// head (seq, hash) for the change ticket. --expect-head fails (exit 6) when the
// journal's chain no longer contains that head.
#include "commands/commands.h"
#include "commands/json_writer.h"
#include "engine/fold.h"
#include "store/sha256.h"

namespace tidemark::commands {

namespace {

// What verify found, for both renderings.
struct Findings {
  store::VerifyReport report;
  std::string expect;  // normalized hex, or empty
  bool expect_found = true;
  uint64_t expect_seq = 0;
  bool snapshots = false;  // --snapshots given
  std::vector<engine::SnapshotCheck> snap_checks;
  size_t snap_bad = 0;
};

// Whether the head hash `expect` is in the chain, and at which seq.
Status FindExpectedHead(const store::EventLog& log, Findings* f) {
  f->expect_found = false;
  return log.Scan(1, 0, false, [&](const store::StoredEvent& e) {
    if (ToHex(e.hash) != f->expect) return true;
    f->expect_found = true;
    f->expect_seq = e.event.seq;
    return false;
  });
}

void WriteVerifyJson(std::ostream& out, const Findings& f) {
  const auto& r = f.report;
  JsonWriter w;
  w.BeginObject().Field("ok", r.ok && f.expect_found && f.snap_bad == 0).Field("events", r.events);
  if (r.ok) w.Field("head_seq", r.head.seq).Field("head_hash", ToHex(r.head.hash));
  if (!r.ok) w.Field("first_bad_seq", r.first_bad_seq).Field("problem", r.problem);
  if (!f.expect.empty()) w.Field("expected_head_found", f.expect_found).Field("expected_head_seq", f.expect_seq);
  if (f.snapshots) {
    w.Key("snapshots").BeginArray();
    for (const auto& c : f.snap_checks) {
      w.BeginObject().Field("seq", c.seq).Field("ok", c.ok).Field("problem", c.problem).EndObject();
    }
    w.EndArray();
  }
  w.EndObject();
  out << w.str() << "\n";
}

// The failures, each on stderr; 6 when there is one, else 0.
int ReportFailures(std::ostream& err, const Findings& f) {
  const auto& r = f.report;
  if (!r.ok) {
    err << "tidemark verify: JOURNAL INTEGRITY FAILURE"
        << (r.first_bad_seq ? " at seq " + std::to_string(r.first_bad_seq) : std::string()) << ": "
        << r.problem << "\n";
    return 6;
  }
  if (!f.expect_found) {
    err << "tidemark verify: the expected head " << f.expect
        << " is not in the chain (the journal was truncated or rewritten)\n";
    return 6;
  }
  if (f.snap_bad > 0) {
    for (const auto& c : f.snap_checks) {
      if (!c.ok) err << "tidemark verify: snapshot " << c.seq << " " << c.problem << "\n";
    }
    err << "tidemark verify: " << f.snap_bad << " of " << f.snap_checks.size()
        << " snapshot(s) do not match the fold (folds skip them; `tidemark snapshot` writes a "
           "fresh one)\n";
    return 6;
  }
  return 0;
}

}  // namespace

int RunVerify(Context& ctx) {
  po::options_description desc("verify");
  Findings f;
  desc.add_options()("expect-head", po::value<std::string>(&f.expect),
                     "a head hash (hex) recorded earlier that must still be in the chain")
      ("snapshots", po::bool_switch(&f.snapshots),
       "also refold from the start and check every state snapshot against the fold");
  po::positional_options_description pos;
  po::variables_map vm;
  CommonOptions common;
  int code = 0;
  if (!ParseArgs(ctx, desc, pos, vm, common, "verify [--expect-head HASH] [--snapshots]", code)) return code;
  if (!f.expect.empty()) {
    std::string raw;
    if (!FromHex(f.expect, &raw) || raw.size() != 32) {
      return Fail(ctx, Status::InvalidInput("--expect-head '" + f.expect +
                                            "' is not a head hash (64 hex digits, as verify prints it)"));
    }
    f.expect = ToHex(raw);
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
  f.report = std::move(report).value();
  if (f.report.ok && !f.expect.empty()) {
    if (Status st = FindExpectedHead(*log.value(), &f); !st.ok()) return Fail(ctx, st);
  }
  if (f.report.ok && f.snapshots) {
    auto checks = engine::CheckSnapshots(*log.value());
    if (!checks.ok()) return Fail(ctx, checks.status());
    f.snap_checks = std::move(checks).value();
    for (const auto& c : f.snap_checks) f.snap_bad += c.ok ? 0 : 1;
  }
  if (common.json) WriteVerifyJson(ctx.out, f);
  if (int failed = ReportFailures(ctx.err, f); failed != 0) return failed;
  if (!common.json) {
    const auto& r = f.report;
    ctx.out << "journal OK: " << r.events << " events, chain and checksums verified\n"
            << "head seq  " << r.head.seq << "\n"
            << "head hash " << ToHex(r.head.hash) << "\n";
    if (!f.expect.empty()) ctx.out << "expected head found at seq " << f.expect_seq << "\n";
    if (f.snapshots) ctx.out << f.snap_checks.size() << " snapshot(s) match the fold at their seq\n";
  }
  return 0;
}

}  // namespace tidemark::commands
