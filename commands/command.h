// The shape every subcommand shares: a Context with its arguments and output
// streams, the common options (--journal, --json, --reveal-secrets, --help),
// and helpers to open the journal and report a Status as an exit code.
#pragma once

#include <boost/program_options.hpp>

#include <filesystem>
#include <iosfwd>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "store/event_log.h"
#include "store/status.h"

namespace tidemark::commands {

namespace po = boost::program_options;

struct Context {
  std::string name;                 // the subcommand
  std::vector<std::string> args;    // arguments after the subcommand
  std::ostream& out;
  std::ostream& err;
  bool terminal = false;            // out is a terminal: colour and progress allowed
  std::string command_line;         // the whole invocation, recorded in runs
};

// Options every command accepts.
struct CommonOptions {
  std::filesystem::path journal;
  bool json = false;
  bool reveal_secrets = false;
  bool help = false;
};

// Parses `ctx.args` with `desc` (+ the common options) and `positional`.
// Returns false after printing help (exit 0) or a usage error (exit 2), with
// `exit_code` set.
bool ParseArgs(Context& ctx, po::options_description& desc,
               const po::positional_options_description& positional, po::variables_map& vm,
               CommonOptions& common, const std::string& usage, int& exit_code);

// Prints "tidemark <cmd>: <message>" (and hints) to err and returns the exit code.
int Fail(Context& ctx, const Status& status);

// Parses repeated --set NAME=VALUE options.
Result<std::map<std::string, std::string>> ParseSets(const std::vector<std::string>& sets);

// Opens the journal named by the options ($TIDEMARK_JOURNAL, ./tidemark.journal).
Result<std::unique_ptr<store::EventLog>> OpenJournal(const CommonOptions& common,
                                                     store::OpenMode mode);

}  // namespace tidemark::commands
