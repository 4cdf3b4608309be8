// POSIX process identity: /proc/sys/kernel/random/boot_id and field 22 of
// /proc/PID/stat (the start time in clock ticks since boot).
#include "engine/process/process_identity.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace tidemark::process {
namespace {

std::string BootId() {
  std::ifstream in("/proc/sys/kernel/random/boot_id");
  std::string id;
  std::getline(in, id);
  return id;
}

// The state letter, process group and start time of `pid`, false when it has
// no /proc entry.
bool ReadStat(int64_t pid, char* state, std::string* start_ticks, int64_t* group = nullptr) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(in, line)) return false;
  // "PID (COMM) STATE PPID ...": COMM may hold spaces and parentheses, so
  // the fields are counted from the last ')'.
  const size_t close = line.rfind(')');
  if (close == std::string::npos) return false;
  std::istringstream fields(line.substr(close + 1));
  std::vector<std::string> f;
  for (std::string t; fields >> t;) f.push_back(t);
  if (f.size() < 20) return false;
  *state = f[0].empty() ? '?' : f[0][0];  // field 3
  *start_ticks = f[19];                   // field 22
  if (group != nullptr) *group = std::atoll(f[2].c_str());  // field 5
  return true;
}

bool Alive(char state) { return state != 'Z' && state != 'X'; }

// Whether a live process (not a zombie, which an init that does not reap
// would keep forever) belongs to process group `group`.
bool GroupHasLiveMember(int64_t group) {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    char state = '?';
    std::string ticks;
    int64_t pgrp = 0;
    if (ReadStat(std::atoll(name.c_str()), &state, &ticks, &pgrp) && pgrp == group && Alive(state)) {
      return true;
    }
  }
  return false;
}

}  // namespace

std::string StartIdentity(int64_t pid) {
  char state = '?';
  std::string ticks;
  const std::string boot = BootId();
  if (boot.empty() || !ReadStat(pid, &state, &ticks)) return "";
  return boot + "/" + ticks;
}

Liveness ProcessLiveness(int64_t pid, const std::string& start_id) {
  const size_t slash = start_id.find('/');
  if (pid <= 0 || slash == std::string::npos) return Liveness::kUnknown;
  const std::string boot = BootId();
  if (boot.empty()) return Liveness::kUnknown;
  if (boot != start_id.substr(0, slash)) return Liveness::kEnded;  // rebooted since
  char state = '?';
  std::string ticks;
  if (ReadStat(pid, &state, &ticks)) {
    // Another process with this pid: ours and its group are gone (the
    // kernel gives no new process the id of a group that still exists).
    if (ticks != start_id.substr(slash + 1)) return Liveness::kEnded;
    if (Alive(state)) return Liveness::kRunning;
  }
  // The program itself has ended; does a process of its group run on?
  return GroupHasLiveMember(pid) ? Liveness::kRunning : Liveness::kEnded;
}

}  // namespace tidemark::process
