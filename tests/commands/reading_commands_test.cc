// The reading side of the CLI (history, state, diff, export, report, and the
// existing status/log/show/verify/note), in-process, on one journal built by a
// real apply, rollback and a secrets plan on a MiniSite.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <regex>

#include "commands/report_html.h"
#include "tests/testing/cli_runner.h"
#include "tests/testing/mini_site.h"
#include "tests/testing/temp_dir.h"

namespace tidemark {
namespace {

using testing::CliResult;
using testing::MiniSite;
using testing::RunTidemark;
using testing::TempDir;

constexpr const char* kSecretsPlan = R"(name: secrets
steps:
  - id: set-secrets
    title: Store credentials
    actions:
      - registry.set: { host: S1, key: 'HKLM\SOFTWARE\Wow6432Node\Outflow', name: ServiceToken, value: hunter2-token, secret: true }
      - registry.set: { host: S1, key: 'HKLM\SOFTWARE\Wow6432Node\Outflow', name: DsnString,
                        value: "DRIVER={SQL Server};SERVER=S2;UID=sa;PWD=Sup3rS3cret;DATABASE=Registry" }
)";

bool Has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// One journal for the whole suite: apply FullPlan, roll back to the
// checkpoint, apply the secrets plan, add a note.
class ReadingCommandsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    site_ = new MiniSite(dir_->path());
    const auto full = site_->WritePlan("full", MiniSite::FullPlan());
    const auto secrets = site_->WritePlan("secrets", kSecretsPlan);
    for (const auto& args : std::vector<std::vector<std::string>>{
             {"apply", full.string(), "--env", site_->env_path().string()},
             {"rollback", "--to", "pre-upgrade"},
             {"apply", secrets.string(), "--env", site_->env_path().string()},
             {"note", "change ticket CHG-4711 approved"}}) {
      CliResult r = Run(args);
      ASSERT_EQ(r.exit_code, 0) << args[0] << ": " << r.out << r.err;
    }
  }
  static void TearDownTestSuite() {
    site_->StopServices();
    delete site_;
    delete dir_;
  }
  static CliResult Run(std::vector<std::string> args) {
    args.push_back("--journal");
    args.push_back(site_->journal().string());
    return RunTidemark(args);
  }
  // The seq of the first `log --json` event whose fields contain `part`.
  static std::string SeqOf(const std::string& kind, const std::string& part) {
    CliResult r = Run({"log", "--kind", kind, "--oldest-first", "--json"});
    const std::string& rest = r.out;
    size_t pos = 0;
    while ((pos = rest.find("{\"seq\":", pos)) != std::string::npos) {
      size_t next = rest.find("{\"seq\":", pos + 1);
      const std::string one = rest.substr(pos, next == std::string::npos ? std::string::npos : next - pos);
      if (Has(one, part)) return one.substr(7, one.find(',') - 7);
      pos = pos + 1;
    }
    return "";
  }
  static TempDir* dir_;
  static MiniSite* site_;
};
TempDir* ReadingCommandsTest::dir_ = nullptr;
MiniSite* ReadingCommandsTest::site_ = nullptr;

