// POSIX runner: fork + execve with everything prepared before fork; the child
// leads its own process group, which a timeout or a stop request ends (SIGTERM,
// SIGKILL after the grace period). Output arrives through one pipe, read with poll.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <thread>

#include "engine/process/interrupt.h"
#include "engine/process/output_sink.h"
#include "engine/process/process_runner.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

extern char** environ;

namespace tidemark::process {
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

namespace {

constexpr milliseconds kPollSlice(50);
// After the program exits, output still arriving through a pipe that one of
// its own background children holds is read for this long, no longer.
constexpr milliseconds kDrainAfterExit(250);

// A file descriptor closed when it goes out of scope.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& o) noexcept : fd_(o.Release()) {}
  Fd& operator=(Fd&& o) noexcept {
    Reset(o.Release());
    return *this;
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { Reset(); }
  int get() const { return fd_; }
  int Release() { return std::exchange(fd_, -1); }
  void Reset(int fd = -1) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

// Everything the child needs, built before fork: after it the child makes
// only async-signal-safe calls.
struct Prepared {
  std::string name;     // the program as the caller named it, for messages
  std::string program;  // the path given to execve
  std::vector<std::string> argv_store, env_store;
  std::vector<char*> argv, envp;
  std::string working_dir;
  int max_fd = 1024;  // bound for the fallback when close_range is missing
};

// Why the child could not become the program, sent back on a close-on-exec pipe.
struct ChildError {
  int32_t stage;  // 1 = working directory, 2 = execve, 3 = session/fork
  int32_t err;
};

Status CannotRun(const std::string& name, const std::string& why) {
  return Status::IoError("cannot run " + name + ": " + why);
}

bool IsExecutableFile(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

// `name` itself when it holds a '/', else the first executable in `path_var`.
Result<std::string> Resolve(const std::string& name, const std::string& path_var) {
  if (name.find('/') != std::string::npos) return name;
  size_t start = 0;
  for (;;) {
    const size_t colon = path_var.find(':', start);
    std::string dir = path_var.substr(start, colon == std::string::npos ? colon : colon - start);
    const std::string candidate = (dir.empty() ? std::string(".") : dir) + "/" + name;
    if (IsExecutableFile(candidate)) return candidate;
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  return CannotRun(name, "not found in PATH");
}

// tidemark's environment with `extra` added (an entry of the same name replaced).
std::vector<std::string> MergedEnvironment(
    const std::vector<std::pair<std::string, std::string>>& extra) {
  std::vector<std::string> out;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    const std::string_view entry(*e);
    const std::string_view name = entry.substr(0, entry.find('='));
    const bool replaced = std::any_of(extra.begin(), extra.end(),
                                      [&](const auto& kv) { return kv.first == name; });
    if (!replaced) out.emplace_back(entry);
  }
  for (const auto& [name, value] : extra) out.push_back(name + "=" + value);
  return out;
}

Result<Prepared> Prepare(const Command& command, const std::vector<std::pair<std::string, std::string>>& env,
                         const fs::path& working_dir) {
  if (command.argv.empty() || command.argv[0].empty()) {
    return Status::InvalidInput("empty command");
  }
  Prepared p;
  p.name = command.Program();
  p.argv_store = command.shell ? std::vector<std::string>{"/bin/sh", "-c", command.argv[0]}
                               : command.argv;
  p.env_store = MergedEnvironment(env);
  std::string path_var = "/usr/local/bin:/usr/bin:/bin";
  for (const std::string& e : p.env_store) {
    if (e.rfind("PATH=", 0) == 0) path_var = e.substr(5);
  }
  TM_ASSIGN_OR_RETURN(p.program, Resolve(p.argv_store[0], path_var));
  for (std::string& a : p.argv_store) p.argv.push_back(a.data());
  p.argv.push_back(nullptr);
  for (std::string& e : p.env_store) p.envp.push_back(e.data());
  p.envp.push_back(nullptr);
  p.working_dir = working_dir.string();
  rlimit rl{};
  if (::getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY) {
    p.max_fd = static_cast<int>(std::min<rlim_t>(rl.rlim_cur, 65536));
  }
  return p;
}

void Report(int fd, int32_t stage, int32_t err) {
  const ChildError e{stage, err};
  ssize_t ignored = ::write(fd, &e, sizeof e);
  (void)ignored;
}

// Child side, after fork: standard descriptors, default signals, every other
// descriptor close-on-exec, working directory, execve. Never returns.
[[noreturn]] void ExecChild(const Prepared& p, const int (&std_fds)[3], int report) {
  int fds[3] = {std_fds[0], std_fds[1], std_fds[2]};
  for (int& fd : fds) {
    if (fd < 3) fd = ::fcntl(fd, F_DUPFD_CLOEXEC, 3);  // keep dup2 below from clobbering it
  }
  for (int i = 0; i < 3; ++i) ::dup2(fds[i], i);
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; ++sig) ::sigaction(sig, &dfl, nullptr);
  if (::syscall(SYS_close_range, 3u, ~0u, CLOSE_RANGE_CLOEXEC) != 0) {
    for (int fd = 3; fd < p.max_fd; ++fd) ::fcntl(fd, F_SETFD, FD_CLOEXEC);
  }
  if (!p.working_dir.empty() && ::chdir(p.working_dir.c_str()) != 0) {
    Report(report, 1, errno);
    ::_exit(127);
  }
  ::execve(p.program.c_str(), p.argv.data(), p.envp.data());
  Report(report, 2, errno);
  ::_exit(127);
}

// Reads the child's reports until end of file (execve succeeded, or the
// child is gone): Ok, or why it could not start. Stage 0 carries a pid.
Status ReadReport(int fd, const Prepared& p, int32_t* pid = nullptr) {
  Status status;
  for (;;) {
    ChildError e{};
    const ssize_t n = ::read(fd, &e, sizeof e);
    if (n < 0 && errno == EINTR) continue;
    if (n != static_cast<ssize_t>(sizeof e)) return status;
    if (e.stage == 0 && pid != nullptr) *pid = e.err;
    if (e.stage == 0 || !status.ok()) continue;
    const std::string why = std::strerror(e.err);
    if (e.stage == 1) {
      status = CannotRun(p.name, "working directory " + p.working_dir + ": " + why);
    } else if (e.stage == 3) {
      status = CannotRun(p.name, "cannot detach: " + why);
    } else {
      status = CannotRun(p.name, why);
    }
  }
}

void WaitBlocking(pid_t pid, int* wstatus) {
  while (::waitpid(pid, wstatus, 0) < 0 && errno == EINTR) {
  }
}

// Forks the child as the leader of a new process group and waits until it
// has become the program (or failed to).
Result<pid_t> Spawn(const Prepared& p, const int (&std_fds)[3]) {
  int report[2];
  if (::pipe2(report, O_CLOEXEC) != 0) return CannotRun(p.name, std::string("pipe: ") + std::strerror(errno));
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::close(report[0]);
    ::setpgid(0, 0);
    ExecChild(p, std_fds, report[1]);
  }
  const int fork_errno = errno;
  ::close(report[1]);
  Fd reader(report[0]);
  if (pid < 0) return CannotRun(p.name, std::string("fork: ") + std::strerror(fork_errno));
  ::setpgid(pid, pid);  // also here, so the group exists before we may signal it
  Status s = ReadReport(reader.get(), p);
  if (!s.ok()) {
    int ignored = 0;
    WaitBlocking(pid, &ignored);
    return s;
  }
  return pid;
}

// Reaps `pid` if it has exited (ECHILD counts as exited: someone else reaped it).
bool Reap(pid_t pid, int* wstatus) {
  const pid_t r = ::waitpid(pid, wstatus, WNOHANG);
  if (r == pid) return true;
  if (r < 0 && errno == ECHILD) {
    *wstatus = 0;
    return true;
  }
  return false;
}

// Passes on what the pipe delivers within `wait`; closes it at end of file.
void Pump(Fd& pipe, OutputSink& sink, milliseconds wait) {
  if (pipe.get() < 0) {
    std::this_thread::sleep_for(wait);
    return;
  }
  pollfd pfd{pipe.get(), POLLIN, 0};
  if (::poll(&pfd, 1, static_cast<int>(wait.count())) <= 0) return;  // timeout or EINTR
  char buffer[16384];
  const ssize_t n = ::read(pipe.get(), buffer, sizeof buffer);
  if (n > 0) {
    sink.Write(std::string_view(buffer, static_cast<size_t>(n)));
  } else if (n == 0 || errno != EINTR) {
    pipe.Reset();
  }
}

milliseconds Until(Clock::time_point t) {
  const auto left = std::chrono::duration_cast<milliseconds>(t - Clock::now());
  return std::clamp(left, milliseconds(1), kPollSlice);
}

// Waits for the program while passing its output on. False when the timeout
// passed or a stop was requested first (recorded in `es`).
bool WaitOrLimit(pid_t pid, Fd& pipe, OutputSink& sink, const RunOptions& o, ExitStatus* es,
                 int* wstatus) {
  const auto deadline = o.timeout ? Clock::now() + *o.timeout : Clock::time_point::max();
  for (;;) {
    if (Reap(pid, wstatus)) return true;
    if (Clock::now() >= deadline) {
      es->timed_out = true;
      es->timeout = *o.timeout;
      return false;
    }
    if (o.stop_on_interrupt && StopRequested()) {
      es->interrupted = true;
      return false;
    }
    Pump(pipe, sink, o.timeout ? Until(deadline) : kPollSlice);
  }
}

// Ends the whole process group: SIGTERM, then SIGKILL once the grace period
// is over (sooner when the leader and every member are gone); reaps the leader.
void EndGroup(pid_t pid, Fd& pipe, OutputSink& sink, milliseconds grace, int* wstatus) {
  ::kill(-pid, SIGTERM);
  const auto kill_at = Clock::now() + grace;
  bool reaped = false;
  while (Clock::now() < kill_at) {
    if (!reaped) reaped = Reap(pid, wstatus);
    if (reaped && ::kill(-pid, 0) != 0) break;  // nobody left in the group
    Pump(pipe, sink, Until(kill_at));
  }
  ::kill(-pid, SIGKILL);
  if (!reaped) WaitBlocking(pid, wstatus);
}

void Drain(Fd& pipe, OutputSink& sink) {
  const auto until = Clock::now() + kDrainAfterExit;
  while (pipe.get() >= 0 && Clock::now() < until) Pump(pipe, sink, Until(until));
}

Result<Fd> OpenFile(const fs::path& path, int flags, const char* what) {
  const int fd = ::open(path.c_str(), flags | O_CLOEXEC, 0600);
  if (fd < 0) return Status::IoError(std::string(what) + " " + path.string() + ": " + std::strerror(errno));
  return Fd(fd);
}

void FillExit(int wstatus, ExitStatus* es) {
  if (WIFEXITED(wstatus)) {
    es->exit_code = WEXITSTATUS(wstatus);
  } else if (WIFSIGNALED(wstatus)) {
    es->signal = WTERMSIG(wstatus);
    es->exit_code = 128 + es->signal;
  }
}

}  // namespace

Result<ExitStatus> Run(const Command& command, const RunOptions& o) {
  TM_ASSIGN_OR_RETURN(Prepared p, Prepare(command, o.env, o.working_dir));
  OutputSink sink(o.tail_lines, o.capture, o.on_line);
  if (!o.log_file.empty()) TM_RETURN_IF_ERROR(sink.OpenLog(o.log_file));
  TM_ASSIGN_OR_RETURN(Fd in, OpenFile(o.stdin_file.empty() ? fs::path("/dev/null") : o.stdin_file,
                                      O_RDONLY, "cannot open"));
  Fd out_file;
  if (!o.stdout_file.empty()) {
    TM_ASSIGN_OR_RETURN(out_file, OpenFile(o.stdout_file, O_WRONLY | O_CREAT | O_EXCL, "cannot create"));
  }
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) return CannotRun(p.name, std::string("pipe: ") + std::strerror(errno));
  Fd reader(pipe_fds[0]), writer(pipe_fds[1]);
  const int std_fds[3] = {in.get(), out_file.get() >= 0 ? out_file.get() : writer.get(), writer.get()};
  auto spawned = Spawn(p, std_fds);
  writer.Reset();  // the child's copies are the only ones left: end of file when they close
  in.Reset();
  out_file.Reset();
  if (!spawned.ok()) {
    if (!o.stdout_file.empty()) ::unlink(o.stdout_file.c_str());
    return spawned.status();
  }
  ExitStatus es;
  int wstatus = 0;
  if (o.on_started && !o.on_started(*spawned)) {
    es.interrupted = true;
    EndGroup(*spawned, reader, sink, o.kill_grace, &wstatus);
  } else if (!WaitOrLimit(*spawned, reader, sink, o, &es, &wstatus)) {
    EndGroup(*spawned, reader, sink, o.kill_grace, &wstatus);
  }
  Drain(reader, sink);
  FillExit(wstatus, &es);
  TM_RETURN_IF_ERROR(sink.Finish());
  es.output = sink.TakeCaptured();
  es.tail = sink.Tail();
  return es;
}

