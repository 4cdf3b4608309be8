// Progress, conflicts and prompts for the mutating commands.
#include "commands/run_output.h"

#include <unistd.h>

#include <iostream>

#include "commands/render.h"
#include "commands/table.h"
#include "store/secret_policy.h"

namespace tidemark::commands {

std::function<void(const std::string&)> ProgressPrinter(Context& ctx, bool quiet) {
  if (quiet) return nullptr;
  const bool colour = ctx.terminal;
  return [&ctx, colour](const std::string& raw) {
    const std::string line = store::EscapeForTerminal(raw, /*keep_newlines=*/true);
    if (colour && line.rfind("  FAILED", 0) == 0) {
      ctx.out << "\033[31m" << line << "\033[0m\n";
    } else if (colour && line.rfind("[", 0) == 0) {
      ctx.out << "\033[1m" << line << "\033[0m\n";
    } else {
      ctx.out << line << "\n";
    }
    ctx.out.flush();
  };
}

void PrintConflicts(Context& ctx, const std::vector<engine::ConflictInfo>& conflicts, bool reveal,
                    const std::string& choices) {
  Table t({"SEQ", "RESOURCE", "BEFORE", "AFTER (recorded)", "CURRENT"});
  for (const auto& c : conflicts) {
    t.Add({std::to_string(c.seq), c.resource.Display(),
           store::ShowValue(c.before, &c.resource, c.secret, reveal),
           store::ShowValue(c.after, &c.resource, c.secret, reveal),
           store::ShowValue(c.current, &c.resource, c.secret, reveal)});
  }
  ctx.err << "\n";
  t.Print(ctx.err);
  ctx.err << "\n" << choices << "\n";
}

std::function<bool(const std::string&)> TerminalConfirm(Context& ctx) {
  if (!isatty(STDIN_FILENO)) return nullptr;
  return [&ctx](const std::string& prompt) {
    ctx.out << "\n  MANUAL STEP: " << store::EscapeForTerminal(prompt, /*keep_newlines=*/true) << "\n  Type 'done' when finished (anything else stops the run): ";
    ctx.out.flush();
    std::string answer;
    if (!std::getline(std::cin, answer)) return false;
    return answer == "done" || answer == "y" || answer == "yes";
  };
}

Status RequireWayToConfirm(Context& ctx, const engine::Plan& plan, bool yes,
                           const std::set<std::string>& finished) {
  if (yes || TerminalConfirm(ctx)) return Status::Ok();
  int manual = 0;
  std::string first;
  for (const auto& step : plan.steps) {
    if (finished.count(step.id)) continue;
    for (const auto& a : step.actions) {
      if (!a.As<engine::Manual>()) continue;
      ++manual;
      if (first.empty()) first = step.id;
    }
  }
  if (manual == 0) return Status::Ok();
  return Status::InvalidInput(
      "plan " + plan.name + " has " + std::to_string(manual) + " manual step(s) to confirm (the first in step " +
      first + ") and there is no terminal to ask at: run it from a terminal, or pass --yes to confirm "
      "them in a script; nothing was changed");
}

}  // namespace tidemark::commands
