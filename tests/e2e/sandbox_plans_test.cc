// End-to-end tests of the shipped Connected Backup 8.8.7 plans on sandbox data
// centers (tools/make-sandbox): every plan passes `plan check`, applies, rolls
// back to a state equal to the pristine sandbox (hives compared semantically,
// databases dumped, files hashed, service states), and a failed setup.exe
// part-way through the mirrored upgrade rolls back to pristine too.
#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "engine/targets/process_service.h"
#include "engine/targets/reg_file.h"
#include "engine/targets/registry_target.h"
#include "store/resource.h"
#include "store/sha256.h"
#include "store/value.h"
#include "tests/testing/cli_runner.h"
#include "tests/testing/temp_dir.h"

namespace tidemark {
namespace {

namespace fs = std::filesystem;
using testing::CliResult;
using testing::ReadFileBytes;
using testing::RunProgram;
using testing::RunTidemark;
using testing::RunTidemarkProcess;
using testing::TempDir;

const char kDataCenterKey[] = "HKEY_LOCAL_MACHINE\\SOFTWARE\\Wow6432Node\\Connected\\DataCenter";
const fs::path kPlanDir = fs::path(TIDEMARK_SOURCE_DIR) / "plans" / "connected-backup-8.8.7";

// How one shipped plan is exercised: the sandbox topology it is written for,
// the --set parameters the sandbox's site.yaml does not give, and optionally a
// plan applied first (its own journal) so that this plan has something to do
// (e.g. uninstall what mapi-install installed).
struct PlanCase {
  std::string plan;  // file name under kPlanDir
  std::string topology;
  std::vector<std::string> sets;  // NAME=VALUE
  std::string prepare_plan;       // "" = none
};

const std::vector<PlanCase>& Cases() {
  static const std::vector<PlanCase> cases = {
      {"amw-d1scratch.yaml", "mirrored", {"scratch_dir=E:\\Scratch"}, ""},
      {"amw-ssl-settings.yaml", "mirrored", {"amws_server_name=web1.example.corp"}, ""},
      {"clustered.yaml", "clustered", {}, ""},
      {"datatransfer-disable-ssl-node.yaml", "mirrored", {"server_id=1"}, ""},
      {"datatransfer-disable-ssl.yaml", "mirrored", {}, ""},
      {"datatransfer-url-cn.yaml", "mirrored", {}, ""},
      {"datatransfer-url-fqdn.yaml", "mirrored", {}, "datatransfer-url-cn.yaml"},
      {"mapi-install.yaml", "mirrored", {}, ""},
      {"mapi-public-server-name.yaml", "mirrored", {"public_server_name=https://backup.example.com"}, "mapi-install.yaml"},
      {"mapi-uninstall.yaml", "mirrored", {}, "mapi-install.yaml"},
      {"mirrored.yaml", "mirrored", {}, ""},
      {"sql-server-upgrade.yaml", "mirrored", {"sql_version=120"}, ""},
      {"sql-server-upgrade-standalone.yaml", "standalone", {"sql_version=120"}, ""},
      {"standalone.yaml", "standalone", {}, ""},
  };
  return cases;
}

// `--confirm STEP` for the steps of `plan` whose manual prompts ask for the
// admin's judgement (judge: true), which --yes does not confirm.
std::vector<std::string> WithConfirms(std::vector<std::string> args, const std::string& plan) {
  std::vector<std::string> steps;
  if (plan == "standalone.yaml" || plan == "mirrored.yaml" || plan == "clustered.yaml") {
    steps = {"check-data-integrity", "check-sql-accounts"};
  } else if (plan == "sql-server-upgrade.yaml" || plan == "sql-server-upgrade-standalone.yaml") {
    steps = {"verify-data-integrity", "upgrade-sql-server"};
  }
  for (const auto& s : steps) {
    args.push_back("--confirm");
    args.push_back(s);
  }
  return args;
}

std::string Describe(const CliResult& r) {
  return "exit " + std::to_string(r.exit_code) + (r.signal ? " signal " + std::to_string(r.signal) : "") +
         "\n--- stdout ---\n" + r.out + "\n--- stderr ---\n" + r.err;
}

std::vector<std::string> WithSets(std::vector<std::string> args, const std::vector<std::string>& sets) {
  for (const auto& s : sets) {
    args.push_back("--set");
    args.push_back(s);
  }
  return args;
}

bool HavePostgres() {
  std::error_code ec;
  for (const auto& e : fs::directory_iterator("/usr/lib/postgresql", ec)) {
    if (fs::exists(e.path() / "bin" / "initdb") && fs::exists(e.path() / "bin" / "pg_ctl")) {
      return RunProgram({"/bin/sh", "-c", "command -v pg_dump && command -v psql"}).exit_code == 0;
    }
  }
  return false;
}

// A sandbox data center in its own temp folder; its services and PostgreSQL
// server are stopped when it goes away.
class Sandbox {
 public:
  // Runs make-sandbox now, unless `make` is false (then call Make() later,
  // possibly from another thread).
  Sandbox(const std::string& topology, const std::string& db = "sqlite", bool make = true,
          std::vector<std::string> options = {})
      : topology_(topology), db_(db), options_(std::move(options)) {
    // PostgreSQL runs as user postgres when we are root: it must reach DIR/pg.
    ::chmod(tmp_.path().c_str(), 0755);
    dir_ = tmp_.path() / "dc";
    if (make) Make();
  }
  void Make() {
    std::vector<std::string> args = {(fs::path(TIDEMARK_SOURCE_DIR) / "tools" / "make-sandbox").string(),
                                     dir_.string(), "--topology", topology_, "--db", db_};
    args.insert(args.end(), options_.begin(), options_.end());
    made_ = RunProgram(args);
  }
  ~Sandbox() {
    if (fs::exists(dir_ / "bin" / "sandbox-stop")) RunProgram({(dir_ / "bin" / "sandbox-stop").string()});
  }
  Sandbox(const Sandbox&) = delete;
  Sandbox& operator=(const Sandbox&) = delete;

