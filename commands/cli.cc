// The subcommand table (name, one-line help, function) and dispatch, like
// Ninja's tool table. An unknown command suggests the closest name.
#include "commands/cli.h"
#include "commands/console.h"

#include <unistd.h>

#include <algorithm>
#include <iostream>
#include <string>
#include <vector>

#include <spdlog/spdlog.h>

#include "commands/commands.h"

namespace tidemark::commands {
namespace {

struct CommandSpec {
  const char* name;  // may be two words ("plan check")
  const char* summary;
  int (*run)(Context&);
};

constexpr CommandSpec kCommands[] = {
    {"init", "create an empty journal", RunInit},
    {"plan check", "validate a plan against an environment and show what it would change", RunPlanCheck},
    {"env check", "validate an environment file and reach every host and database", RunEnvCheck},
    {"apply", "run an upgrade plan, recording every change before it is made", RunApply},
    {"status", "where the newest run stands: steps, in-doubt changes, checkpoints, lock", RunStatus},
    {"resume", "continue an interrupted or stopped run exactly where it stopped", RunResume},
    {"rollback", "undo changes after a point with reverse actions from the journal", RunRollback},
    {"drift", "compare the journal's state with the live systems", RunDrift},
    {"log", "list events, filtered by run, resource, step, kind or time", RunLog},
    {"show", "one event in full, with its hashes", RunShow},
    {"history", "every change to one resource: when, by which step and whom, before → after", RunHistory},
    {"state", "every resource's value at a point (seq, time, checkpoint, start)", RunState},
    {"diff", "net change per resource between two points", RunDiff},
    {"export", "every event as JSON lines or CSV with stable field names", RunExport},
    {"report", "a self-contained HTML report of a run: timeline, changes, checkpoints", RunReport},
    {"verify", "check the hash chain and checksums; print the head hash", RunVerify},
    {"note", "append an annotation to the journal", RunNote},
    {"snapshot", "write a state snapshot now, so folds start from it", RunSnapshot},
    {"journal backup", "consistent copy of the journal into DIR, opened and verified", RunJournalBackup},
};

size_t EditDistance(const std::string& a, const std::string& b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

void Usage(std::ostream& out) {
  out << "usage: tidemark COMMAND [options]   (tidemark COMMAND --help for details)\n\n"
         "Commands, in the order an upgrade uses them:\n";
  size_t width = 0;
  for (const auto& c : kCommands) width = std::max(width, std::string(c.name).size());
  for (const auto& c : kCommands) {
    const std::string name = c.name;
    out << "  " << name << std::string(width - name.size() + 2, ' ') << c.summary << "\n";
  }
  out << "\nExit codes: 0 ok, 1 failed, 2 bad input, 3 conflict/drift needing a decision,\n"
         "4 run stopped at a failed step (resumable), 5 journal locked, 6 journal integrity failure.\n";
}

}  // namespace

int Run(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
  spdlog::set_pattern("tidemark: %l: %v");
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    Usage(args.empty() ? err : out);
    return args.empty() ? 2 : 0;
  }
  if (args[0] == "--version") {
    out << "tidemark 0.1.0\n";
    return 0;
  }
  const CommandSpec* found = nullptr;
  size_t words = 0;
  for (const auto& c : kCommands) {
    const std::string name = c.name;
    const auto space = name.find(' ');
    if (space == std::string::npos) {
      if (args[0] == name) found = &c, words = 1;
    } else if (args.size() >= 2 && args[0] == name.substr(0, space) &&
               args[1] == name.substr(space + 1)) {
      found = &c, words = 2;
    }
  }
  if (!found) {
    std::string typed = args[0];
    const CommandSpec* best = nullptr;
    size_t best_distance = 99;
    for (const auto& c : kCommands) {
      std::string name = c.name;
      const std::string first = name.substr(0, name.find(' '));
      const size_t d = std::min(EditDistance(typed, name), EditDistance(typed, first));
      if (d < best_distance) best_distance = d, best = &c;
    }
    err << "tidemark: unknown command '" << typed << "'";
    if (best && best_distance <= 3) err << "; did you mean '" << best->name << "'?";
    err << "\n(run `tidemark --help` for the list)\n";
    return 2;
  }
  std::string line = "tidemark";
  for (const auto& a : args) line += " " + a;
  Context ctx{found->name,
              std::vector<std::string>(args.begin() + static_cast<long>(words), args.end()),
              out,
              err,
              &out == &std::cout && isatty(STDOUT_FILENO),
              line};
  try {
    return found->run(ctx);
  } catch (const std::exception& e) {
    err << "tidemark " << found->name << ": internal error: " << e.what() << "\n";
    return 1;
  }
}

int Run(int argc, char** argv) {
  PrepareConsole();
  const std::vector<std::string> words = Utf8Arguments(argc, argv);
  std::vector<const char*> pointers;
  for (const auto& w : words) pointers.push_back(w.c_str());
  return Run(static_cast<int>(pointers.size()), pointers.data(), std::cout, std::cerr);
}

}  // namespace tidemark::commands
