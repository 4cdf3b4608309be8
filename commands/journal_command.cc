// `tidemark journal backup DIR`: a consistent copy of the (possibly live)
// journal through a RocksDB checkpoint; the copy is opened and verified on its
// own before its head is printed, so a copy that cannot stand alone is refused.
#include <filesystem>

#include "commands/commands.h"
#include "commands/json_writer.h"
#include "store/sha256.h"

namespace tidemark::commands {

int RunJournalBackup(Context& ctx) {
  po::options_description desc("journal backup");
  std::string dest;
  desc.add_options()("dir", po::value<std::string>(&dest), "where to create the copy (must not exist)");
  po::positional_options_description pos;
  pos.add("dir", 1);
  po::variables_map vm;
  CommonOptions common;
  int code = 0;
  if (!ParseArgs(ctx, desc, pos, vm, common, "journal backup DIR", code)) return code;
  if (dest.empty()) return Fail(ctx, Status::InvalidInput("journal backup needs a DIR"));
  std::error_code ec;
  if (std::filesystem::exists(dest, ec)) {
    return Fail(ctx, Status::InvalidInput(dest + " already exists; name a new directory"));
  }
  {
    // Read-only: no writer lock, so a backup can be taken while a run goes on.
    auto log = OpenJournal(common, store::OpenMode::kReadOnly);
    if (!log.ok()) return Fail(ctx, log.status());
    Status st = log.value()->Backup(dest);
    if (!st.ok()) return Fail(ctx, st);
  }
  auto copy = store::EventLog::Open(dest, store::OpenMode::kReadOnly);
  if (!copy.ok()) return Fail(ctx, copy.status().Prefix("the copy at " + dest + " does not open"));
  auto report = copy.value()->Verify();
  if (!report.ok()) return Fail(ctx, report.status().Prefix("verifying the copy at " + dest));
  const auto& r = report.value();
  if (!r.ok) {
    ctx.err << "tidemark journal backup: the copy at " << dest << " does not verify"
            << (r.first_bad_seq ? " at seq " + std::to_string(r.first_bad_seq) : std::string())
            << ": " << r.problem << "\n";
    return 6;
  }
  if (common.json) {
    JsonWriter w;
    w.BeginObject().Field("backup", dest).Field("events", r.events).Field("head_seq", r.head.seq)
        .Field("head_hash", ToHex(r.head.hash)).EndObject();
    ctx.out << w.str() << "\n";
  } else {
    ctx.out << "journal copied to " << dest << " and verified: " << r.events << " events\n"
            << "head seq  " << r.head.seq << "\n"
            << "head hash " << ToHex(r.head.hash) << "\n";
  }
  return 0;
}

}  // namespace tidemark::commands
