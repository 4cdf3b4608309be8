// ExpandAction: turns one mutating plan action into the resource changes it
// makes, reading live values where the action depends on them (sql.replace
// finds its rows, file.replace computes the new content, a recursive key
// delete lists the subtree). Writes nothing; shared by apply and plan check.
#pragma once

#include <string>
#include <vector>

#include "engine/change_writer.h"
#include "engine/plan.h"
#include "engine/target_set.h"

namespace tidemark::engine {

// `lenient`: an action resumed after part of it was applied may find nothing
// left to change (no row matches, text not found) without failing.
// `note` receives a remark for the admin (e.g. occurrences replaced).
Result<std::vector<Change>> ExpandAction(TargetSet& targets, const Action& a,
                                         const std::string& label, bool lenient,
                                         std::string* note);

}  // namespace tidemark::engine
