// Atomic creation of a journal: built complete (column families, meta record,
// synced) in a sibling directory `.<name>.creating-<pid>-<n>`, then renamed to
// its name and the parent directory synced. A crash leaves no journal or a
// whole one; an abandoned sibling (its writer lock free) is removed later.
// A folder that exists already is used in place (see CreateInPlace).
#include <chrono>
#include <system_error>

#include "store/event_log.h"
#include "store/system_info.h"

namespace tidemark::store {
namespace {

namespace fs = std::filesystem;

// The journal's absolute path without a trailing separator.
fs::path Target(const fs::path& dir) {
  fs::path abs = fs::absolute(dir).lexically_normal();
  if (!abs.has_filename()) abs = abs.parent_path();
  return abs;
}

std::string CreatingPrefix(const fs::path& target) {
  return "." + target.filename().string() + ".creating-";
}

// Removes a directory whose writer lock nobody holds; keeps it otherwise.
void RemoveIfUnlocked(const fs::path& dir) {
  {
    auto lock = JournalLock::Acquire(dir);
    if (!lock.ok()) return;
  }
  std::error_code ec;
  fs::remove_all(dir, ec);
}

// Siblings left by creations that were killed before their rename.
void RemoveAbandonedCreations(const fs::path& target) {
  const std::string prefix = CreatingPrefix(target);
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(target.parent_path(), ec)) {
    if (entry.path().filename().string().rfind(prefix, 0) == 0) RemoveIfUnlocked(entry.path());
  }
}

}  // namespace

// A folder that already exists (made by an admin, perhaps a mount point, its
// parent perhaps not writable) is never replaced: the journal is created
// inside it. An interruption then leaves a half-created journal, which the
// next writer completes (see OpenDb).
Status EventLog::CreateInPlace(const fs::path& target, rocksdb::Env* env) {
  TM_RETURN_IF_ERROR(MakeDirectoryPrivate(target));
  TM_ASSIGN_OR_RETURN(auto lock, JournalLock::Acquire(target));
  TM_ASSIGN_OR_RETURN(auto log, OpenDb(target, OpenMode::kCreate, env, std::move(lock)));
  return Status::Ok();
}

Status EventLog::CreateAside(const fs::path& dir, rocksdb::Env* env) {
  const fs::path target = Target(dir);
  std::error_code ec;
  if (fs::is_directory(target, ec)) return CreateInPlace(target, env);
  fs::create_directories(target.parent_path(), ec);
  if (ec) return Status::IoError("cannot create " + target.parent_path().string() + ": " + ec.message());
  RemoveAbandonedCreations(target);
  const auto tick = std::chrono::steady_clock::now().time_since_epoch().count();
  const fs::path aside = target.parent_path() / (CreatingPrefix(target) + std::to_string(LocalProcessId()) +
                                                 "-" + std::to_string(tick));
  fs::create_directory(aside, ec);
  if (ec) return Status::IoError("cannot create " + aside.string() + ": " + ec.message());
  auto built = [&]() -> Status {
    TM_RETURN_IF_ERROR(MakeDirectoryPrivate(aside));
    TM_ASSIGN_OR_RETURN(auto lock, JournalLock::Acquire(aside));
    {
      // Closing flushes the column families and the meta record into SST files.
      TM_ASSIGN_OR_RETURN(auto log, OpenDb(aside, OpenMode::kCreate, env, nullptr));
    }
    return SyncDirectory(aside);
  }();
  if (built.ok()) {
    fs::rename(aside, target, ec);
    if (!ec) return SyncDirectory(target.parent_path());
    built = Status::IoError("cannot move the new journal " + aside.string() + " to " +
                            target.string() + ": " + ec.message());
  }
  std::error_code ignored;
  fs::remove_all(aside, ignored);
  // Another process may have created the journal meanwhile: use that one.
  if (fs::exists(target / "CURRENT", ignored)) return Status::Ok();
  return built.Prefix("creating journal " + target.string());
}

}  // namespace tidemark::store
