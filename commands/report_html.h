// ReportHtml: the self-contained HTML forensic report (inline CSS, no scripts,
// no external resources) built from a ReportData model that report_command.cc
// fills from the journal; plus the line diff used for file content changes.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tidemark::commands {

// One line of a line diff: ' ' unchanged, '-' only before, '+' only after.
struct DiffLine {
  char op = ' ';
  std::string text;
};

// Shortest edit script between the lines of `before` and `after` (LCS over
// the part between the common prefix and suffix). Line endings (\n, \r\n) are
// not part of the text. Empty when the inputs are equal.
std::vector<DiffLine> LineDiff(std::string_view before, std::string_view after);

// Escapes &, <, >, " and ' for HTML text and attribute values.
std::string HtmlEscape(std::string_view s);

// Values are already rendered (and masked) as display strings.
struct ReportChange {
  uint64_t seq = 0;
  int64_t time_ns = 0;
  std::string kind;      // "applied", "observed", "failed", "in doubt", "noop", "reverse"
  std::string resource;  // display form
  std::string before, after;
  std::string note;      // action, "undoes #12", error text
  bool has_diff = false;
  std::vector<DiffLine> diff;  // file content line diff when has_diff
};

struct ReportStep {
  std::string id, title, status;  // status: finished, failed, skipped, running
  int64_t start_ns = 0, end_ns = 0;
  std::string error;
  std::vector<ReportChange> changes;
};

struct ReportBackup {
  std::string database, method, file, sha256;
  uint64_t size = 0;
  bool verified = false;
};

struct ReportCheckpoint {
  uint64_t seq = 0;
  int64_t time_ns = 0;
  std::string name, run, step;
  std::vector<ReportBackup> backups;
};

struct ReportDecision {
  uint64_t seq = 0;
  int64_t time_ns = 0;
  std::string run, step, choice, detail, by;
};

struct ReportRun {
  std::string id, plan_name, plan_path, plan_sha256, status, user, host, command_line, error;
  int64_t start_ns = 0, end_ns = 0;
  uint64_t start_seq = 0, last_seq = 0;
  bool is_rollback = false;
  std::string rollback_target;  // "pre-upgrade (after seq 12)"
  std::vector<std::pair<std::string, std::string>> parameters;  // masked
  std::vector<ReportStep> steps;
  std::vector<ReportChange> loose_changes;  // changes outside any step (rollback reverse actions)
};

struct ReportData {
  std::string title;         // e.g. "mini-upgrade — run 20261125-…"
  std::string journal;       // journal directory
  std::string generated;     // formatted time
  bool verified = false;
  std::string verify_problem;
  uint64_t head_seq = 0;
  std::string head_hash;     // hex
  uint64_t events = 0;
  bool secrets_revealed = false;
  std::vector<ReportRun> runs;  // the subject run first, then rollbacks
  std::vector<ReportCheckpoint> checkpoints;
  std::vector<ReportDecision> decisions;
};

// The complete HTML document. Every text is escaped.
std::string RenderReportHtml(const ReportData& data);

// "1.234 s", "2 min 05 s", "850 ms".
std::string FormatDuration(int64_t ns);

}  // namespace tidemark::commands
