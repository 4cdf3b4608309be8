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
  const bool applied_secret = AppliedSecret(*log.value(), e->event);
  WriteEventJson(w, e.value(), common.reveal_secrets, applied_secret);
  if (common.json) {
    ctx.out << w.str() << "\n";
    return 0;
  }
  const Event& ev = e->event;
  ctx.out << "event " << ev.seq << "  " << ev.KindName() << "\n"
          << "  time       " << FormatTime(ev.time_ns) << "\n"
          << "  run        " << (ev.run.empty() ? "-" : ev.run) << "\n"
          << "  step       " << (ev.step.empty() ? "-" : ev.step) << "\n"
          << "  by         " << ev.user << "@" << ev.host << "\n"
          << "  what       " << Summarize(ev, common.reveal_secrets, applied_secret) << "\n";
  if (const Resource* r = ev.GetResource()) {
    ctx.out << "  resource   " << r->Display() << "\n"
            << "  identity   " << r->Identity() << "\n";
  }
  if (const auto* i = std::get_if<Intent>(&ev.body)) {
    ctx.out << "  before     " << ShowValue(i->before, &i->resource, i->secret, common.reveal_secrets) << "\n"
            << "  after      " << ShowValue(i->after, &i->resource, i->secret, common.reveal_secrets) << "\n"
            << "  action     " << i->action << "\n";
  }
  if (const auto* o = std::get_if<Observed>(&ev.body)) {
    ctx.out << "  before     " << ShowValue(o->before, &o->resource, o->secret, common.reveal_secrets) << "\n"
            << "  after      " << ShowValue(o->after, &o->resource, o->secret, common.reveal_secrets) << "\n";
  }
  ctx.out << "  hash       " << ToHex(e->hash) << "\n"
          << "  prev hash  " << ToHex(ev.prev_hash) << "\n";
  return 0;
}

}  // namespace tidemark::commands