  bool ok() const { return made_.exit_code == 0; }
  const CliResult& made() const { return made_; }
  const fs::path& dir() const { return dir_; }
  std::string site() const { return (dir_ / "site.yaml").string(); }
  const std::string& db() const { return db_; }
  // Brings the auto-start services up, as on a live server before an upgrade.
  CliResult Start() const { return RunProgram({(dir_ / "bin" / "sandbox-start").string()}); }

 private:
  TempDir tmp_;
  std::string topology_;
  std::string db_;
  std::vector<std::string> options_;  // more make-sandbox options
  fs::path dir_;
  CliResult made_;
};

std::string CaseName(const PlanCase& c) {
  std::string name = c.plan.substr(0, c.plan.find('.'));
  for (char& ch : name) {
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  }
  return name;
}

// make-sandbox takes a second or more of CPU per sandbox while apply and
// rollback mostly wait (service start settle time, fsync): one background
// thread makes the fresh sandboxes of the ShippedPlanTest cases that will run,
// in order, while earlier tests run. Each test takes its own, untouched.
class SandboxPrefetcher : public ::testing::Environment {
 public:
  void SetUp() override {
    std::vector<size_t> wanted;
    const ::testing::UnitTest& unit = *::testing::UnitTest::GetInstance();
    for (int i = 0; i < unit.total_test_suite_count(); ++i) {
      const ::testing::TestSuite& suite = *unit.GetTestSuite(i);
      if (std::string(suite.name()) != "ShippedPlans/ShippedPlanTest") continue;
      for (int j = 0; j < suite.total_test_count(); ++j) {
        const ::testing::TestInfo& t = *suite.GetTestInfo(j);
        if (!t.should_run()) continue;
        const std::string name = t.name();
        for (size_t k = 0; k < Cases().size(); ++k) {
          if (name == "AppliesAndRollsBackToThePristineSandbox/" + CaseName(Cases()[k])) wanted.push_back(k);
        }
      }
    }
    for (size_t k : wanted) {
      Slot& slot = slots_[k];
      slot.sandbox = std::make_unique<Sandbox>(Cases()[k].topology, "sqlite", /*make=*/false);
      slot.ready = slot.made.get_future();
    }
    worker_ = std::thread([this, wanted] {
      for (size_t k : wanted) {
        slots_[k].sandbox->Make();
        slots_[k].made.set_value();
      }
    });
  }
  void TearDown() override {
    if (worker_.joinable()) worker_.join();
    slots_.clear();
  }
  // The fresh sandbox for case `k` (waits until it is made); nullptr when it
  // was not prefetched.
  std::unique_ptr<Sandbox> Take(size_t k) {
    auto it = slots_.find(k);
    if (it == slots_.end() || !it->second.sandbox) return nullptr;
    it->second.ready.wait();
    return std::move(it->second.sandbox);
  }

