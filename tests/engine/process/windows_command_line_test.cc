// The Windows command line built for CreateProcessW: known quoting cases, and
// a round trip through the MSVCRT argv rules (written here as the reference).
#include "engine/process/windows_command_line.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace tidemark::process {
namespace {

// Splits a command line as the Microsoft C runtime does for argv[1..]:
// 2n backslashes + '"' → n backslashes and a quote toggle, 2n+1 backslashes +
// '"' → n backslashes and a literal '"', other backslashes are literal.
std::vector<std::string> MsvcrtSplit(const std::string& line) {
  std::vector<std::string> args;
  std::string current;
  bool in_arg = false, quoted = false;
  for (size_t i = 0; i < line.size();) {
    const char c = line[i];
    if (!quoted && (c == ' ' || c == '\t')) {
      if (in_arg) args.push_back(current);
      current.clear();
      in_arg = false;
      ++i;
      continue;
    }
    in_arg = true;
    if (c == '\\') {
      size_t n = 0;
      while (i < line.size() && line[i] == '\\') ++n, ++i;
      if (i < line.size() && line[i] == '"') {
        current.append(n / 2, '\\');
        if (n % 2 == 1) {
          current += '"';
          ++i;
        }
      } else {
        current.append(n, '\\');
      }
    } else if (c == '"') {
      quoted = !quoted;
      ++i;
    } else {
      current += c;
      ++i;
    }
  }
  if (in_arg) args.push_back(current);
  return args;
}

TEST(WindowsCommandLineTest, QuotesOnlyWhatNeedsIt) {
  EXPECT_EQ(QuoteWindowsArgument("setup.exe"), "setup.exe");
  EXPECT_EQ(QuoteWindowsArgument("C:\\Tools\\a.exe"), "C:\\Tools\\a.exe");
  EXPECT_EQ(QuoteWindowsArgument("\\\\server\\share\\"), "\\\\server\\share\\");
  EXPECT_EQ(QuoteWindowsArgument(""), "\"\"");
  EXPECT_EQ(QuoteWindowsArgument("a b"), "\"a b\"");
  EXPECT_EQ(QuoteWindowsArgument("tab\there"), "\"tab\there\"");
}

TEST(WindowsCommandLineTest, EscapesQuotesAndTheBackslashesBeforeThem) {
  EXPECT_EQ(QuoteWindowsArgument("a\"b"), "\"a\\\"b\"");
  EXPECT_EQ(QuoteWindowsArgument("a\\\"b"), "\"a\\\\\\\"b\"");         // a\"b → "a\\\"b"
  EXPECT_EQ(QuoteWindowsArgument("C:\\Program Files\\"), "\"C:\\Program Files\\\\\"");
  EXPECT_EQ(QuoteWindowsArgument("a\\\\ b"), "\"a\\\\ b\"");            // not before a quote: kept
  EXPECT_EQ(QuoteWindowsArgument("/DIR=\"C:\\x y\\\""), "\"/DIR=\\\"C:\\x y\\\\\\\"\"");
}

TEST(WindowsCommandLineTest, EveryArgumentSurvivesTheMsvcrtParser) {
  const std::vector<std::string> argv = {
      "prog.exe", "", "plain", "two words", "\"", "\\", "\\\\", "a\\", "a b\\", "a\\\\b",
      "\\\"", "end\\\\\"", "x\"y\"z", " lead", "trail ", "C:\\Program Files (x86)\\Vendor\\",
      "PWD={s3;cr3t}", "Zürich ✓", "%PATH%", "a&b|c<d>e^f"};
  const std::vector<std::string> parsed = MsvcrtSplit(WindowsCommandLine(argv));
  EXPECT_EQ(parsed, argv) << WindowsCommandLine(argv);
}

TEST(WindowsCommandLineTest, ShellLineIsPassedToCmdVerbatim) {
  EXPECT_EQ(WindowsShellCommandLine("C:\\Windows\\system32\\cmd.exe", "echo \"a b\" & exit 3"),
            "\"C:\\Windows\\system32\\cmd.exe\" /d /s /c \"echo \"a b\" & exit 3\"");
}

}  // namespace
}  // namespace tidemark::process
