// ProcessServiceBackend: local processes as services (formats in the header).
// Start = process::StartDetached (own session, double fork); the pid file
// then records the process with its start time.
#include "engine/targets/process_service.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

#include "engine/process/process_runner.h"
#include "store/unicode.h"

namespace tidemark::targets {
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

namespace {

constexpr milliseconds kPoll(10);
constexpr milliseconds kKillWait(5000);     // after SIGKILL
constexpr milliseconds kStartSettle(100);   // a process must survive this long

struct ProcStat {
  char state = '?';
  unsigned long long start_time = 0;
};

// Fields 3 (state) and 22 (starttime) of /proc/<pid>/stat; nullopt when gone.
std::optional<ProcStat> ReadProcStat(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  if (!in) return std::nullopt;
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const size_t paren = text.rfind(')');  // comm may contain spaces and ')'
  if (paren == std::string::npos) return std::nullopt;
  std::istringstream rest(text.substr(paren + 1));
  ProcStat st;
  std::string field;
  if (!(rest >> st.state)) return std::nullopt;
  for (int i = 4; i < 22; ++i) {
    if (!(rest >> field)) return std::nullopt;
  }
  if (!(rest >> st.start_time)) return std::nullopt;
  return st;
}

std::string Trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && (s[b] == ' ' || s[b] == '\t')) ++b;
  while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t')) --e;
  return std::string(s.substr(b, e - b));
}

Status ErrnoStatus(const std::string& what, int err) {
  return Status::IoError(what + ": " + std::strerror(err));
}

// Writes `bytes` to `path` atomically (temp + fsync + rename + fsync dir),
// with permission bits `mode`.
Status AtomicWrite(const fs::path& path, const std::string& bytes, mode_t mode) {
  std::string tmpl = path.string() + ".tmp-XXXXXX";
  const int fd = ::mkostemp(tmpl.data(), O_CLOEXEC);
  if (fd < 0) return ErrnoStatus("cannot create temp file for " + path.string(), errno);
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      ::close(fd);
      ::unlink(tmpl.c_str());
      return ErrnoStatus("cannot write " + tmpl, err);
    }
    done += static_cast<size_t>(n);
  }
  if (::fchmod(fd, mode) != 0 || ::fsync(fd) != 0) {
    const int err = errno;
    ::close(fd);
    ::unlink(tmpl.c_str());
    return ErrnoStatus("cannot sync " + tmpl, err);
  }
  ::close(fd);
  if (::rename(tmpl.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmpl.c_str());
    return ErrnoStatus("cannot rename " + tmpl + " to " + path.string(), err);
  }
  const int dfd = ::open(path.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return Status::Ok();
}

Status ValidateName(const std::string& name) {
  if (name.empty() || name == "." || name == ".." ||
      name.find_first_of(std::string("/\\\0", 3)) != std::string::npos) {
    return Status::InvalidInput("bad service name '" + name + "'");
  }
  return Status::Ok();
}

// Sends `sig` to the service's process group, falling back to the process.
void Signal(pid_t pid, int sig) {
  if (::kill(-pid, sig) != 0) ::kill(pid, sig);
}

}  // namespace

ProcessServiceBackend::ProcessServiceBackend(fs::path dir) : dir_(std::move(dir)) {}

Result<std::optional<fs::path>> ProcessServiceBackend::FindFile(const std::string& name) const {
  TM_RETURN_IF_ERROR(ValidateName(name));
  std::error_code ec;
  const fs::path exact = dir_ / (name + ".service");
  if (fs::is_regular_file(exact, ec)) return std::optional<fs::path>(exact);
  std::vector<fs::path> matches;
  for (fs::directory_iterator it(dir_, ec), end; !ec && it != end; it.increment(ec)) {
    const fs::path& p = it->path();
    if (p.extension() == ".service" && EqualsIgnoreCase(p.stem().string(), name) &&
        it->is_regular_file(ec)) {
      matches.push_back(p);
    }
  }
  if (ec && ec != std::errc::no_such_file_or_directory) {
    return Status::IoError("cannot list service folder " + dir_.string() + ": " + ec.message());
  }
  if (matches.empty()) return std::optional<fs::path>();
  if (matches.size() > 1) {
    return Status::InvalidInput("service name '" + name + "' matches several definitions in " +
                                dir_.string() + " differing only in case");
  }
  return std::optional<fs::path>(matches[0]);
}

