// Subcommand table and dispatch.
#include "commands/cli.h"

#include <iostream>

namespace tidemark::commands {

int Run(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
  (void)argc;
  (void)argv;
  (void)out;
  err << "tidemark: no commands yet\n";
  return 2;
}

int Run(int argc, char** argv) { return Run(argc, argv, std::cout, std::cerr); }

}  // namespace tidemark::commands
