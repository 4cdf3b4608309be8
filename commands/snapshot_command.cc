// `tidemark snapshot`: write a state snapshot of the whole journal now, so
// later folds (status, state --at, diff, rollback planning) start from it.
#include "commands/commands.h"
#include "commands/json_writer.h"
#include "engine/fold.h"

namespace tidemark::commands {

int RunSnapshot(Context& ctx) {
  po::options_description desc("snapshot");
  po::positional_options_description pos;
  po::variables_map vm;
  CommonOptions common;
  int code = 0;
  if (!ParseArgs(ctx, desc, pos, vm, common, "snapshot", code)) return code;
  auto log = OpenJournal(common, store::OpenMode::kWrite);
  if (!log.ok()) return Fail(ctx, log.status());
  auto seq = engine::WriteSnapshot(*log.value());
  if (!seq.ok()) return Fail(ctx, seq.status());
  size_t bytes = 0;
  if (seq.value() != 0) {
    auto stored = log.value()->GetSnapshot(seq.value());
    if (!stored.ok()) return Fail(ctx, stored.status());
    bytes = stored.value() ? stored.value()->size() : 0;
  }
  if (common.json) {
    JsonWriter w;
    w.BeginObject().Field("seq", seq.value()).Field("bytes", static_cast<uint64_t>(bytes)).EndObject();
    ctx.out << w.str() << "\n";
  } else if (seq.value() == 0) {
    ctx.out << "the journal is empty; no snapshot written\n";
  } else {
    ctx.out << "snapshot of the state after event " << seq.value() << " written (" << bytes
            << " bytes)\n";
  }
  return 0;
}

}  // namespace tidemark::commands
