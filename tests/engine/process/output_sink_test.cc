// OutputSink: lines split across writes, the tail, CRLF, over-long lines, the
// last line without an end of line, the log file and the capture.
#include "engine/process/output_sink.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/testing/temp_dir.h"

namespace tidemark::process {
namespace {

using testing::ReadFileBytes;
using testing::TempDir;

TEST(OutputSinkTest, SplitsLinesAcrossWritesAndKeepsTheLastOnes) {
  std::vector<std::string> lines;
  OutputSink sink(2, true, [&](std::string_view l) { lines.emplace_back(l); });
  sink.Write("one\ntw");
  sink.Write("o\r\nthree\nfour");
  EXPECT_EQ(lines, (std::vector<std::string>{"one", "two", "three"}));
  ASSERT_TRUE(sink.Finish().ok());
  EXPECT_EQ(lines.back(), "four");
  EXPECT_EQ(sink.Tail(), "three\nfour\n");
  EXPECT_EQ(sink.TakeCaptured(), "one\ntwo\r\nthree\nfour");
}

TEST(OutputSinkTest, CutsOverLongLinesButLogsEveryByte) {
  TempDir dir;
  OutputSink sink(1, false, nullptr);
  ASSERT_TRUE(sink.OpenLog(dir / "sub" / "run.log").ok());
  const std::string huge(OutputSink::kMaxLine + 100, 'x');
  sink.Write(huge + "\n");
  ASSERT_TRUE(sink.Finish().ok());
  EXPECT_EQ(sink.Tail().size(), OutputSink::kMaxLine + 1);
  EXPECT_EQ(sink.TakeCaptured(), "");  // capture off
  EXPECT_EQ(ReadFileBytes(dir / "sub" / "run.log"), huge + "\n");
}

TEST(OutputSinkTest, AppendsToAnExistingLog) {
  TempDir dir;
  testing::WriteFileBytes(dir / "run.log", "before\n");
  OutputSink sink(5, false, nullptr);
  ASSERT_TRUE(sink.OpenLog(dir / "run.log").ok());
  sink.Write("after\n");
  ASSERT_TRUE(sink.Finish().ok());
  EXPECT_EQ(ReadFileBytes(dir / "run.log"), "before\nafter\n");
}

TEST(OutputSinkTest, UnopenableLogIsIoErrorNamingIt) {
  TempDir dir;
  testing::WriteFileBytes(dir / "file", "");
  OutputSink sink(5, false, nullptr);
  Status s = sink.OpenLog(dir / "file" / "run.log");
  EXPECT_TRUE(s.Is(StatusCode::kIoError));
  EXPECT_NE(s.message().find("run.log"), std::string::npos);
}

}  // namespace
}  // namespace tidemark::process
