// Event: one entry of the journal (DESIGN.md §4). A common header and a body
// that is one of the kinds below. The on-disk form is Cap'n Proto
// (store/event.capnp, see event_codec.h); this is the in-memory form.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "store/resource.h"
#include "store/value.h"

namespace tidemark {

// What a run does. Absent in journals written before the field existed
// (store/event_compat.h reads those).
enum class RunKind : uint8_t { kApply = 1, kRollback = 2 };

// Where a plan action sits: step index in the plan, action index in the step.
struct ActionPosition {
  uint32_t step = 0;
  uint32_t action = 0;
  friend bool operator==(const ActionPosition&, const ActionPosition&) = default;
};

struct RunStarted {
  std::string plan_name;
  std::string plan_path;
  std::string plan_sha256;  // hex; the plan text is a blob under this hash
  std::vector<std::pair<std::string, std::string>> parameters;  // bound values
  std::string env_path;
  std::string env_sha256;   // hex; the environment text is a blob under this hash
  std::string command_line;
  std::vector<std::string> secret_parameters;  // names declared {secret: true}
  std::optional<RunKind> kind = std::nullopt;  // absent in older journals
};
struct RunFinished {};
struct RunFailed {
  std::string error;
};
struct StepStarted {
  std::string title;
  std::string action_kinds;  // e.g. "registry.set, service.stop"
};
struct StepFinished {};
struct StepFailed {
  std::string error;
};
struct StepSkipped {
  std::string reason;
};
// Written and synced before the change is made.
struct Intent {
  Resource resource;
  Value before;
  Value after;
  std::string action;     // kind of the plan action that caused it, e.g. "registry.set"
  uint64_t reverses = 0;  // rollback: seq of the change this reverses (0 = none)
  bool secret = false;    // shown as *** unless --reveal-secrets
  // The plan action (absent: a reverse action, or an older journal).
  std::optional<ActionPosition> position = std::nullopt;
};
struct Applied {
  uint64_t intent_seq = 0;
  Resource resource;
  Value read_back;
  bool recovered = false;  // found already done by resume
  bool secret = false;     // shown as *** unless --reveal-secrets
  // resume --reapply: the value found (someone else's) and overwritten, which
  // is then the change's before (what rollback puts back).
  std::optional<Value> overwrote = std::nullopt;
};
struct Failed {
  uint64_t intent_seq = 0;
  Resource resource;
  std::string error;
};
struct Noop {
  Resource resource;
  Value value;
  std::string action;
  bool secret = false;
  std::optional<ActionPosition> position = std::nullopt;  // as in Intent
};
// A change found by scanning watched resources around an opaque step.
struct Observed {
  Resource resource;
  Value before;
  Value after;
  bool secret = false;
};
struct BackupRecord {
  std::string database;
  std::string method;  // "sqlite-vacuum-into", "pg_dump", "sqlserver-backup"
  std::string file;
  uint64_t size = 0;
  std::string sha256;  // hex
  bool verified = false;
  friend bool operator==(const BackupRecord&, const BackupRecord&) = default;
};
struct Checkpoint {
  std::string name;
  uint64_t snapshot_seq = 0;  // seq of the state snapshot taken (0 = none)
  std::vector<BackupRecord> backups;
};
struct RollbackStarted {
  std::string target;  // the point as the admin gave it
  uint64_t target_seq = 0;
  bool restore_databases = false;
  bool force = false;
};
struct RollbackFinished {};
struct Decision {
  uint64_t intent_seq = 0;  // or 0 for a step-level decision
  std::string choice;       // "accept-current", "reapply", "rerun-step", "step-done", "force"
  Value current;
  std::string detail;
};
struct Note {
  std::string text;
};
// Brackets an opaque action (exec, manual, checkpoint): an actionStarted with
// no actionFinished means the action was interrupted.
struct ActionStarted {
  uint32_t index = 0;      // action index within the step
  std::string kind;        // "exec", "manual", "checkpoint"
  std::string detail;      // command line, prompt or checkpoint name
  std::string scan_blob;   // SHA-256 hex of the pre-action watch scan blob ("" = none)
};
struct ActionFinished {
  uint32_t index = 0;
  int32_t exit_code = 0;
};

// An exec's program has started: which process it is, so that a tidemark
// killed while it runs can later tell whether it still runs.
struct ProcessStarted {
  uint32_t index = 0;
  int64_t pid = 0;        // also its process group on POSIX
  std::string start_id;   // process::StartIdentity of pid ("" = unknown)
};
// An exec's program has ended; written before the changes it made are
// observed, so a resume after a kill in between finishes the action itself.
struct ProcessExited {
  uint32_t index = 0;
  int32_t exit_code = 0;
  std::string failure;    // the action's failure ("" = it succeeded)
};

using EventBody =
    std::variant<RunStarted, RunFinished, RunFailed, StepStarted, StepFinished, StepFailed,
                 StepSkipped, Intent, Applied, Failed, Noop, Observed, Checkpoint,
                 RollbackStarted, RollbackFinished, Decision, Note, ActionStarted,
                 ActionFinished, ProcessStarted, ProcessExited>;

// Kind names in the order of EventBody's alternatives ("runStarted", "intent", ...).
const char* EventKindName(size_t variant_index);
// Index into EventBody for a kind name, or -1.
int EventKindIndex(std::string_view name);

struct Event {
  uint64_t seq = 0;        // assigned by EventLog::Append (1-based, gap-free)
  int64_t time_ns = 0;     // UTC nanoseconds since the epoch; set by Append when 0
  std::string run;         // run id ("" for journal-level events such as notes)
  std::string step;        // step id within the run
  std::string host;        // machine tidemark ran on
  std::string user;        // OS user who ran it
  std::string prev_hash;   // 32 raw bytes; set by Append
  EventBody body;

  const char* KindName() const { return EventKindName(body.index()); }
  // The resource this event is about, or nullptr.
  const Resource* GetResource() const;
};

}  // namespace tidemark
