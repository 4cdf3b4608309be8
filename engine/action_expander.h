// ExpandAction: turns one mutating plan action into the resource changes it
// makes, reading live values where the action depends on them (sql.replace
// finds its rows, file.replace computes the new content, a recursive key
// delete lists the subtree). A value read here is the change's `before`, so
// the apply protocol does not read it again. Writes nothing; shared by apply
// and plan check. Each kind's expansion lives in engine/actions/.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "engine/actions/action.h"
#include "engine/change_writer.h"
#include "engine/target_set.h"

namespace tidemark::engine {

// Whether `key` on `host` is one of `created` (host, key) or a parent of one,
// compared case-insensitively as Windows does.
bool CoveredByCreatedKey(const std::vector<std::pair<std::string, std::string>>& created,
                         const std::string& host, const std::string& key);

// What plan check's dry run knows of the plan before an action: the values
// earlier actions would have written (an action that depends on the live
// value, such as registry.replace, sees those instead), the keys they create,
// and whether an exec or manual step ran before it (which may create keys of
// its own). A key missing now but covered by either is not an error of the
// dry run.
struct DryRunKeys {
  std::map<std::string, Value> planned;  // Resource::Identity() -> value after
  std::vector<std::pair<std::string, std::string>> created;  // host, key
  bool after_opaque = false;
  // Whether `key` on `host` is one of `created` or a parent of one.
  bool Covers(const std::string& host, const std::string& key) const;
  // Records a change the dry run showed.
  void Planned(const Change& c);
};

// What a kind's Expand works with (engine/actions/kinds.h).
struct ExpandContext {
  TargetSet& targets;
  const Action& action;
  // An action resumed after part of it was applied may find nothing left to
  // change (no row matches, text not found) without failing.
  bool lenient = false;
  const DryRunKeys* dry_run = nullptr;  // set by plan check only
  std::string note;             // a remark for the admin (e.g. occurrences replaced)
  std::vector<Change> changes;  // in the order they are applied

  // Adds a change of the action. `before`: the live value when the
  // expansion read it (the before phase of DESIGN.md §5).
  Change& Add(Resource r, Value after, std::optional<Value> before = std::nullopt);
  // The value of `r` before this action: live, or in the dry run what an
  // earlier action would have written.
  Result<Value> Read(const Resource& r);
};

// Nothing to expand (InvalidInput) for checkpoint, exec, manual and assert.
// `note` (optional) receives the expansion's remark.
Result<std::vector<Change>> ExpandAction(TargetSet& targets, const Action& a, bool lenient,
                                         std::string* note, const DryRunKeys* dry_run = nullptr);

}  // namespace tidemark::engine
