// Every subcommand's entry point (one file each under commands/). The table
// that names them is in cli.cc.
#pragma once

#include "commands/command.h"

namespace tidemark::commands {

int RunInit(Context& ctx);
int RunNote(Context& ctx);
int RunVerify(Context& ctx);
int RunShow(Context& ctx);
int RunLog(Context& ctx);
int RunApply(Context& ctx);
int RunResume(Context& ctx);
int RunRollback(Context& ctx);
int RunStatus(Context& ctx);
int RunPlanCheck(Context& ctx);
int RunEnvCheck(Context& ctx);
int RunDrift(Context& ctx);
int RunSnapshot(Context& ctx);
int RunJournalBackup(Context& ctx);
int RunHistory(Context& ctx);
int RunState(Context& ctx);
int RunDiff(Context& ctx);
int RunExport(Context& ctx);
int RunReport(Context& ctx);

}  // namespace tidemark::commands
