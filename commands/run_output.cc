// Progress, conflicts and prompts for the mutating commands.
#include "commands/run_output.h"

#include <unistd.h>

#include <algorithm>
#include <iostream>

#include "commands/console.h"
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
  if (!StdinIsTerminal()) return nullptr;
  return [&ctx](const std::string& prompt) {
    ctx.out << "\n  MANUAL STEP: " << store::EscapeForTerminal(prompt, /*keep_newlines=*/true) << "\n  Type 'done' when finished (anything else stops the run): ";
    ctx.out.flush();
    std::string answer;
    if (!std::getline(std::cin, answer)) return false;
    return answer == "done" || answer == "y" || answer == "yes";
  };
}

Status RequireWayToConfirm(Context& ctx, const engine::Plan& plan, bool yes,
                           const std::set<std::string>& finished,
                           const std::set<std::string>& confirmed) {
  for (const std::string& id : confirmed) {
    const bool known = std::any_of(plan.steps.begin(), plan.steps.end(),
                                   [&](const engine::Step& s) { return s.id == id; });
    if (!known) {
      return Status::InvalidInput("--confirm " + id + ": plan " + plan.name +
                                  " has no step with that id; nothing was changed");
    }
  }
  const bool terminal = static_cast<bool>(TerminalConfirm(ctx));
  if (terminal) return Status::Ok();
  int manual = 0;
  std::string first;
  std::vector<std::string> judged;  // steps whose judged prompts nobody can answer
  for (const auto& step : plan.steps) {
    if (finished.count(step.id)) continue;
    for (const auto& a : step.actions) {
      const auto* m = a.As<engine::Manual>();
      if (!m) continue;
      if (m->judge) {
        if (!confirmed.count(step.id) &&
            (judged.empty() || judged.back() != step.id)) {
          judged.push_back(step.id);
        }
        continue;
      }
      ++manual;
      if (first.empty()) first = step.id;
    }
  }
  if (!judged.empty()) {
    std::string flags;
    for (const auto& id : judged) flags += " --confirm " + id;
    return Status::InvalidInput(
        "plan " + plan.name + " asks for your judgement in step(s) " + judged.front() +
        (judged.size() > 1 ? " and " + std::to_string(judged.size() - 1) + " more" : "") +
        " (e.g. that a script's output has no errors), which --yes does not give, and there is no "
        "terminal to ask at: run it from a terminal, or once you have checked pass" + flags +
        "; nothing was changed");
  }
  if (yes || manual == 0) return Status::Ok();
  return Status::InvalidInput(
      "plan " + plan.name + " has " + std::to_string(manual) + " manual step(s) to confirm (the first in step " +
      first + ") and there is no terminal to ask at: run it from a terminal, or pass --yes to confirm "
      "them in a script; nothing was changed");
}

}  // namespace tidemark::commands
