// `tidemark note TEXT`: append an annotation event (e.g. a change ticket).
#include "commands/commands.h"
#include "commands/json_writer.h"
#include "engine/run_record.h"

namespace tidemark::commands {

int RunNote(Context& ctx) {
  po::options_description desc("note");
  std::vector<std::string> words;
  std::string run;
  desc.add_options()("text", po::value<std::vector<std::string>>(&words), "the note")
      ("run", po::value<std::string>(&run), "attach the note to this run");
  po::positional_options_description pos;
  pos.add("text", -1);
  po::variables_map vm;
  CommonOptions common;
  int code = 0;
  if (!ParseArgs(ctx, desc, pos, vm, common, "note TEXT [--run R]", code)) return code;
  std::string text;
  for (const auto& w : words) text += (text.empty() ? "" : " ") + w;
  if (text.empty()) return Fail(ctx, Status::InvalidInput("a note needs text"));
  auto log = OpenJournal(common, store::OpenMode::kWrite);
  if (!log.ok()) return Fail(ctx, log.status());
  if (!run.empty()) {
    if (Status known = engine::RequireRun(*log.value(), run); !known.ok()) return Fail(ctx, known);
  }
  Event e;
  e.run = run;
  e.body = Note{text};
  auto seq = log.value()->Append(std::move(e));
  if (!seq.ok()) return Fail(ctx, seq.status());
  if (common.json) {
    JsonWriter w;
    w.BeginObject().Field("seq", seq.value()).EndObject();
    ctx.out << w.str() << "\n";
  } else {
    ctx.out << "noted as event " << seq.value() << "\n";
  }
  return 0;
}

}  // namespace tidemark::commands
