// `tidemark show SEQ`: one event in full — header, body, before/after, hashes.
#include <cstdlib>

#include "commands/commands.h"
#include "commands/render.h"
#include "store/sha256.h"

namespace tidemark::commands {

int RunShow(Context& ctx) {
  po::options_description desc("show");
  std::string seq_text;
  desc.add_options()("seq", po::value<std::string>(&seq_text), "event sequence number");
  po::positional_options_description pos;
  pos.add("seq", 1);
  po::variables_map vm;
  CommonOptions common;
  int code = 0;
  if (!ParseArgs(ctx, desc, pos, vm, common, "show SEQ", code)) return code;
  char* end = nullptr;
  const unsigned long long seq = std::strtoull(seq_text.c_str(), &end, 10);
  if (seq_text.empty() || !end || *end != '\0' || seq == 0) {
    return Fail(ctx, Status::InvalidInput("SEQ must be a positive event number, not '" + seq_text + "'"));
  }
  auto log = OpenJournal(common, store::OpenMode::kReadOnly);
  if (!log.ok()) return Fail(ctx, log.status());
  auto e = log.value()->Get(seq);
  if (!e.ok()) return Fail(ctx, e.status());
  JsonWriter w;
  WriteEventJson(w, e.value(), common.reveal_secrets);
  if (common.json) {
    ctx.out << w.str() << "\n";
    return 0;
  }
  const Event& ev = e->event;
  const bool reveal = common.reveal_secrets;
  std::vector<std::pair<const char*, std::string>> lines = {
      {"time", FormatTime(ev.time_ns)},
      {"run", ev.run.empty() ? "-" : ev.run},
      {"step", ev.step.empty() ? "-" : ev.step},
      {"by", ev.user + "@" + ev.host},
      {"what", Summarize(ev, reveal)}};
  if (const Resource* r = ev.GetResource()) {
    lines.insert(lines.end(), {{"resource", r->Display()}, {"identity", r->Identity()}});
  }
  if (const auto* i = std::get_if<Intent>(&ev.body)) {
    lines.insert(lines.end(), {{"before", store::ShowValue(i->before, &i->resource, i->secret, reveal)},
                               {"after", store::ShowValue(i->after, &i->resource, i->secret, reveal)},
                               {"action", i->action}});
  }
  if (const auto* o = std::get_if<Observed>(&ev.body)) {
    lines.insert(lines.end(), {{"before", store::ShowValue(o->before, &o->resource, o->secret, reveal)},
                               {"after", store::ShowValue(o->after, &o->resource, o->secret, reveal)}});
  }
  lines.insert(lines.end(), {{"hash", ToHex(e->hash)}, {"prev hash", ToHex(ev.prev_hash)}});
  ctx.out << "event " << ev.seq << "  " << ev.KindName() << "\n";
  for (const auto& [label, text] : lines) {
    const std::string name = label;
    ctx.out << "  " << name << std::string(11 - name.size(), ' ') << store::EscapeForTerminal(text)
            << "\n";
  }
  return 0;
}

}  // namespace tidemark::commands