Result<int64_t> StartDetached(const Command& command, const DetachedOptions& o) {
  TM_ASSIGN_OR_RETURN(Prepared p, Prepare(command, {}, o.working_dir));
  TM_ASSIGN_OR_RETURN(Fd in, OpenFile("/dev/null", O_RDONLY, "cannot open"));
  TM_ASSIGN_OR_RETURN(Fd out, OpenFile(o.log_file.empty() ? fs::path("/dev/null") : o.log_file,
                                       O_WRONLY | O_CREAT | O_APPEND, "cannot open"));
  int report[2];
  if (::pipe2(report, O_CLOEXEC) != 0) {
    return CannotRun(p.name, std::string("pipe: ") + std::strerror(errno));
  }
  Fd reader(report[0]), writer(report[1]);
  const int std_fds[3] = {in.get(), out.get(), out.get()};
  const pid_t child = ::fork();
  if (child == 0) {  // the intermediate child exits at once, so init adopts the program
    ::close(report[0]);
    const pid_t program = ::fork();
    if (program != 0) {
      Report(report[1], program < 0 ? 3 : 0, program < 0 ? errno : static_cast<int32_t>(program));
      ::_exit(0);
    }
    if (::setsid() < 0) {
      Report(report[1], 3, errno);
      ::_exit(127);
    }
    ExecChild(p, std_fds, report[1]);
  }
  const int fork_errno = errno;
  writer.Reset();
  if (child < 0) return CannotRun(p.name, std::string("fork: ") + std::strerror(fork_errno));
  int ignored = 0;
  WaitBlocking(child, &ignored);
  int32_t pid = 0;
  TM_RETURN_IF_ERROR(ReadReport(reader.get(), p, &pid));
  if (pid <= 0) return CannotRun(p.name, "the detached process did not start");
  return static_cast<int64_t>(pid);
}

}  // namespace tidemark::process
