// Rendering of events and values for people and --json readers; every value
// and free-text field goes through the secret policy (store/secret_policy.h).
#include "commands/render.h"

#include <cstdio>
#include <ctime>

#include "store/event_compat.h"
#include "store/system_info.h"
#include "store/sha256.h"
#include "store/unicode.h"

namespace tidemark::commands {
std::string FormatTime(int64_t time_ns) {
  const std::time_t secs = static_cast<std::time_t>(time_ns / 1000000000);
  const std::tm tm = store::UtcTime(secs);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>((time_ns / 1000000) % 1000));
  return buf;
}

std::string Summarize(const Event& e, bool reveal) {
  auto text = [reveal](const std::string& t) { return store::ShowText(t, reveal); };
  return std::visit(
      [&](const auto& b) -> std::string {
        using T = std::decay_t<decltype(b)>;
        if constexpr (std::is_same_v<T, RunStarted>) {
          return "run started: " + b.plan_name + (b.plan_path.empty() ? "" : " (" + b.plan_path + ")");
        } else if constexpr (std::is_same_v<T, RunFinished>) {
          return "run finished";
        } else if constexpr (std::is_same_v<T, RunFailed>) {
          return "run stopped: " + text(b.error);
        } else if constexpr (std::is_same_v<T, StepStarted>) {
          return "step started: " + text(b.title);
        } else if constexpr (std::is_same_v<T, StepFinished>) {
          return "step finished";
        } else if constexpr (std::is_same_v<T, StepFailed>) {
          return "step failed: " + text(b.error);
        } else if constexpr (std::is_same_v<T, StepSkipped>) {
          return "step skipped: " + text(b.reason);
        } else if constexpr (std::is_same_v<T, Intent>) {
          return std::string(b.reverses ? "reverse " : "") + b.resource.Display() + ": " +
                 store::ShowValue(b.before, &b.resource, b.secret, reveal) + " → " +
                 store::ShowValue(b.after, &b.resource, b.secret, reveal) +
                 (b.reverses ? " (undoes #" + std::to_string(b.reverses) + ")" : "");
        } else if constexpr (std::is_same_v<T, Applied>) {
          return b.resource.Display() + " = " + store::ShowValue(b.read_back, &b.resource, b.secret, reveal) +
                 " (intent #" + std::to_string(b.intent_seq) + (b.recovered ? ", recovered" : "") +
                 (b.overwrote ? ", overwrote " + store::ShowValue(*b.overwrote, &b.resource, b.secret, reveal) +
                                    " found on resume"
                              : "") +
                 ")";
        } else if constexpr (std::is_same_v<T, Failed>) {
          return b.resource.Display() + ": " + text(b.error) + " (intent #" + std::to_string(b.intent_seq) + ")";
        } else if constexpr (std::is_same_v<T, Noop>) {
          return b.resource.Display() + " already " + store::ShowValue(b.value, &b.resource, b.secret, reveal);
        } else if constexpr (std::is_same_v<T, Observed>) {
          return b.resource.Display() + ": " + store::ShowValue(b.before, &b.resource, b.secret, reveal) +
                 " → " + store::ShowValue(b.after, &b.resource, b.secret, reveal);
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
                 (b.detail.empty() ? "" : ": " + text(b.detail));
        } else if constexpr (std::is_same_v<T, Note>) {
          return "note: " + text(b.text);
        } else if constexpr (std::is_same_v<T, ActionStarted>) {
          return b.kind + " started: " + text(b.detail);
        } else if constexpr (std::is_same_v<T, ActionFinished>) {
          return "action finished (exit " + std::to_string(b.exit_code) + ")";
        } else if constexpr (std::is_same_v<T, ProcessStarted>) {
          return "program started (process " + std::to_string(b.pid) + ")";
        } else if constexpr (std::is_same_v<T, ProcessExited>) {
          return "program ended (exit " + std::to_string(b.exit_code) + ")" +
                 (b.failure.empty() ? "" : ": " + text(b.failure));
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
  w.Field("display", store::ShowValue(v, r, secret, reveal));
  if (store::IsMasked(v, r, secret, reveal)) {
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

namespace {

// The plan action of an intent or noop: "step_index", "action_index" (absent
// for reverse actions and in older journals).
void WritePositionJson(JsonWriter& w, const std::optional<ActionPosition>& position) {
  if (!position) return;
  w.Field("step_index", static_cast<uint64_t>(position->step))
      .Field("action_index", static_cast<uint64_t>(position->action));
}

}  // namespace

namespace {

// The fields of an event about one resource (intent, observed, applied,
// failed, noop); false for the other kinds.
template <typename T>
bool WriteChangeBodyJson(JsonWriter& w, const T& b, bool reveal) {
  if constexpr (std::is_same_v<T, Intent> || std::is_same_v<T, Observed>) {
    w.Key("resource");
    WriteResourceJson(w, b.resource);
    w.Key("before");
    WriteValueJson(w, b.before, &b.resource, b.secret, reveal);
    w.Key("after");
    WriteValueJson(w, b.after, &b.resource, b.secret, reveal);
    if constexpr (std::is_same_v<T, Intent>) {
      w.Field("action", b.action).Field("reverses", b.reverses);
      WritePositionJson(w, b.position);
    }
  } else if constexpr (std::is_same_v<T, Applied>) {
    w.Key("resource");
    WriteResourceJson(w, b.resource);
    w.Field("intent_seq", b.intent_seq).Field("recovered", b.recovered);
    w.Key("value");
    WriteValueJson(w, b.read_back, &b.resource, b.secret, reveal);
    if (b.overwrote) {
      w.Key("overwrote");
      WriteValueJson(w, *b.overwrote, &b.resource, b.secret, reveal);
    }
  } else if constexpr (std::is_same_v<T, Failed>) {
    w.Key("resource");
    WriteResourceJson(w, b.resource);
    w.Field("intent_seq", b.intent_seq).Field("error", store::ShowText(b.error, reveal));
  } else if constexpr (std::is_same_v<T, Noop>) {
    w.Key("resource");
    WriteResourceJson(w, b.resource);
    w.Key("value");
    WriteValueJson(w, b.value, &b.resource, b.secret, reveal);
    w.Field("action", b.action);
    WritePositionJson(w, b.position);
  } else {
    return false;
  }
  return true;
}

// The fields of the run, step, checkpoint and note events.
template <typename T>
void WriteRunBodyJson(JsonWriter& w, const T& b, bool reveal) {
  if constexpr (std::is_same_v<T, RunStarted>) {
    w.Field("run_kind",
            store::KindOfRun(b) == RunKind::kRollback ? "rollback" : "apply");
    w.Field("plan_name", b.plan_name).Field("plan_path", b.plan_path)
        .Field("plan_sha256", b.plan_sha256).Field("env_path", b.env_path)
        .Field("env_sha256", b.env_sha256)
        .Field("command_line", store::ShowText(b.command_line, reveal));
    w.Key("parameters").BeginObject();
    for (const auto& [k, v] : b.parameters) {
      w.Field(k, store::ShowParameter(k, v, store::IsSecretParameter(b, k), reveal));
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
    w.Field("intent_seq", b.intent_seq).Field("choice", b.choice)
        .Field("detail", store::ShowText(b.detail, reveal));
  } else if constexpr (std::is_same_v<T, RollbackStarted>) {
    w.Field("target", b.target).Field("target_seq", b.target_seq)
        .Field("restore_databases", b.restore_databases).Field("force", b.force);
  } else if constexpr (std::is_same_v<T, Note>) {
    w.Field("text", store::ShowText(b.text, reveal));
  } else if constexpr (std::is_same_v<T, RunFailed> || std::is_same_v<T, StepFailed>) {
    w.Field("error", store::ShowText(b.error, reveal));
  } else if constexpr (std::is_same_v<T, StepStarted>) {
    w.Field("title", store::ShowText(b.title, reveal));
  } else if constexpr (std::is_same_v<T, ActionStarted>) {
    w.Field("index", static_cast<uint64_t>(b.index)).Field("action", b.kind)
        .Field("detail", store::ShowText(b.detail, reveal));
  } else if constexpr (std::is_same_v<T, ActionFinished>) {
    w.Field("index", static_cast<uint64_t>(b.index)).Field("exit_code", static_cast<int64_t>(b.exit_code));
  } else if constexpr (std::is_same_v<T, ProcessStarted>) {
    w.Field("index", static_cast<uint64_t>(b.index)).Field("pid", b.pid)
        .Field("start_id", b.start_id);
  } else if constexpr (std::is_same_v<T, ProcessExited>) {
    w.Field("index", static_cast<uint64_t>(b.index)).Field("exit_code", static_cast<int64_t>(b.exit_code))
        .Field("failure", store::ShowText(b.failure, reveal));
  }
}

}  // namespace

void WriteEventJson(JsonWriter& w, const store::StoredEvent& se, bool reveal) {
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
      .Field("summary", Summarize(e, reveal));
  std::visit(
      [&](const auto& b) {
        if (!WriteChangeBodyJson(w, b, reveal)) WriteRunBodyJson(w, b, reveal);
      },
      e.body);
  w.EndObject();
}

}  // namespace tidemark::commands
