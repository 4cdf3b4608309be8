// Win32 runner: CreateProcessW (UTF-16 command line quoted per the MSVCRT
// rules, only the three standard handles inherited) inside a Job object that
// kills the whole tree on timeout, on a stop request and if tidemark dies;
// output through a pipe read by a thread of ours.
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#ifndef NOMINMAX
#define NOMINMAX
#endif
#include <windows.h>

#include <algorithm>
#include <utility>

#include "engine/process/interrupt.h"
#include "engine/process/output_sink.h"
#include "engine/process/process_runner.h"
#include "engine/process/windows_command_line.h"
#include "store/unicode.h"
#include "store/win32_text.h"

namespace tidemark::process {
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

namespace {

constexpr DWORD kPollSliceMs = 50;
// After the program exits, output from a pipe that one of its own background
// processes still holds is read for this long, no longer.
constexpr DWORD kDrainAfterExitMs = 250;
constexpr UINT kKilledExitCode = 1;

// A kernel handle closed when it goes out of scope.
class Handle {
 public:
  Handle() = default;
  explicit Handle(HANDLE h) : h_(h == INVALID_HANDLE_VALUE ? nullptr : h) {}
  Handle(Handle&& o) noexcept : h_(std::exchange(o.h_, nullptr)) {}
  Handle& operator=(Handle&& o) noexcept {
    Reset(std::exchange(o.h_, nullptr));
    return *this;
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  ~Handle() { Reset(); }
  HANDLE get() const { return h_; }
  explicit operator bool() const { return h_ != nullptr; }
  void Reset(HANDLE h = nullptr) {
    if (h_ != nullptr) CloseHandle(h_);
    h_ = h;
  }

 private:
  HANDLE h_ = nullptr;
};

std::string Narrow(std::wstring_view w) {
  std::string bytes;
  for (wchar_t c : w) {
    bytes += static_cast<char>(static_cast<unsigned>(c) & 0xff);
    bytes += static_cast<char>((static_cast<unsigned>(c) >> 8) & 0xff);
  }
  auto utf8 = Utf16LeToUtf8(bytes);
  return utf8.ok() ? *utf8 : std::string("?");
}

Result<std::wstring> Wide(std::string_view utf8) {
  TM_ASSIGN_OR_RETURN(std::string bytes, Utf8ToUtf16Le(utf8));
  std::wstring w(bytes.size() / 2, L'\0');
  for (size_t i = 0; i < w.size(); ++i) {
    w[i] = static_cast<wchar_t>(static_cast<unsigned char>(bytes[2 * i]) |
                                (static_cast<unsigned char>(bytes[2 * i + 1]) << 8));
  }
  return w;
}

Status CannotRun(const std::string& name, const std::string& why) {
  return Status::IoError("cannot run " + name + ": " + why);
}

std::wstring ComSpec() {
  wchar_t buffer[MAX_PATH];
  const DWORD n = GetEnvironmentVariableW(L"ComSpec", buffer, MAX_PATH);
  return n > 0 && n < MAX_PATH ? std::wstring(buffer, n) : std::wstring(L"cmd.exe");
}

Result<std::wstring> CommandLineFor(const Command& c) {
  if (c.argv.empty() || c.argv[0].empty()) return Status::InvalidInput("empty command");
  if (c.shell) return Wide(WindowsShellCommandLine(Narrow(ComSpec()), c.argv[0]));
  return Wide(WindowsCommandLine(c.argv));
}

bool SameName(std::wstring_view a, std::wstring_view b) {
  return CompareStringOrdinal(a.data(), static_cast<int>(a.size()), b.data(),
                              static_cast<int>(b.size()), TRUE) == CSTR_EQUAL;
}

// The name of an environment entry ("=C:=C:\x" names "=C:").
std::wstring_view EntryName(std::wstring_view entry) {
  return entry.substr(0, entry.find(L'=', 1));
}

// tidemark's environment with `extra` added (same names, ignoring case,
// replaced), sorted by name as CreateProcessW expects, double-NUL ended.
Result<std::wstring> EnvironmentBlock(const std::vector<std::pair<std::string, std::string>>& extra) {
  std::vector<std::wstring> entries, added;
  for (const auto& [name, value] : extra) {
    TM_ASSIGN_OR_RETURN(std::wstring e, Wide(name + "=" + value));
    added.push_back(std::move(e));
  }
  wchar_t* block = GetEnvironmentStringsW();
  for (const wchar_t* p = block; p != nullptr && *p != L'\0'; p += wcslen(p) + 1) {
    const std::wstring_view entry(p);
    const bool replaced = std::any_of(added.begin(), added.end(), [&](const std::wstring& a) {
      return SameName(EntryName(a), EntryName(entry));
    });
    if (!replaced) entries.emplace_back(entry);
  }
  if (block != nullptr) FreeEnvironmentStringsW(block);
  entries.insert(entries.end(), added.begin(), added.end());
  std::sort(entries.begin(), entries.end(), [](const std::wstring& a, const std::wstring& b) {
    const std::wstring_view na = EntryName(a), nb = EntryName(b);
    return CompareStringOrdinal(na.data(), static_cast<int>(na.size()), nb.data(),
                                static_cast<int>(nb.size()), TRUE) == CSTR_LESS_THAN;
  });
  std::wstring out;
  for (const std::wstring& e : entries) out += e + L'\0';
  out += L'\0';
  return out;
}

// A file handle the child can inherit.
Result<Handle> OpenInheritable(const fs::path& path, DWORD access, DWORD disposition,
                               const char* what) {
  SECURITY_ATTRIBUTES sa{sizeof(sa), nullptr, TRUE};
  Handle h(CreateFileW(path.empty() ? L"NUL" : path.wstring().c_str(), access,
                       FILE_SHARE_READ | FILE_SHARE_WRITE, &sa, disposition,
                       FILE_ATTRIBUTE_NORMAL, nullptr));
  if (!h) return Status::IoError(std::string(what) + " " + path.string() + ": " + Win32ErrorText(GetLastError()));
  return h;
}

// A job whose processes all die when its last handle closes (tidemark included).
Result<Handle> KillOnCloseJob() {
  Handle job(CreateJobObjectW(nullptr, nullptr));
  if (!job) return Status::IoError("CreateJobObject: " + Win32ErrorText(GetLastError()));
  JOBOBJECT_EXTENDED_LIMIT_INFORMATION info{};
  info.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE;
  if (!SetInformationJobObject(job.get(), JobObjectExtendedLimitInformation, &info, sizeof(info))) {
    return Status::IoError("SetInformationJobObject: " + Win32ErrorText(GetLastError()));
  }
  return job;
}

// Lifts kill-on-close, so what the program left running outlives the job
// handle after a normal exit (as a background process does on POSIX).
void LetJobMembersLive(HANDLE job) {
  JOBOBJECT_EXTENDED_LIMIT_INFORMATION info{};
  SetInformationJobObject(job, JobObjectExtendedLimitInformation, &info, sizeof(info));
}

DWORD ActiveProcesses(HANDLE job) {
  JOBOBJECT_BASIC_ACCOUNTING_INFORMATION info{};
  if (!QueryInformationJobObject(job, JobObjectBasicAccountingInformation, &info, sizeof(info),
                                 nullptr)) {
    return 0;
  }
  return info.ActiveProcesses;
}

struct StartSpec {
  std::wstring command_line;
  std::wstring environment;  // empty: tidemark's own
  std::wstring working_dir;  // empty: tidemark's own
  HANDLE std_handles[3] = {nullptr, nullptr, nullptr};
  DWORD flags = 0;
};

// CreateProcessW with exactly the three standard handles inherited
// (PROC_THREAD_ATTRIBUTE_HANDLE_LIST), nothing else of ours.
Result<PROCESS_INFORMATION> Create(StartSpec& spec, const std::string& name) {
  std::vector<HANDLE> inherit;
  for (HANDLE h : spec.std_handles) {
    if (std::find(inherit.begin(), inherit.end(), h) == inherit.end()) inherit.push_back(h);
  }
  SIZE_T size = 0;
  InitializeProcThreadAttributeList(nullptr, 1, 0, &size);
  std::vector<char> storage(size);
  auto* attributes = reinterpret_cast<LPPROC_THREAD_ATTRIBUTE_LIST>(storage.data());
  if (!InitializeProcThreadAttributeList(attributes, 1, 0, &size)) {
    return CannotRun(name, "attribute list: " + Win32ErrorText(GetLastError()));
  }
  if (!UpdateProcThreadAttribute(attributes, 0, PROC_THREAD_ATTRIBUTE_HANDLE_LIST, inherit.data(),
                                 inherit.size() * sizeof(HANDLE), nullptr, nullptr)) {
    const DWORD error = GetLastError();
    DeleteProcThreadAttributeList(attributes);
    return CannotRun(name, "handle list: " + Win32ErrorText(error));
  }
  STARTUPINFOEXW si{};
  si.StartupInfo.cb = sizeof(si);
  si.StartupInfo.dwFlags = STARTF_USESTDHANDLES;
  si.StartupInfo.hStdInput = spec.std_handles[0];
  si.StartupInfo.hStdOutput = spec.std_handles[1];
  si.StartupInfo.hStdError = spec.std_handles[2];
  si.lpAttributeList = attributes;
  PROCESS_INFORMATION pi{};
  const BOOL created = CreateProcessW(
      nullptr, spec.command_line.data(), nullptr, nullptr, TRUE,
      spec.flags | EXTENDED_STARTUPINFO_PRESENT | CREATE_UNICODE_ENVIRONMENT,
      spec.environment.empty() ? nullptr : spec.environment.data(),
      spec.working_dir.empty() ? nullptr : spec.working_dir.c_str(), &si.StartupInfo, &pi);
  const DWORD error = GetLastError();
  DeleteProcThreadAttributeList(attributes);
  if (!created) {
    if (error == ERROR_DIRECTORY) return CannotRun(name, "working directory: " + Win32ErrorText(error));
    return CannotRun(name, Win32ErrorText(error));
  }
  return pi;
}

// The thread that moves the pipe's bytes into the sink until end of file.
struct Reader {
  HANDLE pipe;
  OutputSink* sink;
  static DWORD WINAPI Main(void* self) {
    auto* r = static_cast<Reader*>(self);
    char buffer[16384];
    DWORD n = 0;
    while (ReadFile(r->pipe, buffer, sizeof(buffer), &n, nullptr) && n > 0) {
      r->sink->Write(std::string_view(buffer, n));
    }
    return 0;
  }
};

// Asks the tree to stop (Ctrl-Break to its console process group), then
// terminates the job once the grace period is over or nobody is left.
void EndJob(HANDLE job, const PROCESS_INFORMATION& pi, milliseconds grace) {
  if (GenerateConsoleCtrlEvent(CTRL_BREAK_EVENT, pi.dwProcessId)) {
    const auto kill_at = Clock::now() + grace;
    while (Clock::now() < kill_at) {
      if (WaitForSingleObject(pi.hProcess, 0) == WAIT_OBJECT_0 && ActiveProcesses(job) == 0) break;
      Sleep(kPollSliceMs);
    }
  }
  TerminateJobObject(job, kKilledExitCode);
  WaitForSingleObject(pi.hProcess, INFINITE);
}

// Waits for the program; false when the timeout passed or a stop was
// requested first (recorded in `es`).
bool WaitOrLimit(HANDLE process, const RunOptions& o, ExitStatus* es) {
  const auto deadline = o.timeout ? Clock::now() + *o.timeout : Clock::time_point::max();
  for (;;) {
    if (WaitForSingleObject(process, kPollSliceMs) != WAIT_TIMEOUT) return true;
    if (Clock::now() >= deadline) {
      es->timed_out = true;
      es->timeout = *o.timeout;
      return false;
    }
    if (o.stop_on_interrupt && StopRequested()) {
      es->interrupted = true;
      return false;
    }
  }
}

// Lets the reader finish; cancels its read when a background process keeps
// the pipe open past the drain window.
void JoinReader(HANDLE thread, HANDLE pipe) {
  if (WaitForSingleObject(thread, kDrainAfterExitMs) == WAIT_TIMEOUT) {
    CancelSynchronousIo(thread);
    CancelIoEx(pipe, nullptr);
    WaitForSingleObject(thread, INFINITE);
  }
}

Result<StartSpec> Spec(const Command& command, const RunOptions& o) {
  StartSpec spec;
  TM_ASSIGN_OR_RETURN(spec.command_line, CommandLineFor(command));
  TM_ASSIGN_OR_RETURN(spec.environment, EnvironmentBlock(o.env));
  spec.working_dir = o.working_dir.wstring();
  spec.flags = CREATE_SUSPENDED | CREATE_NEW_PROCESS_GROUP;
  return spec;
}

}  // namespace

Result<ExitStatus> Run(const Command& command, const RunOptions& o) {
  TM_ASSIGN_OR_RETURN(StartSpec spec, Spec(command, o));
  OutputSink sink(o.tail_lines, o.capture, o.on_line);
  if (!o.log_file.empty()) TM_RETURN_IF_ERROR(sink.OpenLog(o.log_file));
  TM_ASSIGN_OR_RETURN(Handle in, OpenInheritable(o.stdin_file, GENERIC_READ, OPEN_EXISTING, "cannot open"));
  Handle out_file;
  if (!o.stdout_file.empty()) {
    TM_ASSIGN_OR_RETURN(out_file, OpenInheritable(o.stdout_file, GENERIC_WRITE, CREATE_NEW, "cannot create"));
  }
  SECURITY_ATTRIBUTES sa{sizeof(sa), nullptr, TRUE};
  HANDLE read_end = nullptr, write_end = nullptr;
  if (!CreatePipe(&read_end, &write_end, &sa, 0)) {
    return CannotRun(command.Program(), "CreatePipe: " + Win32ErrorText(GetLastError()));
  }
  Handle reader_pipe(read_end), writer_pipe(write_end);
  SetHandleInformation(read_end, HANDLE_FLAG_INHERIT, 0);
  TM_ASSIGN_OR_RETURN(Handle job, KillOnCloseJob());
  spec.std_handles[0] = in.get();
  spec.std_handles[1] = out_file ? out_file.get() : write_end;
  spec.std_handles[2] = write_end;
  auto created = Create(spec, command.Program());
  writer_pipe.Reset();  // the child's copy is the only one left: end of file when it closes
  in.Reset();
  out_file.Reset();
  if (!created.ok()) {
    if (!o.stdout_file.empty()) DeleteFileW(o.stdout_file.wstring().c_str());
    return created.status();
  }
  const PROCESS_INFORMATION pi = *created;
  Handle process(pi.hProcess), thread(pi.hThread);
  if (!AssignProcessToJobObject(job.get(), pi.hProcess)) {
    TerminateProcess(pi.hProcess, kKilledExitCode);
    return CannotRun(command.Program(), "AssignProcessToJobObject: " + Win32ErrorText(GetLastError()));
  }
  ExitStatus es;
  // Still suspended: its start is recorded before it does anything.
  const bool started = !o.on_started || o.on_started(pi.dwProcessId);
  if (started) ResumeThread(pi.hThread);
  Reader reader{read_end, &sink};
  Handle reader_thread(CreateThread(nullptr, 0, &Reader::Main, &reader, 0, nullptr));
  if (!started) {
    es.interrupted = true;
    TerminateJobObject(job.get(), kKilledExitCode);
    WaitForSingleObject(pi.hProcess, INFINITE);
  } else if (!WaitOrLimit(pi.hProcess, o, &es)) {
    EndJob(job.get(), pi, o.kill_grace);
  } else {
    LetJobMembersLive(job.get());
  }
  if (reader_thread) JoinReader(reader_thread.get(), read_end);
  DWORD code = 0;
  GetExitCodeProcess(pi.hProcess, &code);
  es.exit_code = static_cast<int>(code);
  TM_RETURN_IF_ERROR(sink.Finish());
  es.output = sink.TakeCaptured();
  es.tail = sink.Tail();
  return es;
}

Result<int64_t> StartDetached(const Command& command, const DetachedOptions& o) {
  StartSpec spec;
  TM_ASSIGN_OR_RETURN(spec.command_line, CommandLineFor(command));
  spec.working_dir = o.working_dir.wstring();
  TM_ASSIGN_OR_RETURN(Handle in, OpenInheritable({}, GENERIC_READ, OPEN_EXISTING, "cannot open"));
  TM_ASSIGN_OR_RETURN(Handle out, OpenInheritable(o.log_file, FILE_APPEND_DATA, OPEN_ALWAYS, "cannot open"));
  spec.std_handles[0] = in.get();
  spec.std_handles[1] = out.get();
  spec.std_handles[2] = out.get();
  spec.flags = CREATE_NEW_PROCESS_GROUP | DETACHED_PROCESS | CREATE_BREAKAWAY_FROM_JOB;
  auto created = Create(spec, command.Program());
  if (!created.ok()) {  // a job that forbids breakaway: start inside it instead
    spec.flags &= ~static_cast<DWORD>(CREATE_BREAKAWAY_FROM_JOB);
    created = Create(spec, command.Program());
  }
  if (!created.ok()) return created.status();
  CloseHandle(created->hThread);
  CloseHandle(created->hProcess);
  return static_cast<int64_t>(created->dwProcessId);
}

}  // namespace tidemark::process
