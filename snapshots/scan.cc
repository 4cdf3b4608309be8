// Scans of watched resources into ScanImage maps, and their diff by a single
// merge walk over the two identity-ordered maps.
#include "snapshots/scan.h"

namespace tidemark::snapshots {

Status ScanFolder(targets::FileTarget& files, const std::string& windows_folder,
                  ScanImage& image) {
  TM_ASSIGN_OR_RETURN(std::vector<targets::FileEntry> entries, files.Enumerate(windows_folder));
  for (targets::FileEntry& e : entries) {
    std::string id = e.resource.Identity();
    image.insert_or_assign(std::move(id), ScanEntry{std::move(e.resource), std::move(e.value),
                                                    std::move(e.content)});
  }
  return Status::Ok();
}

Status ScanServices(targets::ServiceTarget& svc, const std::vector<std::string>& names,
                    ScanImage& image) {
  TM_ASSIGN_OR_RETURN(auto entries, svc.Enumerate(names));
  AddEntries(entries, image);
  return Status::Ok();
}

void AddEntries(const std::vector<std::pair<Resource, Value>>& entries, ScanImage& image) {
  for (const auto& [resource, value] : entries) {
    image.insert_or_assign(resource.Identity(), ScanEntry{resource, value, std::nullopt});
  }
}

std::vector<Change> Diff(const ScanImage& before, const ScanImage& after) {
  std::vector<Change> changes;
  auto b = before.begin();
  auto a = after.begin();
  while (b != before.end() || a != after.end()) {
    if (a == after.end() || (b != before.end() && b->first < a->first)) {
      if (!b->second.value.absent()) {  // gone
        changes.push_back(Change{b->second.resource, b->second.value, Value::Absent(),
                                 b->second.content, std::nullopt});
      }
      ++b;
    } else if (b == before.end() || a->first < b->first) {
      if (!a->second.value.absent()) {  // new
        changes.push_back(Change{a->second.resource, Value::Absent(), a->second.value,
                                 std::nullopt, a->second.content});
      }
      ++a;
    } else {
      if (b->second.value != a->second.value) {
        changes.push_back(Change{a->second.resource, b->second.value, a->second.value,
                                 b->second.content, a->second.content});
      }
      ++b;
      ++a;
    }
  }
  return changes;
}

}  // namespace tidemark::snapshots
