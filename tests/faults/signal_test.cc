// Signals and dying dependencies during a real apply (tidemark as a child
// process): SIGINT/SIGTERM while an exec step sleeps stop the run after the
// current action is recorded, with a message saying how to resume; PostgreSQL
// stopped in the middle of a run fails that action cleanly and `resume`
// finishes the run once the server is back.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "engine/targets/registry_target.h"
#include "store/value.h"
#include "tests/faults/fault_helpers.h"
#include "tests/testing/postgres_server.h"
#include "tests/testing/temp_dir.h"

extern char** environ;

namespace tidemark::faults {
namespace {

using testing::CliResult;
using testing::MiniSite;
using testing::ReadFileBytes;
using testing::RunTidemarkProcess;
using testing::TempDir;

const char* kOutflow = "HKLM\\SOFTWARE\\Wow6432Node\\Outflow";

// A started tidemark child whose output goes to files.
struct Child {
  pid_t pid = 0;
  std::filesystem::path out, err;
};

Child Spawn(const std::vector<std::string>& args, const std::filesystem::path& dir, bool own_group) {
  Child c;
  c.out = dir / "child.out";
  c.err = dir / "child.err";
  std::vector<std::string> all = {TIDEMARK_BINARY};
  all.insert(all.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : all) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, c.out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen(&fa, 2, c.err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  if (own_group) {
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
    posix_spawnattr_setpgroup(&attr, 0);
  }
  EXPECT_EQ(posix_spawn(&c.pid, argv[0], &fa, &attr, argv.data(), environ), 0);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  return c;
}

CliResult Wait(const Child& c) {
  int status = 0;
  waitpid(c.pid, &status, 0);
  CliResult r;
  if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) r.signal = WTERMSIG(status);
  r.out = ReadFileBytes(c.out);
  r.err = ReadFileBytes(c.err);
  return r;
}

bool WaitForFile(const std::filesystem::path& p, std::chrono::seconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (std::filesystem::exists(p)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

Value Reg(const MiniSite& site, const std::string& name) {
  targets::HiveRegistryTarget reg("S1", site.dir() / "hives/S1.reg");
  return reg.Read(Resource::RegistryValue("S1", kOutflow, name)).value();
}

std::string SleepPlan(const std::filesystem::path& marker, const std::string& middle_action) {
  return R"(name: signal-test
steps:
  - id: one
    title: First change
    actions:
      - registry.set: { host: S1, key: 'HKLM\SOFTWARE\Wow6432Node\Outflow', name: AllowBackups, type: REG_DWORD, value: 0 }
  - id: wait
    title: A slow vendor tool
    actions:
      - exec: { shell: true, command: "touch ')" + marker.string() + R"('; sleep 1.5" }
)" + middle_action + R"(  - id: three
    title: Last change
    actions:
      - registry.set: { host: S1, key: 'HKLM\SOFTWARE\Wow6432Node\Outflow', name: DB_PreferedRegistry, value: S2 }
)";
}

void StopAndResume(int sig, bool whole_group) {
  TempDir dir;
  MiniSite site(dir.path());
  const auto marker = dir / "exec-started";
  const auto plan = site.WritePlan("sig", SleepPlan(marker, ""));
  Child c = Spawn(WithJournal(site, {"apply", plan.string(), "--env", site.env_path().string()}), dir.path(),
                  whole_group);
  ASSERT_TRUE(WaitForFile(marker, std::chrono::seconds(20)));
  const auto sent = std::chrono::steady_clock::now();
  ASSERT_EQ(kill(whole_group ? -c.pid : c.pid, sig), 0);
  CliResult r = Wait(c);
  const auto waited = std::chrono::steady_clock::now() - sent;
  // One signal is enough to get control back, within the exec's own time.
  EXPECT_LT(waited, std::chrono::seconds(10));
  EXPECT_EQ(r.signal, 0) << "killed by the signal instead of stopping cleanly";
  EXPECT_EQ(r.exit_code, 4) << r.out << r.err;
  EXPECT_NE(r.err.find("tidemark resume"), std::string::npos) << r.err;
  EXPECT_EQ(Reg(site, "AllowBackups"), Value::RegDword(0));
  EXPECT_EQ(Reg(site, "DB_PreferedRegistry"), Value::RegString("S1")) << "the run went on after the signal";
  EXPECT_EQ(RunTidemarkProcess(WithJournal(site, {"verify"})).exit_code, 0);
  CliResult res = RunTidemarkProcess(WithJournal(site, {"resume", "--rerun-step"}));
  EXPECT_EQ(res.exit_code, 0) << res.out << res.err;
  EXPECT_EQ(Reg(site, "DB_PreferedRegistry"), Value::RegString("S2"));
  site.StopServices();
}

TEST(SignalTest, SigtermToTidemarkStopsAfterTheCurrentActionAndResumeFinishes) {
  StopAndResume(SIGTERM, false);
}

TEST(SignalTest, SigintToTidemarkStopsAfterTheCurrentActionAndResumeFinishes) {
  StopAndResume(SIGINT, false);
}

// Ctrl-C at a terminal signals the whole foreground process group: the exec'd
// tool gets it too.
TEST(SignalTest, CtrlCToTheProcessGroupStopsCleanlyAndResumeFinishes) {
  StopAndResume(SIGINT, true);
}

class DyingPostgresTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string reason;
    if (!testing::PostgresServer::Available(&reason)) GTEST_SKIP() << "PostgreSQL unavailable: " << reason;
    server_ = std::make_unique<testing::PostgresServer>();
    Status st = server_->Start();
    if (st.ok()) st = server_->CreateDatabase("registry");
    ASSERT_TRUE(st.ok()) << st.ToString();
  }
  std::unique_ptr<testing::PostgresServer> server_;
};

TEST_F(DyingPostgresTest, ServerStoppedMidRunFailsTheActionAndResumeFinishesAfterRestart) {
  TempDir dir;
  MiniSite site(dir.path(), server_->ConnectionString("registry"));
  const auto marker = dir / "exec-started";
  const auto plan = site.WritePlan("pg", SleepPlan(marker, R"(  - id: data
    title: Change the database
    actions:
      - sql.update: { database: registry, table: OutflowServices, key: { ServerId: 2 }, set: { secureFlag: 0 } }
)"));
  Child c = Spawn(WithJournal(site, {"apply", plan.string(), "--env", site.env_path().string()}), dir.path(), false);
  ASSERT_TRUE(WaitForFile(marker, std::chrono::seconds(20)));
  ASSERT_TRUE(server_->Stop().ok());
  CliResult r = Wait(c);
  EXPECT_EQ(r.signal, 0);
  EXPECT_EQ(r.exit_code, 4) << r.out << r.err;
  EXPECT_NE(r.err.find("registry"), std::string::npos) << r.err;
  EXPECT_EQ(Reg(site, "DB_PreferedRegistry"), Value::RegString("S1"));
  EXPECT_EQ(RunTidemarkProcess(WithJournal(site, {"verify"})).exit_code, 0);
  ASSERT_TRUE(server_->Restart().ok());
  const std::string err = DriveToEnd(site, {});
  EXPECT_EQ(err, "");
  EXPECT_EQ(Reg(site, "DB_PreferedRegistry"), Value::RegString("S2"));
  const std::string fp = site.Fingerprint();
  EXPECT_NE(fp.find("serverid=2:secureflag = 0\n"), std::string::npos) << fp;
  site.StopServices();
}

}  // namespace
}  // namespace tidemark::faults
