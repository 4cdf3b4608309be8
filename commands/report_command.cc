// `tidemark report --html FILE [--run R]`: the forensic report of a run (or of
// every run): verified head, timeline, every change grouped by step with
// before/after (file contents as a line diff), checkpoints, rollbacks,
// failures and decisions. Builds a ReportData and renders it (report_html.h).
#include <algorithm>
#include <chrono>
#include <optional>
#include <set>
#include <fstream>
#include <map>

#include "commands/commands.h"
#include "commands/render.h"
#include "commands/report_html.h"
#include "engine/drift.h"
#include "engine/outcomes.h"
#include "store/event_compat.h"
#include "store/sha256.h"
#include "store/unicode.h"

namespace tidemark::commands {
namespace {

constexpr size_t kMaxDiffCells = 4'000'000;  // lines(before) * lines(after) we diff

size_t CountLines(const std::string& s) { return static_cast<size_t>(std::count(s.begin(), s.end(), '\n')) + 1; }

bool IsText(const std::string& s) { return s.find('\0') == std::string::npos && IsValidUtf8(s); }

class ReportBuilder {
 public:
  ReportBuilder(const store::EventLog& log, bool reveal) : log_(log), reveal_(reveal) {}

  Result<ReportRun> BuildRun(const engine::RunState& rs) {
    ReportRun run;
    run.id = rs.id;
    run.plan_name = rs.info.plan_name;
    run.plan_path = rs.info.plan_path;
    run.plan_sha256 = rs.info.plan_sha256;
    run.status = engine::RunStatusName(rs.status);
    run.user = rs.user;
    run.host = rs.host;
    run.command_line = store::ShowText(rs.info.command_line, reveal_);
    run.error = store::ShowText(rs.error, reveal_);
    run.start_ns = rs.start_ns;
    run.end_ns = rs.last_ns;
    run.start_seq = rs.start_seq;
    run.last_seq = rs.last_seq;
    run.is_rollback = store::KindOfRun(rs.info) == RunKind::kRollback;
    for (const auto& [k, v] : rs.info.parameters) {
      run.parameters.emplace_back(k, store::ShowParameter(k, v, store::IsSecretParameter(rs.info, k), reveal_));
    }
    for (const auto& s : rs.steps) {
      ReportStep step;
      step.id = s.id;
      step.title = store::ShowText(s.title, reveal_);
      step.status = engine::StepStatusName(s.status);
      step.start_ns = s.started_ns;
      step.end_ns = s.ended_ns;
      step.error = store::ShowText(s.error, reveal_);
      run.steps.push_back(std::move(step));
    }
    TM_ASSIGN_OR_RETURN(auto seqs, log_.SeqsForRun(rs.id));
    std::map<uint64_t, int64_t> time_of;  // seq → time, for the changes' rows
    engine::OutcomeFold fold([&](uint64_t seq) -> Result<Event> {
      TM_ASSIGN_OR_RETURN(auto se, log_.Get(seq));
      time_of[seq] = se.event.time_ns;
      return std::move(se.event);
    });
    for (uint64_t seq : seqs) {
      TM_ASSIGN_OR_RETURN(auto se, log_.Get(seq));
      const Event& e = se.event;
      time_of[seq] = e.time_ns;
      if (const auto* rb = std::get_if<RollbackStarted>(&e.body)) {
        run.rollback_target = rb->target + " (undo everything after seq " + std::to_string(rb->target_seq) + ")";
      }
      TM_RETURN_IF_ERROR(fold.Apply(e).status());
    }
    for (const engine::RecordedChange& c : fold.changes()) {
      auto* list = &run.loose_changes;
      auto step = std::find_if(run.steps.begin(), run.steps.end(),
                               [&](const ReportStep& s) { return s.id == c.step; });
      if (step != run.steps.end()) list = &step->changes;
      list->push_back(MakeChange(c, time_of[c.seq]));
    }
    return run;
  }