Result<ProcessServiceBackend::Definition> ProcessServiceBackend::Parse(const fs::path& file) const {
  std::ifstream in(file, std::ios::binary);
  if (!in) return Status::IoError("cannot read service definition " + file.string());
  Definition d;
  d.name = file.stem().string();
  d.file = file;
  std::string line;
  int line_no = 0;
  auto bad = [&](const std::string& why) {
    return Status::InvalidInput(file.string() + ":" + std::to_string(line_no) + ": " + why);
  };
  while (std::getline(in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const std::string trimmed = Trim(line);
    if (trimmed.empty() || trimmed[0] == '#' || trimmed[0] == ';') continue;
    const size_t eq = line.find('=');
    if (eq == std::string::npos) return bad("expected key=value, got '" + trimmed + "'");
    const std::string key = Trim(std::string_view(line).substr(0, eq));
    const std::string raw = line.substr(eq + 1);
    if (key == "exec") {
      d.exec = Trim(raw);
      if (d.exec.empty() || d.exec[0] != '/') return bad("exec must be an absolute path");
    } else if (key == "arg") {
      d.args.push_back(raw);
    } else if (key == "start") {
      auto st = ParseStartType(Trim(raw));
      if (!st || *st == StartType::kUnknown) {
        return bad(std::string("start must be ") + kStartTypeChoices + ", got '" + Trim(raw) + "'");
      }
      d.start = *st;
    } else if (key == "stop_timeout_ms") {
      const std::string v = Trim(raw);
      if (v.empty() || v.size() > 9 || v.find_first_not_of("0123456789") != std::string::npos) {
        return bad("stop_timeout_ms must be a number of milliseconds, got '" + v + "'");
      }
      d.stop_timeout = milliseconds(std::stol(v));
    } else {
      return bad("unknown key '" + key + "'");
    }
  }
  if (d.exec.empty()) {
    return Status::InvalidInput(file.string() + ": no exec= line (the program to run)");
  }
  return d;
}

Result<ProcessServiceBackend::Definition> ProcessServiceBackend::Require(
    const std::string& name) const {
  TM_ASSIGN_OR_RETURN(std::optional<fs::path> file, FindFile(name));
  if (!file) {
    return Status::NotFound("service " + name + " is not installed (no " + name +
                            ".service in " + dir_.string() + ")");
  }
  return Parse(*file);
}

fs::path ProcessServiceBackend::PidFile(const Definition& d) const {
  return dir_ / (d.name + ".pid");
}

ProcessServiceBackend::Live ProcessServiceBackend::Probe(const Definition& d) const {
  Live live;
  std::ifstream in(PidFile(d));
  long long pid = 0;
  unsigned long long start_time = 0;
  if (!in || !(in >> pid >> start_time) || pid <= 1) return live;
  const auto st = ReadProcStat(static_cast<pid_t>(pid));
  if (!st || st->start_time != start_time) return live;  // dead, or pid recycled
  if (st->state == 'Z' || st->state == 'X' || st->state == 'x') return live;
  live.pid = static_cast<pid_t>(pid);
  live.run = (st->state == 'T' || st->state == 't') ? ServiceRun::kPaused : ServiceRun::kRunning;
  return live;
}

Result<Value> ProcessServiceBackend::Read(const std::string& name) {
  TM_ASSIGN_OR_RETURN(std::optional<fs::path> file, FindFile(name));
  if (!file) return Value::Absent();
  TM_ASSIGN_OR_RETURN(Definition d, Parse(*file));
  return Value::Service(Probe(d).run, d.start);
}

Result<std::optional<pid_t>> ProcessServiceBackend::Pid(const std::string& name) {
  TM_ASSIGN_OR_RETURN(Definition d, Require(name));
  const Live live = Probe(d);
  if (live.run == ServiceRun::kStopped) return std::optional<pid_t>();
  return std::optional<pid_t>(live.pid);
}

Result<std::vector<std::string>> ProcessServiceBackend::List() {
  std::vector<std::string> names;
  std::error_code ec;
  for (fs::directory_iterator it(dir_, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().extension() == ".service" && it->is_regular_file(ec)) {
      names.push_back(it->path().stem().string());
    }
  }
  if (ec && ec != std::errc::no_such_file_or_directory) {
    return Status::IoError("cannot list service folder " + dir_.string() + ": " + ec.message());
  }
  std::sort(names.begin(), names.end());
  return names;
}

Result<std::vector<std::string>> ProcessServiceBackend::RunningDependents(const std::string& name) {
  TM_RETURN_IF_ERROR(Require(name).status());
  return std::vector<std::string>{};
}

Status ProcessServiceBackend::SetStartType(const std::string& name, StartType start) {
  if (start == StartType::kUnknown) {
    return Status::InvalidInput("service " + name + ": start type must be " + kStartTypeChoices);
  }
  TM_ASSIGN_OR_RETURN(Definition d, Require(name));
  std::ifstream in(d.file, std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!in.good() && !in.eof()) return Status::IoError("cannot read " + d.file.string());
  // Rewrite the first start= line in place, keeping its line ending.
  std::string out;
  bool replaced = false;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    const size_t end = nl == std::string::npos ? text.size() : nl + 1;
    std::string line = text.substr(pos, end - pos);
    pos = end;
    std::string body = line;
    std::string ending;
    while (!body.empty() && (body.back() == '\n' || body.back() == '\r')) {
      ending.insert(ending.begin(), body.back());
      body.pop_back();
    }
    const size_t eq = body.find('=');
    if (!replaced && eq != std::string::npos && Trim(std::string_view(body).substr(0, eq)) == "start" &&
        Trim(body)[0] != '#') {
      out += "start=" + std::string(StartTypeName(start)) + ending;
      replaced = true;
    } else {
      out += line;
    }
  }
  if (!replaced) {
    if (!out.empty() && out.back() != '\n') out += "\n";
    out += "start=" + std::string(StartTypeName(start)) + "\n";
  }
  struct stat st;
  const mode_t mode = ::stat(d.file.c_str(), &st) == 0 ? (st.st_mode & 07777) : 0644;
  return AtomicWrite(d.file, out, mode).Prefix("service " + d.name);
}

