// Rendering of events and values, with secrets masked.
#include "commands/render.h"

#include <cstdio>
#include <ctime>

#include "store/sha256.h"
#include "store/unicode.h"

namespace tidemark::commands {
namespace {

bool ContainsIgnoreCase(const std::string& hay, const std::string& needle) {
  return AsciiLower(hay).find(AsciiLower(needle)) != std::string::npos;
}

std::string TextOf(const Value& v) {
  if (auto s = v.AsRegString()) return *s;
  if (v.type == ValueType::kText) return v.bytes;
  return "";
}

// Replaces the value part of PWD=...; / Password=...; with ***.
std::string MaskConnectionString(std::string s) {
  for (const char* key : {"pwd=", "password="}) {
    size_t pos = 0;
    const std::string k = key;
    while ((pos = AsciiLower(s).find(k, pos)) != std::string::npos) {
      const size_t start = pos + k.size();
      size_t end = s.find(';', start);
      if (end == std::string::npos) end = s.size();
      s.replace(start, end - start, "***");
      pos = start + 3;
    }
  }
  return s;
}

}  // namespace

std::string FormatTime(int64_t time_ns) {
  const std::time_t secs = static_cast<std::time_t>(time_ns / 1000000000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>((time_ns / 1000000) % 1000));
  return buf;
}

bool LooksSecret(const Resource* r, const Value& v) {
  if (r) {
    for (const char* word : {"password", "secret", "pwd", "passphrase"}) {
      if (ContainsIgnoreCase(r->name, word)) return true;
    }
  }
  const std::string text = TextOf(v);
  return ContainsIgnoreCase(text, "pwd=") || ContainsIgnoreCase(text, "password=");
}

std::string ShowValue(const Value& v, const Resource* r, bool secret, bool reveal) {
  if (reveal || v.absent()) return v.ToDisplay();
  const std::string text = TextOf(v);
  const bool name_secret = r && LooksSecret(r, Value::Absent());
  if (secret || name_secret) return "***";
  if (!text.empty() && LooksSecret(nullptr, v)) {
    Value masked = v.type == ValueType::kText ? Value::Text(MaskConnectionString(text))
                                              : Value::RegString(MaskConnectionString(text), v.reg_type);
    return masked.ToDisplay();
  }
  return v.ToDisplay();
}

bool AppliedSecret(const store::EventLog& log, const Event& e) {
  const auto* a = std::get_if<Applied>(&e.body);
  if (!a || a->intent_seq == 0) return false;
  auto intent = log.Get(a->intent_seq);
  if (!intent.ok()) return false;
  const auto* i = std::get_if<Intent>(&intent->event.body);
  return i && i->secret;
}

std::string Summarize(const Event& e, bool reveal, bool applied_secret) {
  return std::visit(
      [&](const auto& b) -> std::string {
        using T = std::decay_t<decltype(b)>;
        if constexpr (std::is_same_v<T, RunStarted>) {
          return "run started: " + b.plan_name + (b.plan_path.empty() ? "" : " (" + b.plan_path + ")");
        } else if constexpr (std::is_same_v<T, RunFinished>) {
          return "run finished";
        } else if constexpr (std::is_same_v<T, RunFailed>) {
          return "run stopped: " + b.error;
        } else if constexpr (std::is_same_v<T, StepStarted>) {
          return "step started: " + b.title;
        } else if constexpr (std::is_same_v<T, StepFinished>) {
          return "step finished";
        } else if constexpr (std::is_same_v<T, StepFailed>) {
          return "step failed: " + b.error;
        } else if constexpr (std::is_same_v<T, StepSkipped>) {
          return "step skipped: " + b.reason;
        } else if constexpr (std::is_same_v<T, Intent>) {
          return std::string(b.reverses ? "reverse " : "") + b.resource.Display() + ": " +
                 ShowValue(b.before, &b.resource, b.secret, reveal) + " → " +
                 ShowValue(b.after, &b.resource, b.secret, reveal) +
                 (b.reverses ? " (undoes #" + std::to_string(b.reverses) + ")" : "");
        } else if constexpr (std::is_same_v<T, Applied>) {
          return b.resource.Display() + " = " + ShowValue(b.read_back, &b.resource, applied_secret, reveal) +
                 " (intent #" + std::to_string(b.intent_seq) + (b.recovered ? ", recovered" : "") + ")";
        } else if constexpr (std::is_same_v<T, Failed>) {
          return b.resource.Display() + ": " + b.error + " (intent #" + std::to_string(b.intent_seq) + ")";
        } else if constexpr (std::is_same_v<T, Noop>) {
          return b.resource.Display() + " already " + ShowValue(b.value, &b.resource, b.secret, reveal);
        } else if constexpr (std::is_same_v<T, Observed>) {
          return b.resource.Display() + ": " + ShowValue(b.before, &b.resource, b.secret, reveal) +
                 " → " + ShowValue(b.after, &b.resource, b.secret, reveal);
        } else if constexpr (std::is_same_v<T, Checkpoint>) {
          std::string s = "checkpoint '" + b.name + "'";
          for (const auto& k : b.backups) {
            s += "; " + k.database + " → " + k.file + " (" + std::to_string(k.size) + " bytes" +
                 (k.verified ? ", verified" : "") + ")";
          }
          return s;
        } else if constexpr (std::is_same_v<T, RollbackStarted>) {
          return "rollback to " + b.target + " (after seq " + std::to_string(b.target_seq) + ")" +
                 (b.restore_databases ? ", restoring databases" : "") + (b.force ? ", forced" : "");
        } else if constexpr (std::is_same_v<T, RollbackFinished>) {
          return "rollback finished";
        } else if constexpr (std::is_same_v<T, Decision>) {
          return "decision " + b.choice + (b.intent_seq ? " on intent #" + std::to_string(b.intent_seq) : "") +
                 (b.detail.empty() ? "" : ": " + b.detail);
        } else if constexpr (std::is_same_v<T, Note>) {
          return "note: " + b.text;
        } else if constexpr (std::is_same_v<T, ActionStarted>) {
          return b.kind + " started: " + b.detail;
        } else if constexpr (std::is_same_v<T, ActionFinished>) {
          return "action finished (exit " + std::to_string(b.exit_code) + ")";
        }
      },
      e.body);
}

void WriteResourceJson(JsonWriter& w, const Resource& r) {
  w.BeginObject()
      .Field("kind", ResourceKindName(r.kind))
      .Field("identity", r.Identity())
      .Field("display", r.Display());
  if (!r.host.empty()) w.Field("host", r.host);
  if (!r.database.empty()) w.Field("database", r.database);
  if (!r.path.empty()) w.Field("path", r.path);
  if (!r.name.empty() || r.kind == ResourceKind::kRegistryValue) w.Field("name", r.name);
  if (!r.key.empty()) {
    w.Key("key").BeginObject();
    for (const auto& k : r.key) {
      w.Key(k.column);
      WriteValueJson(w, k.value, nullptr, false, true);
    }
    w.EndObject();
  }
  w.EndObject();
}

void WriteValueJson(JsonWriter& w, const Value& v, const Resource* r, bool secret, bool reveal) {
  w.BeginObject().Field("type", ValueTypeName(v.type));
  const bool masked = !reveal && !v.absent() && (secret || (r && LooksSecret(r, Value::Absent())) ||
                                                 LooksSecret(nullptr, v));
  w.Field("display", ShowValue(v, r, secret, reveal));
  if (masked) {
    w.Field("masked", true);
    return void(w.EndObject());
  }
  switch (v.type) {
    case ValueType::kRegistry:
      w.Field("reg_type", RegTypeName(v.reg_type));
      w.Field("hex", ToHex(v.bytes));
      if (auto s = v.AsRegString()) w.Field("text", *s);
      if (auto d = v.AsRegDword()) w.Field("number", static_cast<uint64_t>(*d));
      if (auto q = v.AsRegQword()) w.Field("number", *q);
      if (auto m = v.AsRegMulti()) {
        w.Key("strings").BeginArray();
        for (const auto& s : *m) w.String(s);
        w.EndArray();
      }
      break;
    case ValueType::kInteger: w.Field("integer", v.integer); break;
    case ValueType::kReal: w.Key("real").Double(v.real); break;
    case ValueType::kText: w.Field("text", v.bytes); break;
    case ValueType::kBinary: w.Field("hex", ToHex(v.bytes)).Field("sha256", Sha256Hex(v.bytes)); break;
    case ValueType::kFile: w.Field("sha256", v.bytes).Field("size", v.integer); break;
    case ValueType::kService:
      w.Field("state", ServiceRunName(v.run)).Field("start", StartTypeName(v.start));
      break;
    case ValueType::kRow:
      w.Key("row").BeginObject();
      for (const auto& f : v.row) {
        w.Key(f.column);
        WriteValueJson(w, f.value, nullptr, secret, reveal);
      }
      w.EndObject();
      break;
    default: break;
  }
  w.EndObject();
}

void WriteEventJson(JsonWriter& w, const store::StoredEvent& se, bool reveal, bool applied_secret) {
  const Event& e = se.event;
  w.BeginObject()
      .Field("seq", e.seq)
      .Field("time", FormatTime(e.time_ns))
      .Field("kind", e.KindName())
      .Field("run", e.run)
      .Field("step", e.step)
      .Field("host", e.host)
      .Field("user", e.user)
      .Field("hash", ToHex(se.hash))
      .Field("prev_hash", ToHex(e.prev_hash))
      .Field("summary", Summarize(e, reveal, applied_secret));
  std::visit(
      [&](const auto& b) {
        using T = std::decay_t<decltype(b)>;
        if constexpr (std::is_same_v<T, Intent> || std::is_same_v<T, Observed>) {
          bool secret = b.secret;
          w.Key("resource");
          WriteResourceJson(w, b.resource);
          w.Key("before");
          WriteValueJson(w, b.before, &b.resource, secret, reveal);
          w.Key("after");
          WriteValueJson(w, b.after, &b.resource, secret, reveal);
          if constexpr (std::is_same_v<T, Intent>) {
            w.Field("action", b.action).Field("reverses", b.reverses);
          }
        } else if constexpr (std::is_same_v<T, Applied>) {
          w.Key("resource");
          WriteResourceJson(w, b.resource);
          w.Field("intent_seq", b.intent_seq).Field("recovered", b.recovered);
          w.Key("value");
          WriteValueJson(w, b.read_back, &b.resource, applied_secret, reveal);
        } else if constexpr (std::is_same_v<T, Failed>) {
          w.Key("resource");
          WriteResourceJson(w, b.resource);
          w.Field("intent_seq", b.intent_seq).Field("error", b.error);
        } else if constexpr (std::is_same_v<T, Noop>) {
          w.Key("resource");
          WriteResourceJson(w, b.resource);
          w.Key("value");
          WriteValueJson(w, b.value, &b.resource, b.secret, reveal);
          w.Field("action", b.action);
        } else if constexpr (std::is_same_v<T, RunStarted>) {
          w.Field("plan_name", b.plan_name).Field("plan_path", b.plan_path)
              .Field("plan_sha256", b.plan_sha256).Field("env_path", b.env_path)
              .Field("env_sha256", b.env_sha256).Field("command_line", b.command_line);
          w.Key("parameters").BeginObject();
          for (const auto& [k, v] : b.parameters) {
            Resource named;
            named.name = k;
            w.Field(k, reveal || !LooksSecret(&named, Value::Text(v)) ? v : "***");
          }
          w.EndObject();
        } else if constexpr (std::is_same_v<T, Checkpoint>) {
          w.Field("name", b.name).Field("snapshot_seq", b.snapshot_seq);
          w.Key("backups").BeginArray();
          for (const auto& k : b.backups) {
            w.BeginObject().Field("database", k.database).Field("method", k.method)
                .Field("file", k.file).Field("size", k.size).Field("sha256", k.sha256)
                .Field("verified", k.verified).EndObject();
          }
          w.EndArray();
        } else if constexpr (std::is_same_v<T, Decision>) {
          w.Field("intent_seq", b.intent_seq).Field("choice", b.choice).Field("detail", b.detail);
        } else if constexpr (std::is_same_v<T, RollbackStarted>) {
          w.Field("target", b.target).Field("target_seq", b.target_seq)
              .Field("restore_databases", b.restore_databases).Field("force", b.force);
        } else if constexpr (std::is_same_v<T, Note>) {
          w.Field("text", b.text);
        } else if constexpr (std::is_same_v<T, RunFailed> || std::is_same_v<T, StepFailed>) {
          w.Field("error", b.error);
        } else if constexpr (std::is_same_v<T, StepStarted>) {
          w.Field("title", b.title);
        } else if constexpr (std::is_same_v<T, ActionStarted>) {
          w.Field("index", static_cast<uint64_t>(b.index)).Field("action", b.kind).Field("detail", b.detail);
        } else if constexpr (std::is_same_v<T, ActionFinished>) {
          w.Field("index", static_cast<uint64_t>(b.index)).Field("exit_code", static_cast<int64_t>(b.exit_code));
        }
      },
      e.body);
  w.EndObject();
}

}  // namespace tidemark::commands
