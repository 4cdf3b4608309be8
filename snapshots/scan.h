// Scans: point-in-time images of watched resources (files, services, and any
// resource an adapter enumerates), and the diff of two images — how changes
// made by an opaque step (setup.exe, a manual action) are observed.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "engine/targets/file_target.h"
#include "engine/targets/service_target.h"
#include "store/resource.h"
#include "store/status.h"
#include "store/value.h"

namespace tidemark::snapshots {

// One resource in an image. `content` holds the exact bytes for files.
struct ScanEntry {
  Resource resource;
  Value value;
  std::optional<std::string> content;
};

// Keyed by Resource::Identity(), so iteration is in identity order.
using ScanImage = std::map<std::string, ScanEntry>;

// A resource whose value differs between two images. Contents are set for
// files on the side(s) where the file exists (and the image had it).
struct Change {
  Resource resource;
  Value before;
  Value after;
  std::optional<std::string> before_content, after_content;
};

// Adds every regular file at or under `windows_folder` (with its content) to
// `image`, replacing entries of the same identity. A missing folder adds
// nothing. Errors come from FileTarget::Enumerate; `image` may then hold a
// part of the folder.
Status ScanFolder(targets::FileTarget& files, const std::string& windows_folder, ScanImage& image);

// Adds the named services (empty = every installed one) to `image`; a named
// service that is not installed is added as Absent.
Status ScanServices(targets::ServiceTarget& svc, const std::vector<std::string>& names,
                    ScanImage& image);

// Adds (resource, value) pairs, e.g. from the registry or SQL adapters,
// replacing entries of the same identity. No content is kept.
void AddEntries(const std::vector<std::pair<Resource, Value>>& entries, ScanImage& image);

// Every resource whose value differs, in identity order. A resource present
// only in `before` gets after = Absent; only in `after`, before = Absent; an
// entry that is Absent on one side and missing on the other is no change.
// Linear in the size of both images (one merge walk).
std::vector<Change> Diff(const ScanImage& before, const ScanImage& after);

}  // namespace tidemark::snapshots
