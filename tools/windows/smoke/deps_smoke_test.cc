// deps_smoke_test: a GoogleTest executable run by CTest under Wine, proving the
// cross-compiling emulator and test discovery the Windows suites rely on.
#include <gtest/gtest.h>

#include <string>

TEST(DepsSmokeTest, RunsUnderCTest) { EXPECT_EQ(std::string("tide") + "mark", "tidemark"); }

TEST(DepsSmokeTest, SeesWindows) {
#ifdef _WIN32
  SUCCEED();
#else
  GTEST_SKIP() << "not a Windows build";
#endif
}
