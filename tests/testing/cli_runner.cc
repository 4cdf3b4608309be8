// CLI runners for tests.
#include "tests/testing/cli_runner.h"

#include <sstream>

#include "commands/cli.h"
#include "engine/process/process_runner.h"
#include "tests/testing/temp_dir.h"

namespace tidemark::testing {

CliResult RunTidemark(const std::vector<std::string>& args) {
  std::vector<const char*> argv = {"tidemark"};
  for (const auto& a : args) argv.push_back(a.c_str());
  std::ostringstream out, err;
  CliResult r;
  r.exit_code = commands::Run(static_cast<int>(argv.size()), argv.data(), out, err);
  r.out = out.str();
  r.err = err.str();
  return r;
}

CliResult RunProgram(const std::vector<std::string>& args, const std::vector<std::string>& env) {
  TempDir tmp;
  process::RunOptions o;
  o.stdout_file = tmp / "out";
  o.capture = true;  // stderr only, since stdout goes to the file
  o.stop_on_interrupt = false;
  for (const auto& kv : env) {
    const size_t eq = kv.find('=');
    o.env.emplace_back(kv.substr(0, eq), eq == std::string::npos ? "" : kv.substr(eq + 1));
  }
  CliResult r;
  auto ran = process::Run(process::Command::Argv(args), o);
  if (!ran.ok()) {  // could not start: as a shell reports it
    r.exit_code = 127;
    r.err = ran.status().message();
    return r;
  }
  if (ran->signal != 0) {
    r.exit_code = -1;
    r.signal = ran->signal;
  } else {
    r.exit_code = ran->exit_code;
  }
  r.out = ReadFileBytes(tmp / "out");
  r.err = ran->output;
  return r;
}

CliResult RunTidemarkProcess(const std::vector<std::string>& args, const std::vector<std::string>& env) {
  std::vector<std::string> argv = {TIDEMARK_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunProgram(argv, env);
}

}  // namespace tidemark::testing