Status ProcessServiceBackend::SetRun(const std::string& name, ServiceRun run,
                                     milliseconds timeout) {
  if (run == ServiceRun::kUnknown) {
    return Status::InvalidInput("service " + name + ": run state must be running, stopped or paused");
  }
  TM_ASSIGN_OR_RETURN(Definition d, Require(name));
  const Live live = Probe(d);
  if (run == ServiceRun::kStopped) return Stop(d, live, timeout);  // also clears a stale pid file
  if (live.run == run) return Status::Ok();
  switch (run) {
    case ServiceRun::kRunning:
      if (live.run == ServiceRun::kPaused) return Resume(d, live, timeout);
      return Start(d, timeout);
    case ServiceRun::kStopped:
      return Stop(d, live, timeout);
    case ServiceRun::kPaused:
      if (live.run == ServiceRun::kStopped) {
        TM_RETURN_IF_ERROR(Start(d, timeout));
        return Pause(d, Probe(d), timeout);
      }
      return Pause(d, live, timeout);
    case ServiceRun::kUnknown:
      break;
  }
  return Status::InvalidInput("service " + name + ": bad run state");
}

Status ProcessServiceBackend::Start(const Definition& d, milliseconds timeout) {
  if (d.start == StartType::kDisabled) {
    return Status::InvalidInput("service " + d.name + " is disabled");
  }
  std::vector<std::string> argv = {d.exec};
  argv.insert(argv.end(), d.args.begin(), d.args.end());
  const fs::path log = dir_ / (d.name + ".log");
  process::DetachedOptions options;
  options.working_dir = dir_;
  options.log_file = log;
  auto started = process::StartDetached(process::Command::Argv(std::move(argv)), options);
  if (!started.ok()) return started.status().Prefix("service " + d.name);
  const pid_t pid = static_cast<pid_t>(*started);
  const auto st = ReadProcStat(pid);
  auto died = [&] {
    ::unlink(PidFile(d).c_str());
    return Status::Failed("service " + d.name + " (pid " + std::to_string(pid) +
                          ") exited right after starting; see " + log.string());
  };
  if (!st || st->state == 'Z') return died();
  TM_RETURN_IF_ERROR(AtomicWrite(PidFile(d),
                                 std::to_string(pid) + " " + std::to_string(st->start_time) + "\n",
                                 0644)
                         .Prefix("service " + d.name));
  // Wait until it is alive, and make sure it stays up a moment.
  const auto deadline = Clock::now() + std::min(timeout, kStartSettle);
  do {
    if (Probe(d).run == ServiceRun::kStopped) return died();
    std::this_thread::sleep_for(kPoll);
  } while (Clock::now() < deadline);
  if (Probe(d).run == ServiceRun::kStopped) return died();
  return Status::Ok();
}

