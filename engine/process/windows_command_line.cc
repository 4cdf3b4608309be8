// Quoting per the MSVCRT argv rules: 2n backslashes before a '"' give n
// backslashes and end/start quoting; 2n+1 give n backslashes and a literal '"';
// backslashes not followed by '"' are literal.
#include "engine/process/windows_command_line.h"

namespace tidemark::process {

std::string QuoteWindowsArgument(std::string_view arg) {
  if (!arg.empty() && arg.find_first_of(" \t\n\v\"") == std::string_view::npos) {
    return std::string(arg);
  }
  std::string out = "\"";
  size_t backslashes = 0;
  for (char c : arg) {
    if (c == '\\') {
      ++backslashes;
      continue;
    }
    if (c == '"') {
      out.append(backslashes * 2 + 1, '\\');  // each backslash doubled, then \"
    } else {
      out.append(backslashes, '\\');
    }
    backslashes = 0;
    out += c;
  }
  out.append(backslashes * 2, '\\');  // so the closing quote stays a quote
  out += '"';
  return out;
}

std::string WindowsCommandLine(const std::vector<std::string>& argv) {
  std::string line;
  for (size_t i = 0; i < argv.size(); ++i) {
    if (i > 0) line += ' ';
    line += QuoteWindowsArgument(argv[i]);
  }
  return line;
}

std::string WindowsShellCommandLine(std::string_view comspec, std::string_view line) {
  return "\"" + std::string(comspec) + "\" /d /s /c \"" + std::string(line) + "\"";
}

}  // namespace tidemark::process
