// The platform-independent part of the runner: commands and how a run ended.
// The running itself is in process_runner_posix.cc / process_runner_win32.cc.
#include "engine/process/process_runner.h"

namespace tidemark::process {

Command Command::Argv(std::vector<std::string> argv) {
  Command c;
  c.argv = std::move(argv);
  return c;
}

Command Command::Shell(std::string line) {
  Command c;
  c.argv = {std::move(line)};
  c.shell = true;
  return c;
}

std::string Command::Program() const {
#ifdef _WIN32
  if (shell) return "cmd.exe";
#else
  if (shell) return "/bin/sh";
#endif
  return argv.empty() ? std::string() : argv[0];
}

std::string Command::Display() const {
  std::string out;
  for (size_t i = 0; i < argv.size(); ++i) out += (i ? " " : "") + argv[i];
  return out;
}

namespace {

std::string Duration(std::chrono::milliseconds d) {
  if (d.count() % 1000 == 0) return std::to_string(d.count() / 1000) + " s";
  return std::to_string(d.count()) + " ms";
}

}  // namespace

std::string ExitStatus::Describe() const {
  if (timed_out) return "timed out after " + Duration(timeout) + " (killed)";
  if (interrupted) return "stopped by an interrupt (killed)";
  if (signal != 0) return "killed by signal " + std::to_string(signal);
  return "exited with code " + std::to_string(exit_code);
}

}  // namespace tidemark::process
