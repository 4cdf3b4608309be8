// Replays every seed (tools/fuzz/corpus/<target>/) and every saved crash input
// (tools/fuzz/crashes/<target>/) through the same entry points the libFuzzer
// targets use, under the normal build: a fixed crash stays fixed. Inputs whose
// fix is not in yet wait in tools/fuzz/pending/<target>/ (replayed only with
// TIDEMARK_FUZZ_PENDING=1; move them to crashes/ once fixed).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <set>
#include <vector>

#include "store/event_log.h"
#include "tests/testing/cli_runner.h"
#include "tests/testing/mini_site.h"
#include "tests/testing/temp_dir.h"
#include "tools/fuzz/fuzz_entry_points.h"

namespace tidemark::faults {
namespace {

namespace fs = std::filesystem;

int ReplayAll(const std::string& target, int (*entry)(const uint8_t*, size_t)) {
  int files = 0;
  std::vector<const char*> kinds = {"corpus", "crashes"};
  if (std::getenv("TIDEMARK_FUZZ_PENDING") != nullptr) kinds.push_back("pending");
  for (const char* kind : kinds) {
    const fs::path dir = fs::path(TIDEMARK_SOURCE_DIR) / "tools/fuzz" / kind / target;
    if (!fs::is_directory(dir)) continue;
    for (const auto& e : fs::directory_iterator(dir)) {
      if (!e.is_regular_file()) continue;
      const std::string bytes = testing::ReadFileBytes(e.path());
      SCOPED_TRACE(e.path().string());
      EXPECT_EQ(entry(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()), 0);
      ++files;
    }
  }
  std::printf("[fuzz-regression] %s: %d inputs replayed\n", target.c_str(), files);
  return files;
}

TEST(FuzzRegressionTest, RegFileCorpusAndCrashesReplayCleanly) {
  EXPECT_GT(ReplayAll("reg_file", fuzz::FuzzRegFile), 0);
}

TEST(FuzzRegressionTest, PlanCorpusAndCrashesReplayCleanly) {
  EXPECT_GT(ReplayAll("plan", fuzz::FuzzPlan), 0);
}

TEST(FuzzRegressionTest, EnvironmentCorpusAndCrashesReplayCleanly) {
  EXPECT_GT(ReplayAll("environment", fuzz::FuzzEnvironment), 0);
}

TEST(FuzzRegressionTest, EventCodecCorpusAndCrashesReplayCleanly) {
  EXPECT_GT(ReplayAll("event_codec", fuzz::FuzzEventCodec), 0);
}

// Regenerates tools/fuzz/corpus/event_codec/ from a real apply + rollback of
// MiniSite::FullPlan (one file per event kind). Runs only when asked:
// TIDEMARK_WRITE_EVENT_SEEDS=1 tidemark_faults_tests --gtest_filter='*WritesEventSeeds*'
TEST(FuzzRegressionTest, WritesEventSeeds) {
  if (std::getenv("TIDEMARK_WRITE_EVENT_SEEDS") == nullptr) GTEST_SKIP() << "seed generator, on demand";
  testing::TempDir dir;
  testing::MiniSite site(dir.path());
  const auto plan = site.WritePlan("full", testing::MiniSite::FullPlan());
  const std::string j = site.journal().string();
  ASSERT_EQ(testing::RunTidemark({"apply", plan.string(), "--env", site.env_path().string(), "--journal", j}).exit_code, 0);
  ASSERT_EQ(testing::RunTidemark({"note", "a note", "--journal", j}).exit_code, 0);
  ASSERT_EQ(testing::RunTidemark({"rollback", "--journal", j}).exit_code, 0);
  site.StopServices();
  auto log = store::EventLog::Open(site.journal(), store::OpenMode::kReadOnly);
  ASSERT_TRUE(log.ok());
  const fs::path out = fs::path(TIDEMARK_SOURCE_DIR) / "tools/fuzz/corpus/event_codec";
  fs::create_directories(out);
  std::set<std::string> kinds;
  ASSERT_TRUE(log.value()->Scan(1, 0, false, [&](const store::StoredEvent& e) {
    if (kinds.insert(e.event.KindName()).second) {
      testing::WriteFileBytes(out / (std::string(e.event.KindName()) + ".bin"), store::EncodeEvent(e.event));
    }
    return true;
  }).ok());
  EXPECT_GT(kinds.size(), 8u);
}

// Byte-level damage of valid inputs (every prefix, flipped bytes) must be
// refused or accepted cleanly, never crash: a cheap deterministic fuzz pass
// that runs in every build.
TEST(FuzzRegressionTest, TruncatedAndFlippedSeedsAreHandled) {
  const std::pair<const char*, int (*)(const uint8_t*, size_t)> targets[] = {
      {"reg_file", fuzz::FuzzRegFile}, {"plan", fuzz::FuzzPlan},
      {"environment", fuzz::FuzzEnvironment}, {"event_codec", fuzz::FuzzEventCodec}};
  int cases = 0;
  for (const auto& [name, entry] : targets) {
    const fs::path dir = fs::path(TIDEMARK_SOURCE_DIR) / "tools/fuzz/corpus" / name;
    for (const auto& e : fs::directory_iterator(dir)) {
      std::string bytes = testing::ReadFileBytes(e.path());
      if (bytes.size() > 4096) bytes.resize(4096);
      const size_t stride = bytes.size() / 64 + 1;
      for (size_t cut = 0; cut < bytes.size(); cut += stride) {
        entry(reinterpret_cast<const uint8_t*>(bytes.data()), cut);
        std::string flipped = bytes;
        flipped[cut] = static_cast<char>(flipped[cut] ^ 0xA5);
        entry(reinterpret_cast<const uint8_t*>(flipped.data()), flipped.size());
        cases += 2;
      }
    }
  }
  std::printf("[fuzz-regression] %d truncated/flipped variants handled\n", cases);
  EXPECT_GT(cases, 100);
}

}  // namespace
}  // namespace tidemark::faults
