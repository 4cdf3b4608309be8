// MiniSite's services on Windows: none. The process backend runs POSIX
// programs, and the SCM backend would install real services in the Wine
// prefix; the registry, files and SQL flows run without them.
#include "tests/testing/mini_site.h"

namespace tidemark::testing {

bool MiniSite::HasServices() { return false; }
void MiniSite::StartServices() const {}
void MiniSite::StopServices() const {}

}  // namespace tidemark::testing
