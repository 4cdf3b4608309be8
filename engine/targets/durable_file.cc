// DurableFile parts shared by both systems: temp file naming and cleanup.
#include <system_error>
#include <vector>

#include "engine/targets/durable_file.h"

namespace tidemark::targets::durable_internal {
namespace fs = std::filesystem;

std::string TempPrefix(const fs::path& path) {
  return "." + path.filename().string() + ".tidemark-";
}

void RemoveStaleTemps(const fs::path& path) {
  const std::string prefix = TempPrefix(path);
  const fs::path dir = path.has_parent_path() ? path.parent_path() : fs::path(".");
  std::error_code ec;
  std::vector<fs::path> stale;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string entry = it->path().filename().string();
    if (entry.size() == prefix.size() + 6 && entry.compare(0, prefix.size(), prefix) == 0) {
      stale.push_back(it->path());
    }
  }
  for (const auto& p : stale) fs::remove(p, ec);
}

}  // namespace tidemark::targets::durable_internal
