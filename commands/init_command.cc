// `tidemark init`: create an empty journal (owner-only directory).
#include "commands/commands.h"
#include "commands/json_writer.h"
#include "store/sha256.h"

namespace tidemark::commands {

int RunInit(Context& ctx) {
  po::options_description desc("init");
  po::positional_options_description pos;
  po::variables_map vm;
  CommonOptions common;
  int code = 0;
  if (!ParseArgs(ctx, desc, pos, vm, common, "init [--journal DIR]", code)) return code;
  const bool existed = std::filesystem::exists(common.journal / "CURRENT");
  auto log = OpenJournal(common, store::OpenMode::kCreate);
  if (!log.ok()) return Fail(ctx, log.status());
  if (common.json) {
    JsonWriter w;
    w.BeginObject().Field("journal", std::filesystem::absolute(common.journal).string())
        .Field("journal_id", log.value()->journal_id()).Field("created", !existed)
        .Field("head_seq", log.value()->head().seq).EndObject();
    ctx.out << w.str() << "\n";
  } else {
    ctx.out << (existed ? "journal already exists: " : "created journal ")
            << std::filesystem::absolute(common.journal).string() << " (id "
            << log.value()->journal_id() << ", " << log.value()->head().seq << " events)\n";
  }
  return 0;
}

}  // namespace tidemark::commands
