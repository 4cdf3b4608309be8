// `tidemark export --format jsonl|csv [--output FILE] [--blobs]`: one flat
// record per event with stable field names (kExportFields, documented in the
// README). Raw values go out as hex with their SHA-256; file contents (blobs)
// as base64 with --blobs. CSV is RFC 4180 (CRLF, quotes doubled).
#include <fstream>
#include <map>
#include <sstream>

#include "commands/commands.h"
#include "commands/render.h"
#include "store/sha256.h"

namespace tidemark::commands {
namespace {

// The stable field names, in CSV column order.
constexpr const char* kExportFields[] = {
    "seq", "time", "kind", "run", "step", "host", "user", "hash", "prev_hash",
    "resource_kind", "resource", "resource_display", "action", "reverses", "intent_seq",
    "before_type", "before", "before_hex", "before_sha256", "before_base64",
    "after_type", "after", "after_hex", "after_sha256", "after_base64",
    "masked", "summary"};

std::string Base64(std::string_view in) {
  static const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const uint32_t n = (static_cast<uint32_t>(static_cast<uint8_t>(in[i])) << 16) |
                       (static_cast<uint32_t>(static_cast<uint8_t>(in[i + 1])) << 8) |
                       static_cast<uint8_t>(in[i + 2]);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += kAlphabet[n & 63];
  }
  if (i < in.size()) {
    uint32_t n = static_cast<uint32_t>(static_cast<uint8_t>(in[i])) << 16;
    if (i + 1 < in.size()) n |= static_cast<uint32_t>(static_cast<uint8_t>(in[i + 1])) << 8;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += i + 1 < in.size() ? kAlphabet[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::string CsvField(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

using Record = std::vector<std::pair<std::string, std::string>>;

class Exporter {
 public:
  Exporter(const store::EventLog& log, bool reveal, bool blobs) : log_(log), reveal_(reveal), blobs_(blobs) {}

  Result<Record> Build(const store::StoredEvent& se) {
    const Event& e = se.event;
    Record r;
    auto set = [&](const char* k, std::string v) { r.emplace_back(k, std::move(v)); };
    set("seq", std::to_string(e.seq));
    set("time", FormatTime(e.time_ns));
    set("kind", e.KindName());
    set("run", e.run);
    set("step", e.step);
    set("host", e.host);
    set("user", e.user);
    set("hash", ToHex(se.hash));
    set("prev_hash", ToHex(e.prev_hash));
    const Resource* res = e.GetResource();
    set("resource_kind", res ? ResourceKindName(res->kind) : "");
    set("resource", res ? res->Identity() : "");
    set("resource_display", res ? res->Display() : "");
    std::string action, reverses, intent_seq;
    const Value* before = nullptr;
    const Value* after = nullptr;
    bool secret = false;
    if (const auto* i = std::get_if<Intent>(&e.body)) {
      action = i->action;
      reverses = i->reverses ? std::to_string(i->reverses) : "";
      before = &i->before, after = &i->after, secret = i->secret;
    } else if (const auto* o = std::get_if<Observed>(&e.body)) {
      before = &o->before, after = &o->after, secret = o->secret;
    } else if (const auto* a = std::get_if<Applied>(&e.body)) {
      intent_seq = std::to_string(a->intent_seq);
      after = &a->read_back, secret = a->secret;
    } else if (const auto* f = std::get_if<Failed>(&e.body)) {
      intent_seq = std::to_string(f->intent_seq);
    } else if (const auto* n = std::get_if<Noop>(&e.body)) {
      action = n->action;
      after = &n->value, secret = n->secret;
    } else if (const auto* d = std::get_if<Decision>(&e.body)) {
      intent_seq = d->intent_seq ? std::to_string(d->intent_seq) : "";
    }
    set("action", action);
    set("reverses", reverses);
    set("intent_seq", intent_seq);
    bool masked = false;
    for (const auto& [prefix, v] : {std::pair{"before", before}, std::pair{"after", after}}) {
      TM_RETURN_IF_ERROR(AddValue(r, prefix, v, res, secret, &masked));
    }
    set("masked", masked ? "true" : "false");
    set("summary", Summarize(e, reveal_));
    return r;
  }

 private:
  Status AddValue(Record& r, const std::string& prefix, const Value* v, const Resource* res, bool secret,
                  bool* masked) {
    std::string type, shown, hex, sha, b64;
    if (v) {
      type = ValueTypeName(v->type);
      shown = store::ShowValue(*v, res, secret, reveal_);
      const bool hidden = store::IsMasked(*v, res, secret, reveal_);
      *masked = *masked || hidden;
      if (!hidden) {
        if (v->type == ValueType::kRegistry || v->type == ValueType::kBinary) {
          hex = ToHex(v->bytes);
          sha = Sha256Hex(v->bytes);
        } else if (v->type == ValueType::kFile) {
          sha = v->bytes;
          if (blobs_) {
            TM_ASSIGN_OR_RETURN(auto blob, log_.GetBlob(v->bytes));
            if (blob) b64 = Base64(*blob);
          }
        }
      }
    }
    r.emplace_back(prefix + "_type", type);
    r.emplace_back(prefix, shown);
    r.emplace_back(prefix + "_hex", hex);
    r.emplace_back(prefix + "_sha256", sha);
    r.emplace_back(prefix + "_base64", b64);
    return Status::Ok();
  }

  const store::EventLog& log_;
  bool reveal_, blobs_;
};

}  // namespace

int RunExport(Context& ctx) {
  po::options_description desc("export");
  std::string format = "jsonl", output;
  bool blobs = false;
  desc.add_options()
      ("format", po::value<std::string>(&format), "jsonl (default) or csv")
      ("output", po::value<std::string>(&output), "write to this file instead of standard output")
      ("blobs", po::bool_switch(&blobs), "include file contents as base64 (before_base64/after_base64)");
  po::positional_options_description pos;
  po::variables_map vm;
  CommonOptions common;
  int code = 0;
  if (!ParseArgs(ctx, desc, pos, vm, common, "export [--format jsonl|csv] [--output FILE] [--blobs]", code)) {
    return code;
  }
  if (format != "jsonl" && format != "csv") {
    return Fail(ctx, Status::InvalidInput("--format must be jsonl or csv, not '" + format + "'"));
  }
  auto opened = OpenJournal(common, store::OpenMode::kReadOnly);
  if (!opened.ok()) return Fail(ctx, opened.status());
  auto& log = *opened.value();
  if (log.head().seq == 0) return Fail(ctx, Status::InvalidInput("the journal is empty: nothing to export"));

  std::ostringstream buffer;
  if (format == "csv") {
    bool first = true;
    for (const char* f : kExportFields) buffer << (first ? "" : ",") << f, first = false;
    buffer << "\r\n";
  }
  Exporter exporter(log, common.reveal_secrets, blobs);
  Status failure = Status::Ok();
  uint64_t count = 0;
  Status st = log.Scan(1, 0, false, [&](const store::StoredEvent& se) {
    auto rec = exporter.Build(se);
    if (!rec.ok()) {
      failure = rec.status();
      return false;
    }
    if (format == "csv") {
      bool first = true;
      for (const auto& [k, v] : rec.value()) buffer << (first ? "" : ",") << CsvField(v), first = false;
      buffer << "\r\n";
    } else {
      JsonWriter w;
      w.BeginObject();
      for (const auto& [k, v] : rec.value()) {
        if (k == "seq" || k == "reverses" || k == "intent_seq") {
          if (v.empty()) w.Key(k).Null();
          else w.Field(k, static_cast<uint64_t>(std::stoull(v)));
        } else if (k == "masked") {
          w.Field(k, v == "true");
        } else {
          w.Field(k, v);
        }
      }
      w.EndObject();
      buffer << w.str() << "\n";
    }
    ++count;
    return true;
  });
  if (!st.ok()) return Fail(ctx, st);
  if (!failure.ok()) return Fail(ctx, failure);
  if (output.empty()) {
    ctx.out << buffer.str();
    return 0;
  }
  std::ofstream file(output, std::ios::binary | std::ios::trunc);
  file << buffer.str();
  file.close();
  if (!file) return Fail(ctx, Status::IoError("cannot write '" + output + "'"));
  ctx.err << "exported " << count << " events to " << output << "\n";
  return 0;
}

}  // namespace tidemark::commands
