// SystemInfo: the few facts and calls about the running system that the
// journal needs — host and user recorded in every event, the process id in the
// writer lock, making a journal directory private to its owner and durable.
#pragma once

#include <cstdint>
#include <ctime>
#include <filesystem>
#include <string>

#include "store/status.h"

namespace tidemark::store {

// This computer's name ("" if the system cannot tell).
std::string LocalHostName();
// The user running tidemark: the login name on POSIX, DOMAIN\user on Windows;
// the numeric uid / "unknown" when no name is known.
std::string LocalUserName();
// This process's id.
uint64_t LocalProcessId();
// True when a process with this id is still running on this computer.
bool ProcessAlive(uint64_t pid);

// True when this process runs as root (POSIX); false on Windows, where
// programs are never run as another user.
bool RunningAsRoot();
// True when a local account of this name exists (POSIX getpwnam; Windows: false).
bool LocalUserExists(const std::string& name);
// `t` as UTC calendar time (gmtime_r / gmtime_s).
std::tm UtcTime(std::time_t t);
// The inverse: UTC calendar time to seconds since the epoch (timegm / _mkgmtime).
std::time_t TimeFromUtc(std::tm utc);

// Ends this process at once, as a power cut would (no destructors, no
// flushing): SIGKILL on POSIX, TerminateProcess on Windows. Crash tests only.
[[noreturn]] void KillSelfNow();

// Restricts an existing directory to its owner: mode 0700 on POSIX; on
// Windows a protected DACL granting full control to the owner, the
// Administrators group and SYSTEM only, inherited by everything created inside.
Status MakeDirectoryPrivate(const std::filesystem::path& dir);

// Makes the entries of a directory (files created or renamed into it) durable:
// fsync of the directory on POSIX; on Windows, where NTFS journals its
// metadata and a directory cannot be flushed by a non-administrator, nothing.
Status SyncDirectory(const std::filesystem::path& dir);

}  // namespace tidemark::store
