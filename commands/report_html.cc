// Renders the forensic report as one self-contained HTML document: inline CSS
// only (no scripts, fonts or images from anywhere), every text escaped. Also
// the LCS line diff for file content changes.
#include "commands/report_html.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <sstream>

#include "commands/render.h"

namespace tidemark::commands {
namespace {

std::vector<std::string_view> SplitLines(std::string_view s) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start < s.size()) {
    size_t end = s.find('\n', start);
    const bool last = end == std::string_view::npos;
    if (last) end = s.size();
    std::string_view line = s.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    start = last ? s.size() : end + 1;
  }
  return lines;
}

constexpr const char* kCss = R"CSS(
:root{--fg:#1d2330;--muted:#5f6b7a;--line:#dfe3ea;--bg:#f5f7fa;--card:#fff;--accent:#2456c5;
--ok:#1d7a46;--okbg:#e3f4ea;--bad:#b42318;--badbg:#fde8e6;--warn:#8a5a00;--warnbg:#fff3d6;
--add:#e6f6ea;--addfg:#14532d;--del:#fdecec;--delfg:#7f1d1d;--mono:ui-monospace,"SFMono-Regular",Menlo,Consolas,"DejaVu Sans Mono",monospace}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
main{max-width:1180px;margin:0 auto;padding:28px 32px 64px}
h1{font-size:26px;margin:0 0 4px;letter-spacing:-.01em}
h2{font-size:19px;margin:36px 0 12px;padding-bottom:6px;border-bottom:2px solid var(--line)}
h3{font-size:16px;margin:0;display:flex;align-items:center;gap:10px;flex-wrap:wrap}
.sub{color:var(--muted);margin:0 0 18px}
.card{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:16px 20px;margin:12px 0;box-shadow:0 1px 2px rgba(20,30,50,.04)}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:4px 18px;margin:0}
dl.facts dt{color:var(--muted)}
dl.facts dd{margin:0;overflow-wrap:anywhere}
code,.mono{font-family:var(--mono);font-size:13px}
.hash{font-family:var(--mono);font-size:13px;background:#eef2f8;padding:2px 6px;border-radius:4px;overflow-wrap:anywhere}
.badge{display:inline-block;font-size:12px;font-weight:600;padding:1px 9px;border-radius:999px;text-transform:uppercase;letter-spacing:.04em;white-space:nowrap}
.b-finished,.b-done,.b-applied,.b-ok,.b-verified{background:var(--okbg);color:var(--ok)}
.b-failed,.b-bad{background:var(--badbg);color:var(--bad)}
.b-running,.b-unfinished,.b-in-doubt,.b-skipped,.b-noop{background:var(--warnbg);color:var(--warn)}
.b-observed,.b-reverse,.b-rollback,.b-decision{background:#e8eefc;color:var(--accent)}
.timeline{display:grid;grid-template-columns:minmax(180px,260px) 1fr 90px;gap:6px 14px;align-items:center}
.timeline .name{overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.track{position:relative;height:18px;background:#eef1f6;border-radius:4px}
.bar{position:absolute;top:2px;bottom:2px;min-width:3px;border-radius:3px;background:var(--accent)}
.bar.failed{background:var(--bad)}.bar.running{background:#d49b1c}.bar.skipped{background:#b8c0cc}
.dur{text-align:right;color:var(--muted);font-variant-numeric:tabular-nums;font-size:13px}
table{border-collapse:collapse;width:100%;font-size:14px}
th{text-align:left;color:var(--muted);font-weight:600;font-size:12px;text-transform:uppercase;letter-spacing:.04em;padding:6px 8px;border-bottom:1px solid var(--line)}
td{padding:7px 8px;border-bottom:1px solid var(--line);vertical-align:top;overflow-wrap:anywhere}
tr:last-child td{border-bottom:0}
td.before{background:var(--del);color:var(--delfg);font-family:var(--mono);font-size:13px;width:28%}
td.after{background:var(--add);color:var(--addfg);font-family:var(--mono);font-size:13px;width:28%}
td.seq{font-family:var(--mono);color:var(--muted);white-space:nowrap}
.step-head{display:flex;justify-content:space-between;align-items:baseline;gap:12px;margin-bottom:8px}
.step-meta{color:var(--muted);font-size:13px}
.error{background:var(--badbg);color:var(--bad);border-radius:6px;padding:8px 12px;margin:8px 0;font-family:var(--mono);font-size:13px;white-space:pre-wrap}
.diff{margin:6px 0 2px;border:1px solid var(--line);border-radius:6px;overflow:hidden;font-family:var(--mono);font-size:12.5px;background:#fff}
.diff div{white-space:pre-wrap;padding:0 10px;overflow-wrap:anywhere}
.diff .add{background:var(--add);color:var(--addfg)}
.diff .del{background:var(--del);color:var(--delfg)}
.diff .ctx{color:#44505f}
.diff .skip{background:#f0f3f8;color:var(--muted);font-style:italic}
.empty{color:var(--muted);font-style:italic}
.rollback{border-left:4px solid var(--accent)}
footer{margin-top:40px;color:var(--muted);font-size:13px}
@media print{body{background:#fff}.card{box-shadow:none;break-inside:avoid}}
)CSS";

class Html {
 public:
  Html& Raw(std::string_view s) {
    out_ << s;
    return *this;
  }
  Html& Text(std::string_view s) {
    out_ << HtmlEscape(store::EscapeForTerminal(s, /*keep_newlines=*/true));
    return *this;
  }
  Html& Badge(const std::string& status) {
    std::string cls = status;
    std::replace(cls.begin(), cls.end(), ' ', '-');
    cls.erase(std::remove_if(cls.begin(), cls.end(), [](char c) { return !(std::isalnum(static_cast<unsigned char>(c)) || c == '-'); }),
              cls.end());
    out_ << "<span class=\"badge b-" << cls << "\">" << HtmlEscape(status) << "</span>";
    return *this;
  }
  std::string str() const { return out_.str(); }

 private:
  std::ostringstream out_;
};

std::string Percent(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f%%", std::clamp(v, 0.0, 100.0));
  return buf;
}

void RenderDiff(Html& h, const std::vector<DiffLine>& diff) {
  h.Raw("<div class=\"diff\">");
  // Unchanged runs longer than 2*kContext+1 lines are collapsed.
  constexpr size_t kContext = 3;
  size_t i = 0;
  while (i < diff.size()) {
    if (diff[i].op != ' ') {
      h.Raw(diff[i].op == '+' ? "<div class=\"add\">+ " : "<div class=\"del\">- ").Text(diff[i].text).Raw("</div>");
      ++i;
      continue;
    }
    size_t j = i;
    while (j < diff.size() && diff[j].op == ' ') ++j;
    const size_t run = j - i;
    const size_t head = i == 0 ? 0 : kContext;
    const size_t tail = j == diff.size() ? 0 : kContext;
    if (run > head + tail + 1) {
      for (size_t k = i; k < i + head; ++k) h.Raw("<div class=\"ctx\">  ").Text(diff[k].text).Raw("</div>");
      h.Raw("<div class=\"skip\">  … ").Text(std::to_string(run - head - tail)).Raw(" unchanged lines …</div>");
      for (size_t k = j - tail; k < j; ++k) h.Raw("<div class=\"ctx\">  ").Text(diff[k].text).Raw("</div>");
    } else {
      for (size_t k = i; k < j; ++k) h.Raw("<div class=\"ctx\">  ").Text(diff[k].text).Raw("</div>");
    }
    i = j;
  }
  h.Raw("</div>");
}

void RenderChanges(Html& h, const std::vector<ReportChange>& changes) {
  if (changes.empty()) {
    h.Raw("<p class=\"empty\">No changes recorded in this step.</p>");
    return;
  }
  h.Raw("<table><thead><tr><th>Seq</th><th>Resource</th><th>Outcome</th><th>Before</th><th>After</th></tr></thead><tbody>");
  for (const auto& c : changes) {
    h.Raw("<tr><td class=\"seq\">#").Text(std::to_string(c.seq)).Raw("</td><td><div>").Text(c.resource).Raw("</div>");
    if (!c.note.empty()) h.Raw("<div class=\"step-meta\">").Text(c.note).Raw("</div>");
    h.Raw("</td><td>").Badge(c.kind).Raw("</td>");
    if (c.has_diff) {
      h.Raw("<td colspan=\"2\"><div class=\"step-meta\">").Text(c.before).Raw(" → ").Text(c.after).Raw("</div>");
      RenderDiff(h, c.diff);
      h.Raw("</td>");
    } else {
      h.Raw("<td class=\"before\">").Text(c.before).Raw("</td><td class=\"after\">").Text(c.after).Raw("</td>");
    }
    h.Raw("</tr>");
  }
  h.Raw("</tbody></table>");
}

void RenderRun(Html& h, const ReportRun& run) {
  h.Raw("<section class=\"run\" id=\"run-").Text(run.id).Raw("\">");
  h.Raw("<h2>").Text(run.is_rollback ? "Rollback " : "Run ").Text(run.id).Raw(" ").Badge(run.status).Raw("</h2>");
  h.Raw("<div class=\"card").Raw(run.is_rollback ? " rollback" : "").Raw("\"><dl class=\"facts\">");
  auto fact = [&](const char* k, const std::string& v) {
    if (!v.empty()) h.Raw("<dt>").Text(k).Raw("</dt><dd>").Text(v).Raw("</dd>");
  };
  fact("Plan", run.plan_name + (run.plan_path.empty() ? "" : "  (" + run.plan_path + ")"));
  if (!run.plan_sha256.empty()) {
    h.Raw("<dt>Plan SHA-256</dt><dd><span class=\"hash\">").Text(run.plan_sha256).Raw("</span></dd>");
  }
  if (run.is_rollback) fact("Rolled back to", run.rollback_target);
  fact("Who", run.user + "@" + run.host);
  fact("When", FormatTime(run.start_ns) + " → " + FormatTime(run.end_ns) + "  (" +
                   FormatDuration(run.end_ns - run.start_ns) + ")");
  fact("Events", "#" + std::to_string(run.start_seq) + " – #" + std::to_string(run.last_seq));
  fact("Command", run.command_line);
  for (const auto& [k, v] : run.parameters) fact(("Parameter " + k).c_str(), v);
  h.Raw("</dl>");
  if (!run.error.empty()) h.Raw("<div class=\"error\">").Text(run.error).Raw("</div>");
  h.Raw("</div>");

  if (!run.steps.empty()) {
    h.Raw("<h3 style=\"margin-top:18px\">Timeline</h3><div class=\"card\"><div class=\"timeline\">");
    const int64_t span = std::max<int64_t>(1, run.end_ns - run.start_ns);
    for (const auto& s : run.steps) {
      const int64_t end = s.end_ns ? s.end_ns : run.end_ns;
      const double left = 100.0 * static_cast<double>(s.start_ns - run.start_ns) / static_cast<double>(span);
      const double width = 100.0 * static_cast<double>(end - s.start_ns) / static_cast<double>(span);
      h.Raw("<div class=\"name\" title=\"").Text(s.title).Raw("\"><a href=\"#step-").Text(run.id + "-" + s.id)
          .Raw("\">").Text(s.id).Raw("</a></div><div class=\"track\"><div class=\"bar ").Text(s.status)
          .Raw("\" style=\"left:").Raw(Percent(left)).Raw(";width:").Raw(Percent(width)).Raw("\"></div></div>")
          .Raw("<div class=\"dur\">").Text(FormatDuration(end - s.start_ns)).Raw("</div>");
    }
    h.Raw("</div></div>");
  }
  for (const auto& s : run.steps) {
    h.Raw("<div class=\"card step\" id=\"step-").Text(run.id + "-" + s.id).Raw("\"><div class=\"step-head\"><h3>")
        .Text(s.title.empty() ? s.id : s.title).Raw(" ").Badge(s.status).Raw("</h3><span class=\"step-meta\">")
        .Text(s.id + " · " + FormatTime(s.start_ns) + " · " +
              FormatDuration((s.end_ns ? s.end_ns : run.end_ns) - s.start_ns))
        .Raw("</span></div>");
    if (!s.error.empty()) h.Raw("<div class=\"error\">").Text(s.error).Raw("</div>");
    RenderChanges(h, s.changes);
    h.Raw("</div>");
  }
  if (!run.loose_changes.empty()) {
    h.Raw("<div class=\"card step\"><div class=\"step-head\"><h3>")
        .Text(run.is_rollback ? "Reverse actions" : "Changes outside steps").Raw("</h3></div>");
    RenderChanges(h, run.loose_changes);
    h.Raw("</div>");
  }
  h.Raw("</section>");
}

}  // namespace

std::vector<DiffLine> LineDiff(std::string_view before, std::string_view after) {
  const auto a = SplitLines(before);
  const auto b = SplitLines(after);
  size_t prefix = 0;
  while (prefix < a.size() && prefix < b.size() && a[prefix] == b[prefix]) ++prefix;
  size_t suffix = 0;
  while (suffix < a.size() - prefix && suffix < b.size() - prefix &&
         a[a.size() - 1 - suffix] == b[b.size() - 1 - suffix]) {
    ++suffix;
  }
  std::vector<DiffLine> out;
  if (prefix == a.size() && prefix == b.size()) return out;
  for (size_t i = 0; i < prefix; ++i) out.push_back({' ', std::string(a[i])});
  const size_t n = a.size() - prefix - suffix, m = b.size() - prefix - suffix;
  // lcs[i][j] = LCS length of a[prefix+i..] and b[prefix+j..] (middle part).
  std::vector<uint32_t> lcs((n + 1) * (m + 1), 0);
  auto at = [&](size_t i, size_t j) -> uint32_t& { return lcs[i * (m + 1) + j]; };
  for (size_t i = n; i-- > 0;) {
    for (size_t j = m; j-- > 0;) {
      at(i, j) = a[prefix + i] == b[prefix + j] ? at(i + 1, j + 1) + 1 : std::max(at(i + 1, j), at(i, j + 1));
    }
  }
  size_t i = 0, j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[prefix + i] == b[prefix + j]) {
      out.push_back({' ', std::string(a[prefix + i])});
      ++i, ++j;
    } else if (i < n && (j == m || at(i + 1, j) >= at(i, j + 1))) {
      out.push_back({'-', std::string(a[prefix + i])});  // removals before additions
      ++i;
    } else {
      out.push_back({'+', std::string(b[prefix + j])});
      ++j;
    }
  }
  for (size_t k = a.size() - suffix; k < a.size(); ++k) out.push_back({' ', std::string(a[k])});
  return out;
}

std::string HtmlEscape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string FormatDuration(int64_t ns) {
  if (ns < 0) ns = 0;
  char buf[48];
  if (ns < 1000000000) {
    std::snprintf(buf, sizeof buf, "%lld ms", static_cast<long long>(ns / 1000000));
  } else if (ns < 60LL * 1000000000) {
    std::snprintf(buf, sizeof buf, "%.1f s", static_cast<double>(ns) / 1e9);
  } else {
    const long long s = ns / 1000000000;
    if (s < 3600) std::snprintf(buf, sizeof buf, "%lld min %02lld s", s / 60, s % 60);
    else std::snprintf(buf, sizeof buf, "%lld h %02lld min", s / 3600, (s / 60) % 60);
  }
  return buf;
}

std::string RenderReportHtml(const ReportData& d) {
  Html h;
  h.Raw("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">"
        "<title>")
      .Text(d.title)
      .Raw("</title><style>")
      .Raw(kCss)
      .Raw("</style></head><body><main>");
  h.Raw("<header><h1>").Text(d.title).Raw("</h1><p class=\"sub\">tidemark forensic report · journal ")
      .Text(d.journal).Raw(" · generated ").Text(d.generated).Raw("</p>");
  h.Raw("<div class=\"card\"><dl class=\"facts\"><dt>Journal integrity</dt><dd>");
  if (d.verified) {
    h.Badge("verified").Raw(" hash chain and checksums of ").Text(std::to_string(d.events)).Raw(" events");
  } else {
    h.Badge("bad").Raw(" <strong>").Text(d.verify_problem).Raw("</strong>");
  }
  h.Raw("</dd><dt>Head seq</dt><dd id=\"head-seq\">").Text(std::to_string(d.head_seq))
      .Raw("</dd><dt>Head hash</dt><dd><span class=\"hash\" id=\"head-hash\">").Text(d.head_hash)
      .Raw("</span></dd><dt>Secrets</dt><dd>")
      .Text(d.secrets_revealed ? "REVEALED (--reveal-secrets)" : "masked as ***")
      .Raw("</dd></dl></div></header>");

  for (const auto& run : d.runs) RenderRun(h, run);

  h.Raw("<h2>Checkpoints</h2>");
  if (d.checkpoints.empty()) h.Raw("<p class=\"empty\">No checkpoints.</p>");
  for (const auto& c : d.checkpoints) {
    h.Raw("<div class=\"card\"><div class=\"step-head\"><h3>").Text(c.name).Raw("</h3><span class=\"step-meta\">#")
        .Text(std::to_string(c.seq) + " · " + FormatTime(c.time_ns) + " · run " + c.run + " · step " + c.step)
        .Raw("</span></div>");
    if (c.backups.empty()) {
      h.Raw("<p class=\"empty\">No database backups (state snapshot only).</p>");
    } else {
      h.Raw("<table><thead><tr><th>Database</th><th>Method</th><th>File</th><th>Size</th><th>SHA-256</th><th></th></tr></thead><tbody>");
      for (const auto& b : c.backups) {
        h.Raw("<tr><td>").Text(b.database).Raw("</td><td>").Text(b.method).Raw("</td><td class=\"mono\">")
            .Text(b.file).Raw("</td><td>").Text(std::to_string(b.size) + " bytes").Raw("</td><td class=\"mono\">")
            .Text(b.sha256).Raw("</td><td>").Badge(b.verified ? "verified" : "unverified").Raw("</td></tr>");
      }
      h.Raw("</tbody></table>");
    }
    h.Raw("</div>");
  }

  h.Raw("<h2>Decisions</h2>");
  if (d.decisions.empty()) {
    h.Raw("<p class=\"empty\">No decisions were needed.</p>");
  } else {
    h.Raw("<div class=\"card\"><table><thead><tr><th>Seq</th><th>Time</th><th>Run / step</th><th>By</th><th>Choice</th><th>Detail</th></tr></thead><tbody>");
    for (const auto& x : d.decisions) {
      h.Raw("<tr><td class=\"seq\">#").Text(std::to_string(x.seq)).Raw("</td><td>").Text(FormatTime(x.time_ns))
          .Raw("</td><td>").Text(x.run + " / " + x.step).Raw("</td><td>").Text(x.by).Raw("</td><td>")
          .Badge(x.choice).Raw("</td><td>").Text(x.detail).Raw("</td></tr>");
    }
    h.Raw("</tbody></table></div>");
  }
  h.Raw("<footer>Every value above comes from the journal; the head hash identifies exactly which "
        "journal this report describes (check it with <code>tidemark verify --expect-head HASH</code>)."
        "</footer></main></body></html>\n");
  return h.str();
}

}  // namespace tidemark::commands
