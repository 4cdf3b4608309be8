// Common option parsing, error reporting and journal opening for commands.
#include "commands/command.h"

#include <cstdlib>
#include <iostream>

#include "commands/exit_code.h"
#include "store/secret_policy.h"

namespace tidemark::commands {

bool ParseArgs(Context& ctx, po::options_description& desc,
               const po::positional_options_description& positional, po::variables_map& vm,
               CommonOptions& common, const std::string& usage, int& exit_code) {
  po::options_description all("Options");
  all.add(desc);
  po::options_description shared("Common options");
  shared.add_options()
      ("journal", po::value<std::string>(), "journal directory (default: $TIDEMARK_JOURNAL or ./tidemark.journal)")
      ("json", po::bool_switch(&common.json), "machine-readable output")
      ("reveal-secrets", po::bool_switch(&common.reveal_secrets), "show secret values instead of ***")
      ("help,h", po::bool_switch(&common.help), "show this help");
  all.add(shared);
  try {
    po::store(po::command_line_parser(ctx.args).options(all).positional(positional).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    ctx.err << "tidemark " << ctx.name << ": " << e.what() << "\nusage: tidemark " << usage
            << "\n(run `tidemark " << ctx.name << " --help` for details)\n";
    exit_code = 2;
    return false;
  }
  if (common.help) {
    ctx.out << "usage: tidemark " << usage << "\n\n" << all << "\n";
    exit_code = 0;
    return false;
  }
  if (vm.count("journal")) {
    common.journal = vm["journal"].as<std::string>();
  } else if (const char* env = std::getenv("TIDEMARK_JOURNAL"); env && *env) {
    common.journal = env;
  } else {
    common.journal = "tidemark.journal";
  }
  return true;
}

int Fail(Context& ctx, const Status& status) {
  ctx.err << "tidemark " << ctx.name << ": "
          << store::EscapeForTerminal(status.message(), /*keep_newlines=*/true) << "\n";
  return ExitCode(status);
}

Result<std::unique_ptr<store::EventLog>> OpenJournal(const CommonOptions& common,
                                                     store::OpenMode mode) {
  return store::EventLog::Open(common.journal, mode);
}

}  // namespace tidemark::commands