 private:
  struct Slot {
    std::unique_ptr<Sandbox> sandbox;
    std::promise<void> made;
    std::future<void> ready;
  };
  std::map<size_t, Slot> slots_;  // filled before the worker starts; the worker only reads the map
  std::thread worker_;
};

SandboxPrefetcher* const prefetcher =
    static_cast<SandboxPrefetcher*>(::testing::AddGlobalTestEnvironment(new SandboxPrefetcher));

std::string Hex(const std::string& bytes) { return ToHex(bytes); }

// A comparable rendering of a value: type, registry type and raw bytes.
std::string ValueText(const Value& v) {
  std::ostringstream s;
  s << "type=" << static_cast<int>(v.type);
  if (v.type == ValueType::kRegistry) s << " reg_type=" << v.reg_type << " data=" << Hex(v.bytes);
  if (v.type == ValueType::kService) s << " " << ServiceRunName(v.run) << "/" << StartTypeName(v.start);
  s << " (" << v.ToDisplay() << ")";
  return s.str();
}

// Everything the plans can touch, as "what" → "state" entries.
using Fingerprint = std::map<std::string, std::string>;

void AddLines(Fingerprint& fp, const std::string& prefix, const std::string& text) {
  std::istringstream in(text);
  std::string line;
  std::map<std::string, int> seen;  // identical lines stay distinct entries
  while (std::getline(in, line)) {
    const int n = seen[line]++;
    fp[prefix + line + (n ? " #" + std::to_string(n) : "")] = "present";
  }
}

// Records the sandbox's state. Failures are reported through gtest.
Fingerprint TakeFingerprint(const Sandbox& sb) {
  Fingerprint fp;
  const fs::path dir = sb.dir();
  // Registry: the semantic content of each hive (what Read/Enumerate report),
  // so deletion markers a rollback leaves in the file do not count.
  for (const auto& e : fs::directory_iterator(dir / "hives")) {
    if (e.path().extension() != ".reg") continue;
    const std::string host = e.path().stem().string();
    auto parsed = targets::Hive::Load(e.path());
    EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
    targets::HiveRegistryTarget reg(host, e.path());
    auto all = reg.Enumerate("HKEY_LOCAL_MACHINE");
    EXPECT_TRUE(all.ok()) << e.path() << ": " << all.status().ToString();
    if (!all.ok()) continue;
    for (const auto& [res, val] : all.value()) {
      fp["registry " + res.Identity()] = ValueText(val);
    }
  }
  // Databases: full dumps, line by line (schema and rows).
  for (const std::string db : {"registry", "directory"}) {
    CliResult dump;
    if (sb.db() == "postgres") {
      dump = RunProgram({"pg_dump", "-h", (dir / "pg").string(), "-p", "5432", "-U", "postgres", "--no-owner", db});
    } else {
      dump = RunProgram({"sqlite3", (dir / "db" / (db + ".db")).string(), ".dump"});
    }
    EXPECT_EQ(dump.exit_code, 0) << "dump of " << db << ": " << Describe(dump);
    std::string text;  // pg_dump's `\\restrict KEY` lines carry a random key per dump: not content
    std::istringstream in(dump.out);
    for (std::string line; std::getline(in, line);) {
      if (line.rfind("\\restrict ", 0) == 0 || line.rfind("\\unrestrict ", 0) == 0) continue;
      text += line + "\n";
    }
    std::string lower = text;
    for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (db == "registry") {
      EXPECT_NE(lower.find("outflowservices"), std::string::npos) << "no OutflowServices in the dump";
    }
    AddLines(fp, "database " + db + ": ", text);
  }
  // Every file of every host's drives, hashed. Folders are not resources: an
  // installer's new folder stays (empty) after rollback deletes its files.
  for (const auto& e : fs::recursive_directory_iterator(dir / "hosts")) {
    if (e.is_directory()) continue;
    fp["file " + fs::relative(e.path(), dir).generic_string()] = Sha256Hex(ReadFileBytes(e.path()));
  }
  // Service states through the process backend.
  for (const auto& host : fs::directory_iterator(dir / "services")) {
    targets::ProcessServiceBackend backend(host.path());
    for (const auto& def : fs::directory_iterator(host.path())) {
      if (def.path().extension() != ".service") continue;
      const std::string name = def.path().stem().string();
      auto v = backend.Read(name);
      EXPECT_TRUE(v.ok()) << def.path() << ": " << v.status().ToString();
      if (v.ok()) fp["service " + host.path().filename().string() + "\\" + name] = ValueText(v.value());
    }
  }
  return fp;
}

// Lists every difference between two fingerprints ("" when equal).
std::string Differences(const Fingerprint& before, const Fingerprint& after) {
  std::ostringstream s;
  for (const auto& [what, state] : before) {
    auto it = after.find(what);
    if (it == after.end()) {
      s << "  gone:    " << what << " = " << state << "\n";
    } else if (it->second != state) {
      s << "  changed: " << what << "\n     was " << state << "\n     now " << it->second << "\n";
    }
  }
  for (const auto& [what, state] : after) {
    if (!before.count(what)) s << "  new:     " << what << " = " << state << "\n";
  }
  return s.str();
}

std::string PlanPath(const std::string& file) { return (kPlanDir / file).string(); }

// --- plan check ----------------------------------------------------------------

TEST(SandboxPlansTest, EveryShippedPlanHasAnEndToEndCase) {
  std::vector<std::string> shipped, covered;
  for (const auto& e : fs::directory_iterator(kPlanDir)) {
    if (e.path().extension() == ".yaml") shipped.push_back(e.path().filename().string());
  }
  for (const auto& c : Cases()) covered.push_back(c.plan);
  std::sort(shipped.begin(), shipped.end());
  std::sort(covered.begin(), covered.end());
  EXPECT_FALSE(shipped.empty());
  EXPECT_EQ(shipped, covered) << "add the new plan to Cases() in " << __FILE__;
}

// `plan check` also dry-runs the plan against the live sandbox, so a plan that
// needs a prepared state (datatransfer-url-fqdn after datatransfer-url-cn) is
// checked after applying its preparation, which is rolled back afterwards.
TEST(SandboxPlansTest, PlanCheckPassesForEveryShippedPlanOnItsSandbox) {
  std::map<std::string, std::unique_ptr<Sandbox>> sandboxes;
  TempDir journals;
  int prepared = 0;
  for (const auto& c : Cases()) {
    auto& sb = sandboxes[c.topology];
    if (!sb) {
      sb = std::make_unique<Sandbox>(c.topology);
      ASSERT_TRUE(sb->ok()) << Describe(sb->made());
      CliResult started = sb->Start();
      ASSERT_EQ(started.exit_code, 0) << Describe(started);
    }
    const std::string journal = (journals / ("prepare" + std::to_string(++prepared))).string();
    if (!c.prepare_plan.empty()) {
      CliResult prep =
          RunTidemark({"apply", PlanPath(c.prepare_plan), "--env", sb->site(), "--yes", "--journal", journal});
      ASSERT_EQ(prep.exit_code, 0) << "preparing with " << c.prepare_plan << ": " << Describe(prep);
    }
    CliResult r = RunTidemark(WithSets({"plan", "check", PlanPath(c.plan), "--env", sb->site()}, c.sets));
    EXPECT_EQ(r.exit_code, 0) << c.plan << " on the " << c.topology << " sandbox: " << Describe(r);
    if (!c.prepare_plan.empty()) {
      CliResult undo = RunTidemark({"rollback", "--journal", journal});
      ASSERT_EQ(undo.exit_code, 0) << "rolling back " << c.prepare_plan << ": " << Describe(undo);
    }
  }
  // Without --set server_id the single-node plan cannot bind: check must say so.
  CliResult r = RunTidemark(
      {"plan", "check", PlanPath("datatransfer-disable-ssl-node.yaml"), "--env", sandboxes.at("mirrored")->site()});
  EXPECT_NE(r.exit_code, 0) << Describe(r);
  EXPECT_NE((r.out + r.err).find("server_id"), std::string::npos) << Describe(r);
}

// --- apply, rollback, pristine ---------------------------------------------------

class ShippedPlanTest : public ::testing::TestWithParam<PlanCase> {};

TEST_P(ShippedPlanTest, AppliesAndRollsBackToThePristineSandbox) {
  const PlanCase& c = GetParam();
  const size_t index = static_cast<size_t>(std::find_if(Cases().begin(), Cases().end(),
                                                        [&](const PlanCase& x) { return x.plan == c.plan; }) -
                                           Cases().begin());
  std::unique_ptr<Sandbox> made = prefetcher->Take(index);
  if (!made) made = std::make_unique<Sandbox>(c.topology);
  const Sandbox& sb = *made;
  ASSERT_TRUE(sb.ok()) << Describe(sb.made());
  CliResult started = sb.Start();
  ASSERT_EQ(started.exit_code, 0) << Describe(started);
  TempDir journals;
  if (!c.prepare_plan.empty()) {
    CliResult prep = RunTidemark({"apply", PlanPath(c.prepare_plan), "--env", sb.site(), "--yes", "--journal",
                                  (journals / "prepare").string()});
    ASSERT_EQ(prep.exit_code, 0) << "preparing with " << c.prepare_plan << ": " << Describe(prep);
  }
  const Fingerprint pristine = TakeFingerprint(sb);
  const std::string journal = (journals / "journal").string();

  CliResult applied = RunTidemark(
      WithConfirms(WithSets({"apply", PlanPath(c.plan), "--env", sb.site(), "--yes", "--journal", journal}, c.sets),
                   c.plan));
  ASSERT_EQ(applied.exit_code, 0) << Describe(applied);
  const std::string changed = Differences(pristine, TakeFingerprint(sb));
  EXPECT_FALSE(changed.empty()) << c.plan << " changed nothing on the sandbox";

  CliResult rolled = RunTidemark({"rollback", "--journal", journal});
  ASSERT_EQ(rolled.exit_code, 0) << Describe(rolled);
  const std::string left = Differences(pristine, TakeFingerprint(sb));
  EXPECT_TRUE(left.empty()) << c.plan << ": after rollback the sandbox differs from pristine:\n" << left
                            << "\napply changed:\n" << changed;

  CliResult drift = RunTidemark({"drift", "--journal", journal});
  EXPECT_EQ(drift.exit_code, 0) << Describe(drift);
}

INSTANTIATE_TEST_SUITE_P(ShippedPlans, ShippedPlanTest, ::testing::ValuesIn(Cases()),
                         [](const ::testing::TestParamInfo<PlanCase>& param_info) {
                           return CaseName(param_info.param);
                         });

// --- the Support Center key, a disabled DCAlerter --------------------------

// A web server has one of the manual's three spellings of the Support Center
// key. With the site's spelling the mirrored plan redirects RegistryConnect
// there and back; told another spelling, it refuses before the first change,
// naming the nearest key that exists. DCAlerter is disabled on the primary
// (line 476: its start error "can be ignored"): the start-up goes on past it.
TEST(SupportCenterKeyTest, MirroredPlanUsesTheKeyTheWebServerHas) {
  const std::vector<std::string> spellings = {"Wow6432Node\\SupportCenter", "Connected\\WoW6432Node\\SupportCenter",
                                              "Wow6432Node\\Connected\\SupportCenter"};
  for (size_t i = 0; i < spellings.size(); ++i) {
    SCOPED_TRACE(spellings[i]);
    Sandbox sb("mirrored", "sqlite", true, {"--support-center-key", spellings[i]});
    ASSERT_TRUE(sb.ok()) << Describe(sb.made());
    const fs::path alerter = sb.dir() / "services" / "SERVER1" / "DCAlerter.service";
    std::string unit = ReadFileBytes(alerter);
    const size_t at = unit.find("start=auto");
    ASSERT_NE(at, std::string::npos) << unit;
    unit.replace(at, 10, "start=disabled");
    testing::WriteFileBytes(alerter, unit);
    CliResult started = sb.Start();
    ASSERT_EQ(started.exit_code, 0) << Describe(started);
    const Fingerprint pristine = TakeFingerprint(sb);
    TempDir journals;
    const std::string journal = (journals / "journal").string();

    const std::string other = "HKLM\\SOFTWARE\\" + spellings[(i + 1) % spellings.size()];
    CliResult refused = RunTidemark(WithConfirms({"apply", PlanPath("mirrored.yaml"), "--env", sb.site(), "--yes",
                                                  "--journal", journal, "--set", "support_center_key=" + other},
                                                 "mirrored.yaml"));
    EXPECT_EQ(refused.exit_code, 2) << Describe(refused);
    EXPECT_NE(refused.err.find("key " + other + " does not exist on WEB1"), std::string::npos) << Describe(refused);
    EXPECT_EQ(Differences(pristine, TakeFingerprint(sb)), "") << "a refused apply changed the sandbox";
    EXPECT_FALSE(fs::exists(journal));

    CliResult applied = RunTidemark(WithConfirms(
        {"apply", PlanPath("mirrored.yaml"), "--env", sb.site(), "--yes", "--journal", journal}, "mirrored.yaml"));
    ASSERT_EQ(applied.exit_code, 0) << Describe(applied);
    EXPECT_NE(applied.out.find("failed, and the plan allows it (allow_failure)"), std::string::npos) << Describe(applied);
    const std::string key = "HKEY_LOCAL_MACHINE\\SOFTWARE\\" + spellings[i];
    targets::HiveRegistryTarget web1("WEB1", sb.dir() / "hives" / "WEB1.reg");
    auto connect = web1.Read(Resource::RegistryValue("WEB1", key, "RegistryConnect"));
    ASSERT_TRUE(connect.ok()) << connect.status().message();
    EXPECT_EQ(connect->AsRegString().value_or("?"),
              "DRIVER={SQL Server};SERVER=SERVER1;DATABASE=Registry;Trusted_Connection=Yes");
    CliResult history = RunTidemark({"history", "WEB1 HKLM\\SOFTWARE\\" + spellings[i] + "\\RegistryConnect",
                                     "--journal", journal});
    EXPECT_EQ(history.exit_code, 0) << Describe(history);
    EXPECT_NE(history.out.find("SERVER=SERVER2"), std::string::npos) << Describe(history);

    CliResult rolled = RunTidemark({"rollback", "--journal", journal});
    ASSERT_EQ(rolled.exit_code, 0) << Describe(rolled);
    EXPECT_EQ(Differences(pristine, TakeFingerprint(sb)), "");
  }
}

// --- the failed-setup rehearsal ----------------------------------------------

// setup.exe stops after its 3rd change on the primary: apply fails (exit 4),
// status names the failed step, the dry run lists the partial setup's observed
// changes, and rollback brings back the pristine sandbox.
void RehearseFailedSetup(const std::string& db) {
  Sandbox sb("mirrored", db);
  ASSERT_TRUE(sb.ok()) << Describe(sb.made());
  CliResult started = sb.Start();
  ASSERT_EQ(started.exit_code, 0) << Describe(started);
  const Fingerprint pristine = TakeFingerprint(sb);
  TempDir journals;
  const std::string journal = (journals / "journal").string();

  CliResult applied = RunTidemarkProcess(
      WithConfirms({"apply", PlanPath("mirrored.yaml"), "--env", sb.site(), "--yes", "--journal", journal},
                   "mirrored.yaml"),
      {"SETUP_STANDIN_FAIL_AFTER=3"});
  ASSERT_EQ(applied.exit_code, 4) << Describe(applied);
  const Fingerprint partial = TakeFingerprint(sb);
  // Its changes 1-3 are DataCenter Version, BuildNumber, PreviousVersion; the 4th would be SsoEnabled.
  const auto at = [](const Fingerprint& fp, const std::string& name) {
    auto it = fp.find("registry " + Resource::RegistryValue("SERVER1", kDataCenterKey, name).Identity());
    return it == fp.end() ? std::string("<absent>") : it->second;
  };
  EXPECT_NE(at(pristine, "Version"), at(partial, "Version")) << "setup-standin changed nothing before failing";
  EXPECT_NE(at(pristine, "BuildNumber"), at(partial, "BuildNumber"));
  EXPECT_EQ(at(pristine, "SsoEnabled"), at(partial, "SsoEnabled")) << "setup-standin went on past its 3rd change";

  CliResult status = RunTidemark({"status", "--journal", journal});
  EXPECT_EQ(status.exit_code, 0) << Describe(status);
  EXPECT_NE(status.out.find("upgrade-primary"), std::string::npos) << Describe(status);
  EXPECT_NE(status.out.find("failed"), std::string::npos) << Describe(status);

  CliResult dry = RunTidemark({"rollback", "--dry-run", "--journal", journal});
  ASSERT_EQ(dry.exit_code, 0) << Describe(dry);
  for (const char* what : {"PreviousVersion", "BuildNumber", "RegistryConnect", "DB_PreferedRegistry",
                           "BackupServer"}) {
    EXPECT_NE(dry.out.find(what), std::string::npos) << "dry run does not reverse " << what << ":\n" << Describe(dry);
  }
  EXPECT_EQ(Differences(partial, TakeFingerprint(sb)), "") << "rollback --dry-run changed the sandbox";

  CliResult rolled = RunTidemark({"rollback", "--journal", journal});
  ASSERT_EQ(rolled.exit_code, 0) << Describe(rolled);
  const std::string left = Differences(pristine, TakeFingerprint(sb));
  EXPECT_TRUE(left.empty()) << "after rollback the sandbox differs from pristine:\n" << left;
  CliResult drift = RunTidemark({"drift", "--journal", journal});
  EXPECT_EQ(drift.exit_code, 0) << Describe(drift);
}

TEST(FailedSetupTest, SetupFailsPartWayThenRollbackRestoresThePristineSandbox) { RehearseFailedSetup("sqlite"); }

TEST(FailedSetupTest, PostgresSandboxSetupFailsPartWayThenRollbackRestoresIt) {
  if (!HavePostgres()) {
    GTEST_SKIP() << "PostgreSQL server binaries (/usr/lib/postgresql/*/bin/initdb) or pg_dump/psql not installed";
  }
  RehearseFailedSetup("postgres");
}

}  // namespace
}  // namespace tidemark