 private:
  // The row of one change: its outcome as the badge, the action as the note.
  ReportChange MakeChange(const engine::RecordedChange& rc, int64_t time_ns) {
    using engine::Outcome;
    const Resource& r = rc.resource;
    const Value& before = rc.before;
    const Value& after = rc.after;
    const bool secret = rc.secret;
    ReportChange c;
    c.seq = rc.seq;
    c.time_ns = time_ns;
    c.kind = rc.reverses && rc.outcome != Outcome::kFailed ? "reverse" : engine::OutcomeName(rc.outcome);
    if (rc.outcome == Outcome::kRecovered) c.kind = "applied";
    c.resource = r.Display();
    c.before = store::ShowValue(before, &r, secret, reveal_);
    c.after = store::ShowValue(after, &r, secret, reveal_);
    c.note = rc.action + (rc.reverses ? " · undoes #" + std::to_string(rc.reverses) : "");
    if (rc.outcome == Outcome::kObserved) c.note = "found by scanning around an opaque step";
    if (rc.outcome == Outcome::kNoop) c.note += " · already in place";
    if (rc.outcome == Outcome::kRecovered) c.note += " · recovered by resume";
    if (rc.outcome == Outcome::kFailed) c.note += " · " + store::ShowText(rc.error, reveal_);
    const bool masked = store::IsMasked(before, &r, secret, reveal_) || store::IsMasked(after, &r, secret, reveal_);
    if (!masked && (before.type == ValueType::kFile || after.type == ValueType::kFile) && before != after) {
      auto text_of = [&](const Value& v) -> std::optional<std::string> {
        if (v.absent()) return std::string();
        if (v.type != ValueType::kFile) return std::nullopt;
        auto blob = log_.GetBlob(v.bytes);
        if (!blob.ok() || !blob.value() || !IsText(*blob.value())) return std::nullopt;
        return *blob.value();
      };
      auto b = text_of(before), a = text_of(after);
      if (b && a && CountLines(*b) * CountLines(*a) <= kMaxDiffCells) {
        c.diff = LineDiff(*b, *a);
        for (auto& line : c.diff) line.text = store::ShowText(line.text, reveal_);
        c.has_diff = true;
      }
    }
    return c;
  }

  const store::EventLog& log_;
  bool reveal_;
};

// The runs to show: --run R and the rollbacks after it, or all of them; and
// the subject (R, or the newest non-rollback run).
struct Selection {
  std::vector<const engine::RunState*> runs;
  const engine::RunState* subject = nullptr;
};

Result<Selection> SelectRuns(const engine::State& state, const std::string& run_id) {
  Selection sel;
  if (run_id.empty()) {
    for (const auto& id : state.run_order()) {
      const auto* r = state.FindRun(id);
      if (!r) continue;
      sel.runs.push_back(r);
      if (store::KindOfRun(r->info) != RunKind::kRollback) sel.subject = r;
    }
    return sel;
  }
  sel.subject = state.FindRun(run_id);
  if (!sel.subject) {
    std::string known;
    for (const auto& id : state.run_order()) known += (known.empty() ? "" : ", ") + id;
    return Status::NotFound("no run '" + run_id + "' in the journal (runs: " + known + ")");
  }
  sel.runs.push_back(sel.subject);
  for (const auto& id : state.run_order()) {
    const auto* r = state.FindRun(id);
    if (r && store::KindOfRun(r->info) == RunKind::kRollback && r->start_seq > sel.subject->start_seq) {
      sel.runs.push_back(r);
    }
  }
  return sel;
}

// Checkpoints and decisions of the runs shown, in journal order.
Status AddCheckpointsAndDecisions(const store::EventLog& log, const std::set<std::string>& shown_runs,
                                  bool reveal, ReportData* data) {
  for (const char* kind : {"checkpoint", "decision"}) {
    TM_ASSIGN_OR_RETURN(auto seqs, log.SeqsForKind(kind));
    for (uint64_t seq : seqs) {
      TM_ASSIGN_OR_RETURN(auto se, log.Get(seq));
      const Event& e = se.event;
      if (!shown_runs.count(e.run)) continue;
      if (const auto* c = std::get_if<Checkpoint>(&e.body)) {
        ReportCheckpoint cp{e.seq, e.time_ns, c->name, e.run, e.step, {}};
        for (const auto& b : c->backups) {
          cp.backups.push_back({b.database, b.method, b.file, b.sha256, b.size, b.verified});
        }
        data->checkpoints.push_back(std::move(cp));
      } else if (const auto* d = std::get_if<Decision>(&e.body)) {
        data->decisions.push_back(
            {e.seq, e.time_ns, e.run, e.step, d->choice,
             store::ShowText(d->detail, reveal) +
                 (d->intent_seq ? " (intent #" + std::to_string(d->intent_seq) + ")" : ""),
             e.user + "@" + e.host});
      }
    }
  }
  return Status::Ok();
}

// The report's heading: title, journal, when, and what verify found.
void FillHeading(const store::EventLog& log, const store::VerifyReport& v, const Selection& sel,
                 const std::string& run_id, bool reveal, ReportData* data) {
  if (!run_id.empty()) {
    data->title = sel.subject->info.plan_name + " — run " + sel.subject->id;
  } else {
    data->title = "Journal report: " + std::to_string(sel.runs.size()) + " run(s)" +
                  (sel.subject ? ", newest plan " + sel.subject->info.plan_name : std::string());
  }
  data->journal = log.dir().string();
  data->generated = FormatTime(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                   std::chrono::system_clock::now().time_since_epoch()).count());
  data->verified = v.ok;
  data->verify_problem =
      v.problem + (v.first_bad_seq ? " (first bad seq " + std::to_string(v.first_bad_seq) + ")" : "");
  data->head_seq = v.ok ? v.head.seq : log.head().seq;
  data->head_hash = ToHex(v.ok ? v.head.hash : log.head().hash);
  data->events = v.events;
  data->secrets_revealed = reveal;
}

}  // namespace

