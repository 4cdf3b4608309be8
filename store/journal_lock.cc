// Writer lock of a journal directory: what the POSIX (flock) and Windows
// (LockFileEx) implementations share — the holder description and waiting
// for a holder to name itself.
#include <chrono>
#include <ctime>
#include <sstream>
#include <thread>

#include "store/journal_lock.h"
#include "store/system_info.h"

namespace tidemark::store {

Result<std::unique_ptr<JournalLock>> JournalLock::Acquire(const std::filesystem::path& dir) {
  // A holder writes its description right after taking the lock and empties
  // it just before releasing: an empty description is a moment to wait out.
  constexpr int kAttempts = 200;
  std::string holder;
  for (int attempt = 1;; ++attempt) {
    holder.clear();
    auto lock = TryAcquire(dir, &holder);
    if (lock.ok() || !lock.status().Is(StatusCode::kLocked)) return lock;
    if (!holder.empty() || attempt == kAttempts) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return Status::Locked("journal " + dir.string() + " is in use by another tidemark (" +
                        (holder.empty() ? std::string("holder unknown") : holder) +
                        "); wait for it to finish or stop that process");
}

std::string JournalLock::DescribeSelf() {
  std::time_t now = std::time(nullptr);
  const std::tm utc = UtcTime(now);
  char when[64];
  std::strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &utc);
  std::ostringstream s;
  s << "pid " << LocalProcessId() << " on host " << LocalHostName() << " since " << when;
  return s.str();
}

}  // namespace tidemark::store
