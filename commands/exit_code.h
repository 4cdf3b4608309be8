// ExitCode: the CLI's policy mapping a Status to the process exit code of
// DESIGN.md §7 (0 ok, 1 failed, 2 bad input, 3 conflict, 4 run stopped,
// 5 locked, 6 journal integrity). Only commands/ decides exit codes.
#pragma once

#include "store/status.h"

namespace tidemark::commands {

int ExitCode(const Status& s);

}  // namespace tidemark::commands
