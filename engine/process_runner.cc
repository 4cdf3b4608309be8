// fork/exec with a deadline; output captured to a file.
#include "engine/process_runner.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

namespace tidemark::engine {

Result<ProcessResult> RunProcess(const std::vector<std::string>& command, bool shell,
                                 int timeout_seconds, const std::filesystem::path& log_file) {
  if (command.empty()) return Status::InvalidInput("empty command");
  std::vector<std::string> argv = shell ? std::vector<std::string>{"/bin/sh", "-c", command[0]}
                                        : command;
  std::error_code ec;
  std::filesystem::create_directories(log_file.parent_path(), ec);
  const int out = open(log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (out < 0) return Status::IoError("cannot open " + log_file.string() + ": " + strerror(errno));
  int err_pipe[2];
  if (pipe2(err_pipe, O_CLOEXEC) != 0) {
    close(out);
    return Status::IoError(std::string("pipe: ") + strerror(errno));
  }
  std::vector<char*> args;
  for (auto& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  const pid_t pid = fork();
  if (pid < 0) {
    close(out);
    return Status::IoError(std::string("fork: ") + strerror(errno));
  }
  if (pid == 0) {
    setpgid(0, 0);  // its own group: a timeout kills the whole tree
    const int devnull = open("/dev/null", O_RDONLY);
    dup2(devnull, 0);
    dup2(out, 1);
    dup2(out, 2);
    execvp(args[0], args.data());
    const int e = errno;
    if (write(err_pipe[1], &e, sizeof e) < 0) _exit(127);
    _exit(127);
  }
  close(out);
  close(err_pipe[1]);
  int exec_errno = 0;
  const bool exec_failed = read(err_pipe[0], &exec_errno, sizeof exec_errno) == sizeof exec_errno;
  close(err_pipe[0]);
  ProcessResult result;
  int status = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_seconds);
  for (;;) {
    const pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) break;
    if (r < 0 && errno != EINTR) return Status::IoError(std::string("waitpid: ") + strerror(errno));
    if (std::chrono::steady_clock::now() > deadline) {
      result.timed_out = true;
      kill(-pid, SIGKILL);
      waitpid(pid, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (exec_failed) {
    return Status::Failed("cannot run '" + argv[0] + "': " + strerror(exec_errno));
  }
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  std::ifstream in(log_file);
  std::string line;
  std::vector<std::string> lines;
  while (std::getline(in, line)) {
    lines.push_back(line);
    if (lines.size() > 5) lines.erase(lines.begin());
  }
  for (const auto& l : lines) result.output_tail += l + "\n";
  return result;
}

}  // namespace tidemark::engine
