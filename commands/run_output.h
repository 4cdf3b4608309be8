// Output shared by the commands that change things (apply, resume, rollback):
// progress lines, the conflict table with the admin's choices, and the
// confirmation prompt of manual steps.
#pragma once

#include <functional>
#include <set>
#include <string>
#include <vector>

#include "commands/command.h"
#include "engine/change_writer.h"
#include "engine/plan.h"

namespace tidemark::commands {

std::function<void(const std::string&)> ProgressPrinter(Context& ctx, bool quiet);
// Prints each conflict (resource, before, after, current) and `choices`.
void PrintConflicts(Context& ctx, const std::vector<engine::ConflictInfo>& conflicts,
                    bool reveal, const std::string& choices);
// Asks on the terminal; nullptr when stdin is not a terminal.
std::function<bool(const std::string&)> TerminalConfirm(Context& ctx);
// Before the first change: InvalidInput when a manual step of `plan` that
// has not finished (`finished` holds the step ids that have) will need a
// confirmation that nobody can give (no terminal, no --yes), so the run
// never stops half-way for want of one.
// A judged manual step (judge: true) needs the terminal or --confirm STEP
// (`confirmed`) whatever --yes says. InvalidInput too for a --confirm STEP
// that is not a step of the plan.
Status RequireWayToConfirm(Context& ctx, const engine::Plan& plan, bool yes,
                           const std::set<std::string>& finished = {},
                           const std::set<std::string>& confirmed = {});

}  // namespace tidemark::commands