int RunReport(Context& ctx) {
  po::options_description desc("report");
  std::string html, run_id;
  desc.add_options()
      ("html", po::value<std::string>(&html), "write the report to this HTML file")
      ("run", po::value<std::string>(&run_id), "only this run and the rollbacks after it (default: every run)");
  po::positional_options_description pos;
  po::variables_map vm;
  CommonOptions common;
  int code = 0;
  if (!ParseArgs(ctx, desc, pos, vm, common, "report --html FILE [--run R]", code)) return code;
  if (html.empty()) return Fail(ctx, Status::InvalidInput("--html FILE is required"));
  auto opened = OpenJournal(common, store::OpenMode::kReadOnly);
  if (!opened.ok()) return Fail(ctx, opened.status());
  auto& log = *opened.value();
  if (log.head().seq == 0) return Fail(ctx, Status::InvalidInput("the journal is empty: nothing to report"));
  auto verify = log.Verify();
  if (!verify.ok()) return Fail(ctx, verify.status());
  auto folded = engine::FoldJournal(log);
  if (!folded.ok()) return Fail(ctx, folded.status());
  const engine::State& state = folded.value();

  auto selected = SelectRuns(state, run_id);
  if (!selected.ok()) return Fail(ctx, selected.status());
  ReportData data;
  FillHeading(log, verify.value(), *selected, run_id, common.reveal_secrets, &data);
  ReportBuilder builder(log, common.reveal_secrets);
  std::set<std::string> shown_runs;
  for (const auto* r : selected->runs) {
    auto built = builder.BuildRun(*r);
    if (!built.ok()) return Fail(ctx, built.status());
    data.runs.push_back(std::move(built).value());
    shown_runs.insert(r->id);
  }
  if (Status s = AddCheckpointsAndDecisions(log, shown_runs, common.reveal_secrets, &data); !s.ok()) {
    return Fail(ctx, s);
  }
  std::ofstream file(html, std::ios::binary | std::ios::trunc);
  file << RenderReportHtml(data);
  file.close();
  if (!file) return Fail(ctx, Status::IoError("cannot write the report to '" + html + "'"));
  if (common.json) {
    JsonWriter w;
    w.BeginObject().Field("file", html).Field("verified", data.verified).Field("head_seq", data.head_seq)
        .Field("head_hash", data.head_hash).Key("runs").BeginArray();
    for (const auto& r : data.runs) w.String(r.id);
    w.EndArray().EndObject();
    ctx.out << w.str() << "\n";
  } else {
    ctx.out << "report written to " << html << " (" << data.runs.size() << " run(s), head seq "
            << data.head_seq << ", " << (data.verified ? "journal verified" : "JOURNAL INTEGRITY FAILURE")
            << ")\n";
  }
  return data.verified ? 0 : 6;
}

}  // namespace tidemark::commands