TEST_F(ReadingCommandsTest, StatusShowsNewestRunAndJson) {
  CliResult r = Run({"status"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Has(r.out, "secrets")) << r.out;
  EXPECT_TRUE(Has(r.out, "set-secrets")) << r.out;
  r = Run({"status", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.front(), '{');
  EXPECT_TRUE(Has(r.out, "\"set-secrets\"")) << r.out;
}

TEST_F(ReadingCommandsTest, LogFiltersByResourceRunStepKindTimeAndLimit) {
  CliResult r = Run({"log", "--resource", "*db_preferedregistry"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Has(r.out, "DB_PreferedRegistry")) << r.out;
  EXPECT_FALSE(Has(r.out, "AllowBackups")) << r.out;
  r = Run({"log", "--kind", "checkpoint", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Has(r.out, "\"name\":\"pre-upgrade\"")) << r.out;
  EXPECT_FALSE(Has(r.out, "\"kind\":\"intent\"")) << r.out;
  r = Run({"log", "--step", "redirect", "--kind", "applied"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Has(r.out, "RegistryConnect")) << r.out;
  EXPECT_FALSE(Has(r.out, "AllowBackups")) << r.out;
  r = Run({"log", "--limit", "1", "--json"});
  ASSERT_EQ(r.exit_code, 0);
  EXPECT_TRUE(Has(r.out, "change ticket CHG-4711")) << r.out;  // newest first
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1);
  r = Run({"log", "--until", "2000-01-01T00:00:00Z"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_TRUE(Has(r.out, "no events match")) << r.out;
  r = Run({"log", "--since", "2000-01-01T00:00:00Z", "--kind", "note"});
  EXPECT_TRUE(Has(r.out, "CHG-4711")) << r.out;
  const std::string run = SeqOf("runStarted", "\"plan_name\":\"secrets\"");
  ASSERT_FALSE(run.empty());
  r = Run({"log", "--since", "yesterday"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(Has(r.err, "yesterday")) << r.err;
  r = Run({"log", "--run", "no-such-run"});
  EXPECT_EQ(r.exit_code, 2);
  r = Run({"log", "--step", "no-such-step"});
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_TRUE(Has(r.err, "no-such-step")) << r.err;
  r = Run({"log", "--step", "redirect", "--until", "2000-01-01T00:00:00Z"});
  EXPECT_EQ(r.exit_code, 0) << r.err;  // a known step, nothing in that window
  r = Run({"log", "--limit", "-1"});
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_TRUE(Has(r.err, "--limit")) << r.err;
}

TEST_F(ReadingCommandsTest, ShowPrintsOneEventWithHashes) {
  const std::string seq = SeqOf("intent", "DB_PreferedRegistry");
  ASSERT_FALSE(seq.empty());
  CliResult r = Run({"show", seq});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Has(r.out, "before     REG_SZ")) << r.out;
  EXPECT_TRUE(Has(r.out, "prev hash  ")) << r.out;
  r = Run({"show", seq, "--json"});
  EXPECT_TRUE(Has(r.out, "\"seq\":" + seq + ",")) << r.out;
  r = Run({"show", "999999"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  r = Run({"show", "abc"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
}

TEST_F(ReadingCommandsTest, HistoryIsTheBlameOfOneResource) {
  CliResult r = Run({"history", "*Outflow\\AllowBackups"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // Set by two steps of the upgrade, the second undone by the rollback.
  EXPECT_TRUE(Has(r.out, "stop-services")) << r.out;
  EXPECT_TRUE(Has(r.out, "start-services")) << r.out;
  EXPECT_TRUE(Has(r.out, "rollback")) << r.out;
  EXPECT_TRUE(Has(r.out, "undoes #")) << r.out;
  EXPECT_TRUE(Has(r.out, "root@") || Has(r.out, "@")) << r.out;
  r = Run({"history", "*db_preferedregistry", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Has(r.out, "\"outcome\":\"applied\"")) << r.out;
  EXPECT_TRUE(Has(r.out, "\"step\":\"redirect\"")) << r.out;
  EXPECT_TRUE(Has(r.out, "\"text\":\"S2\"")) << r.out;

  r = Run({"history", "*Outflow*"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(Has(r.err, "AllowBackups")) << r.err;  // lists the candidates
  r = Run({"history", "*NoSuchValue"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(Has(r.err, "no resource")) << r.err;
}

TEST_F(ReadingCommandsTest, StateAtCheckpointSeqAndStart) {
  CliResult head = Run({"state", "--resource", "*DB_PreferedRegistry"});
  ASSERT_EQ(head.exit_code, 0) << head.err;
  CliResult cp = Run({"state", "--at", "pre-upgrade", "--resource", "*DB_PreferedRegistry"});
  ASSERT_EQ(cp.exit_code, 0) << cp.err;
  EXPECT_TRUE(Has(cp.out, "\"S2\"")) << cp.out;  // redirected before the checkpoint
  // At the head the rollback to the checkpoint left it redirected too;
  // AllowBackups was 0 at the checkpoint.
  CliResult allow = Run({"state", "--at", "pre-upgrade", "--resource", "*AllowBackups", "--json"});
  ASSERT_EQ(allow.exit_code, 0) << allow.err;
  EXPECT_TRUE(Has(allow.out, "\"number\":0")) << allow.out;
  CliResult start = Run({"state", "--at", "start", "--json"});
  ASSERT_EQ(start.exit_code, 0) << start.err;
  EXPECT_TRUE(Has(start.out, "\"resources\":[")) << start.out;
  EXPECT_FALSE(Has(start.out, "ServiceToken")) << start.out;  // set after the secrets run started
  CliResult one = Run({"state", "--at", "1", "--json"});
  ASSERT_EQ(one.exit_code, 0) << one.err;
  EXPECT_TRUE(Has(one.out, "\"seq\":1,\"time\"")) << one.out;
  EXPECT_TRUE(Has(one.out, "\"resources\":[]")) << one.out;

  EXPECT_EQ(Run({"state", "--at", "no-such-checkpoint"}).exit_code, 2);
  EXPECT_EQ(Run({"state", "--at", "99999999"}).exit_code, 2);
  CliResult bad = Run({"state", "--at", "2026-13-45T99:00:00Z"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_TRUE(Has(bad.err, "not a time")) << bad.err;
  EXPECT_EQ(Run({"state", "--resource", "*nothing-like-this"}).exit_code, 2);
}

TEST_F(ReadingCommandsTest, DiffShowsNetChangesBetweenPoints) {
  const std::string cp = SeqOf("checkpoint", "pre-upgrade");
  ASSERT_FALSE(cp.empty());
  CliResult r = Run({"diff", "1", "pre-upgrade"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Has(r.out, "DB_PreferedRegistry")) << r.out;
  EXPECT_TRUE(Has(r.out, "changed")) << r.out;
  // The rollback put everything after the checkpoint back, the new key went.
  const std::string rb = SeqOf("runStarted", "\"plan_name\":\"rollback\"");
  ASSERT_FALSE(rb.empty());
  CliResult json = Run({"diff", "pre-upgrade", std::to_string(std::stoull(rb) - 1), "--json"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  EXPECT_TRUE(Has(json.out, "\"change\":\"created\"")) << json.out;  // SSWS key and value
  EXPECT_TRUE(Has(json.out, "downloadStagingDir")) << json.out;
  // Net effect of "checkpoint → after the rollback" is nothing for registry values.
  const std::string secrets = SeqOf("runStarted", "\"plan_name\":\"secrets\"");
  CliResult net = Run({"diff", "pre-upgrade", secrets, "--json"});
  ASSERT_EQ(net.exit_code, 0) << net.err;
  EXPECT_TRUE(Has(net.out, "\"changes\":[]")) << net.out;
  CliResult secret = Run({"diff", secrets, "head"});
  ASSERT_EQ(secret.exit_code, 0) << secret.err;
  EXPECT_TRUE(Has(secret.out, "ServiceToken")) << secret.out;
  EXPECT_FALSE(Has(secret.out, "hunter2")) << secret.out;

  EXPECT_EQ(Run({"diff", "pre-upgrade"}).exit_code, 2);
  EXPECT_EQ(Run({"diff", "pre-upgrade", "nope"}).exit_code, 2);
}

TEST_F(ReadingCommandsTest, SecretsAreMaskedUnlessRevealed) {
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"log"}, {"log", "--json"}, {"state"}, {"state", "--json"}, {"export"},
           {"export", "--format", "csv"}, {"history", "*ServiceToken"}, {"history", "*DsnString", "--json"}}) {
    CliResult r = Run(args);
    ASSERT_EQ(r.exit_code, 0) << args[0] << r.err;
    EXPECT_FALSE(Has(r.out, "hunter2")) << args[0] << ": " << r.out;
    EXPECT_FALSE(Has(r.out, "Sup3rS3cret")) << args[0] << ": " << r.out;
  }
  CliResult dsn = Run({"history", "*DsnString"});
  EXPECT_TRUE(Has(dsn.out, "PWD=***")) << dsn.out;  // the rest of the string stays readable
  EXPECT_TRUE(Has(dsn.out, "UID=sa")) << dsn.out;
  CliResult token = Run({"history", "*ServiceToken"});
  EXPECT_TRUE(Has(token.out, "***")) << token.out;
  CliResult shown = Run({"history", "*ServiceToken", "--reveal-secrets"});
  EXPECT_TRUE(Has(shown.out, "hunter2-token")) << shown.out;
  shown = Run({"state", "--reveal-secrets", "--resource", "*DsnString"});
  EXPECT_TRUE(Has(shown.out, "PWD=Sup3rS3cret")) << shown.out;
}

TEST_F(ReadingCommandsTest, VerifyPrintsHeadAndChecksExpectedHead) {
  CliResult r = Run({"verify", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(r.out, m, std::regex("\"head_hash\":\"([0-9a-f]{64})\"")));
  const std::string head = m[1];
  r = Run({"verify", "--expect-head", head});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Has(r.out, head)) << r.out;
  r = Run({"verify", "--expect-head", std::string(64, 'a')});
  EXPECT_EQ(r.exit_code, 6);
  EXPECT_TRUE(Has(r.err, "not in the chain")) << r.err;
}

TEST_F(ReadingCommandsTest, ExportJsonlAndCsvHaveStableFields) {
  CliResult head = Run({"verify", "--json"});
  std::smatch m;
  ASSERT_TRUE(std::regex_search(head.out, m, std::regex("\"head_seq\":(\\d+)")));
  const size_t events = std::stoul(m[1]);

  CliResult r = Run({"export"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(static_cast<size_t>(std::count(r.out.begin(), r.out.end(), '\n')), events);
  EXPECT_EQ(r.out.rfind("{\"seq\":1,\"time\":\"", 0), 0u) << r.out.substr(0, 200);
  EXPECT_TRUE(Has(r.out, "\"resource\":\"")) << r.out.substr(0, 400);
  // The file change: before/after SHA-256 of the content, and the content with --blobs.
  std::string file_line;
  for (size_t pos = 0; pos < r.out.size();) {
    const size_t end = r.out.find('\n', pos);
    const std::string line = r.out.substr(pos, end - pos);
    if (Has(line, "\"kind\":\"intent\"") && Has(line, "DailyMaint.cmd")) {
      file_line = line;
      break;
    }
    pos = end + 1;
  }
  ASSERT_FALSE(file_line.empty());
  EXPECT_TRUE(std::regex_search(file_line, std::regex("\"before_sha256\":\"[0-9a-f]{64}\""))) << file_line;
  EXPECT_TRUE(Has(file_line, "\"before_base64\":\"\"")) << file_line;
  r = Run({"export", "--blobs"});
  ASSERT_EQ(r.exit_code, 0);
  EXPECT_TRUE(std::regex_search(r.out, std::regex("\"after_base64\":\"[A-Za-z0-9+/]{40,}={0,2}\""))) << "no blob";

  const auto csv_path = dir_->path() / "events.csv";
  r = Run({"export", "--format", "csv", "--output", csv_path.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string csv = testing::ReadFileBytes(csv_path);
  EXPECT_EQ(csv.rfind("seq,time,kind,run,step,host,user,hash,prev_hash,resource_kind,resource,", 0), 0u);
  EXPECT_TRUE(Has(csv, "\r\n"));
  // A value with a comma, quotes doubled: the connection string is quoted.
  EXPECT_TRUE(Has(csv, "\"REG_SZ \"\"DRIVER={SQL Server};SERVER=S2;UID=sa;PWD=***;DATABASE=Registry\"\"\"")) << csv;
  EXPECT_EQ(Run({"export", "--format", "xml"}).exit_code, 2);
}

TEST_F(ReadingCommandsTest, NoteIsRecorded) {
  CliResult r = Run({"log", "--kind", "note", "--json"});
  ASSERT_EQ(r.exit_code, 0);
  EXPECT_TRUE(Has(r.out, "\"text\":\"change ticket CHG-4711 approved\"")) << r.out;
}

TEST(ReadingCommandsEmptyTest, EmptyOrMissingJournalIsBadInput) {
  TempDir dir;
  const std::string journal = (dir.path() / "j").string();
  for (const auto& cmd : std::vector<std::vector<std::string>>{
           {"history", "*x"}, {"state"}, {"diff", "1", "2"}, {"export"}, {"report", "--html", "r.html"}}) {
    std::vector<std::string> args = cmd;
    args.insert(args.end(), {"--journal", journal});
    CliResult r = RunTidemark(args);
    EXPECT_EQ(r.exit_code, 2) << cmd[0] << ": " << r.err;
    EXPECT_FALSE(r.err.empty()) << cmd[0];
  }
  ASSERT_EQ(RunTidemark({"init", "--journal", journal}).exit_code, 0);
  for (const auto& cmd : std::vector<std::vector<std::string>>{
           {"history", "*x"}, {"state"}, {"diff", "1", "2"}, {"export"}, {"report", "--html", "r.html"}}) {
    std::vector<std::string> args = cmd;
    args.insert(args.end(), {"--journal", journal});
    CliResult r = RunTidemark(args);
    EXPECT_EQ(r.exit_code, 2) << cmd[0] << ": " << r.out << r.err;
    EXPECT_TRUE(Has(r.err, "empty")) << cmd[0] << ": " << r.err;
  }
}

// Renders the report in headless Chromium and returns the DOM ("" + reason if
// Chromium is not installed).
std::string RenderedDom(const std::filesystem::path& html, const std::filesystem::path& profile,
                        const std::string& screenshot) {
  std::vector<std::string> argv = {"/usr/bin/chromium", "--headless", "--no-sandbox", "--disable-gpu",
                                   "--disable-quic", "--no-first-run", "--disable-background-networking",
                                   "--disable-component-update", "--disable-sync",
                                   "--user-data-dir=" + profile.string()};
  if (!screenshot.empty()) {
    argv.push_back("--screenshot=" + screenshot);
    argv.push_back("--window-size=1280,2000");
  } else {
    argv.push_back("--dump-dom");
  }
  argv.push_back("file://" + html.string());
  CliResult r = testing::RunProgram(argv);
  return r.out;
}

TEST_F(ReadingCommandsTest, HtmlReportRendersInChromium) {
#ifdef _WIN32
  GTEST_SKIP() << "no Windows Chromium under Wine; the same report code is rendered in the Linux run";
#endif
  if (!std::filesystem::exists("/usr/bin/chromium")) {
    GTEST_SKIP() << "/usr/bin/chromium is not installed (Debian package 'chromium'); the HTML "
                    "report is not rendered";
  }
  const auto html = dir_->path() / "report.html";
  CliResult r = Run({"report", "--html", html.string()});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const std::string file = testing::ReadFileBytes(html);
  // Self-contained: no external references, secrets masked.
  EXPECT_FALSE(Has(file, "http://")) << "external reference";
  EXPECT_FALSE(Has(file, "<script")) << "script";
  EXPECT_FALSE(Has(file, "<link")) << "link";
  EXPECT_FALSE(Has(file, "hunter2"));
  EXPECT_FALSE(Has(file, "Sup3rS3cret"));

  CliResult verify = Run({"verify", "--json"});
  std::smatch m;
  ASSERT_TRUE(std::regex_search(verify.out, m, std::regex("\"head_hash\":\"([0-9a-f]{64})\"")));
  const std::string head = m[1];

  TempDir profile;
  const std::string dom = RenderedDom(html, profile.path(), "");
  ASSERT_FALSE(dom.empty()) << "chromium produced no DOM";
  EXPECT_TRUE(Has(dom, "<span class=\"hash\" id=\"head-hash\">" + head + "</span>")) << "head hash";
  EXPECT_TRUE(Has(dom, "Redirect web services to the other server")) << "step title";
  EXPECT_TRUE(Has(dom, "Roll back to pre-upgrade")) << "rollback step";
  EXPECT_TRUE(Has(dom, "pre-upgrade")) << "checkpoint";
  // Before/after cells of the redirect (HTML-escaped quotes as rendered).
  EXPECT_TRUE(Has(dom, "<td class=\"before\">REG_SZ \"S1\"</td><td class=\"after\">REG_SZ \"S2\"</td>"))
      << "before/after cells";
  // The maintenance script's line diff: the old OSQL path removed, the new added.
  EXPECT_TRUE(std::regex_search(dom, std::regex("<div class=\"del\">- [^<]*\\\\100\\\\Tools\\\\BINN\\\\OSQL.EXE")))
      << "removed line";
  EXPECT_TRUE(std::regex_search(dom, std::regex("<div class=\"add\">\\+ [^<]*\\\\130\\\\Tools\\\\BINN\\\\OSQL.EXE")))
      << "added line";
  EXPECT_TRUE(Has(dom, "PWD=***")) << "masked connection string";
  EXPECT_TRUE(Has(dom, "class=\"bar done\"")) << "timeline bars";

  // With --reveal-secrets the values appear.
  const auto revealed = dir_->path() / "revealed.html";
  ASSERT_EQ(Run({"report", "--html", revealed.string(), "--reveal-secrets"}).exit_code, 0);
  EXPECT_TRUE(Has(testing::ReadFileBytes(revealed), "hunter2-token"));

  // A screenshot for people to look at (TIDEMARK_REPORT_SCREENSHOT=path).
  if (const char* shot = std::getenv("TIDEMARK_REPORT_SCREENSHOT")) {
    TempDir profile2;
    RenderedDom(html, profile2.path(), shot);
    EXPECT_TRUE(std::filesystem::exists(shot));
  }
}

TEST_F(ReadingCommandsTest, ReportForOneRunAndBadRun) {
  const auto html = dir_->path() / "one.html";
  CliResult status = Run({"log", "--kind", "runStarted", "--oldest-first", "--json"});
  std::smatch m;
  ASSERT_TRUE(std::regex_search(status.out, m, std::regex("\"run\":\"([^\"]+)\"")));
  const std::string first_run = m[1];
  CliResult r = Run({"report", "--html", html.string(), "--run", first_run, "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Has(r.out, "\"verified\":true")) << r.out;
  const std::string file = testing::ReadFileBytes(html);
  EXPECT_TRUE(Has(file, "mini-upgrade")) << "title";
  EXPECT_FALSE(Has(file, "Store credentials")) << "the secrets run is not part of this report";
  r = Run({"report", "--html", html.string(), "--run", "nope"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(Has(r.err, "no run 'nope'")) << r.err;
  EXPECT_EQ(Run({"report"}).exit_code, 2);
}

TEST(LineDiffTest, ShortestScriptKeepsCommonLines) {
  auto d = commands::LineDiff("a\r\nb\r\nc\r\nd\r\n", "a\r\nB\r\nc\r\nd\r\ne\r\n");
  std::string got;
  for (const auto& l : d) got += std::string(1, l.op) + l.text + "|";
  EXPECT_EQ(got, " a|-b|+B| c| d|+e|");
  EXPECT_TRUE(commands::LineDiff("x\ny\n", "x\ny\n").empty());
  d = commands::LineDiff("", "one\ntwo");
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d[0].op, '+');
  EXPECT_EQ(commands::HtmlEscape("<a href=\"x\">&'"), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
}

}  // namespace
}  // namespace tidemark