Status ProcessServiceBackend::Stop(const Definition& d, const Live& live, milliseconds timeout) {
  if (live.run == ServiceRun::kStopped) {
    ::unlink(PidFile(d).c_str());  // stale pid file, if any
    return Status::Ok();
  }
  auto gone = [&] { return Probe(d).run == ServiceRun::kStopped; };
  auto wait_gone = [&](milliseconds limit) {
    const auto deadline = Clock::now() + limit;
    while (!gone()) {
      if (Clock::now() >= deadline) return false;
      std::this_thread::sleep_for(kPoll);
    }
    return true;
  };
  Signal(live.pid, SIGTERM);
  if (live.run == ServiceRun::kPaused) Signal(live.pid, SIGCONT);  // let it see SIGTERM
  if (!wait_gone(d.stop_timeout.value_or(timeout))) {
    Signal(live.pid, SIGKILL);
    if (!wait_gone(kKillWait)) {
      const auto st = ReadProcStat(live.pid);
      return Status::IoError("service " + d.name + " (pid " + std::to_string(live.pid) +
                             ") did not exit after SIGTERM and SIGKILL; state '" +
                             std::string(1, st ? st->state : '?') + "'");
    }
  }
  if (::unlink(PidFile(d).c_str()) != 0 && errno != ENOENT) {
    return ErrnoStatus("service " + d.name + ": cannot remove " + PidFile(d).string(), errno);
  }
  return Status::Ok();
}

Status ProcessServiceBackend::Pause(const Definition& d, const Live& live, milliseconds timeout) {
  if (live.run == ServiceRun::kStopped) {
    return Status::Failed("service " + d.name + " stopped before it could be paused");
  }
  Signal(live.pid, SIGSTOP);
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    const ServiceRun now = Probe(d).run;
    if (now == ServiceRun::kPaused) return Status::Ok();
    if (Clock::now() >= deadline || now == ServiceRun::kStopped) {
      return Status::IoError("service " + d.name + " (pid " + std::to_string(live.pid) +
                             ") did not pause; state reached: " + ServiceRunName(now));
    }
    std::this_thread::sleep_for(kPoll);
    // Still running: a stop that raced with the process's own start-up (a
    // SIGCONT from its launcher) is asked for again; SIGSTOP is idempotent.
    if (now == ServiceRun::kRunning) Signal(live.pid, SIGSTOP);
  }
}

Status ProcessServiceBackend::Resume(const Definition& d, const Live& live, milliseconds timeout) {
  Signal(live.pid, SIGCONT);
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    const ServiceRun now = Probe(d).run;
    if (now == ServiceRun::kRunning) return Status::Ok();
    if (Clock::now() >= deadline || now == ServiceRun::kStopped) {
      return Status::IoError("service " + d.name + " (pid " + std::to_string(live.pid) +
                             ") did not resume; state reached: " + ServiceRunName(now));
    }
    std::this_thread::sleep_for(kPoll);
  }
}

}  // namespace tidemark::targets
