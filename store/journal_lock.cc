// Writer lock of a journal directory: the holder description shared by the
// POSIX (flock) and Windows (LockFileEx) implementations.
#include <ctime>
#include <sstream>

#include "store/journal_lock.h"
#include "store/system_info.h"

namespace tidemark::store {

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
