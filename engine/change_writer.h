// ChangeWriter: the Apply protocol of DESIGN.md §5 for one resource change —
// read before; noop if already there; intent (synced); compare-and-set write;
// read back; applied (synced) — and the Resume table for an intent without an
// outcome. Shared by apply, resume and rollback (reverse actions carry
// `reverses`).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "engine/state.h"
#include "engine/target_set.h"
#include "store/event_log.h"
#include "store/secret_policy.h"

namespace tidemark::engine {

struct Change {
  Resource resource;
  Value after;
  std::optional<std::string> after_content;  // files: the new bytes
  // The live value when the caller has just read it (the before phase);
  // unset: Apply reads it. Files: `before_content` holds the bytes it hashes.
  std::optional<Value> before;
  std::optional<std::string> before_content;
  std::string action;                         // kind: "registry.set", "rollback"
  std::optional<ActionPosition> position;     // the plan action (unset for reverse actions)
  uint64_t reverses = 0;
  bool secret = false;
  bool recursive = false;                     // registry key delete
};

// What resume could not decide alone (exit 3).
struct ConflictInfo {
  uint64_t seq = 0;  // the intent (resume) or change (rollback) in question
  Resource resource;
  Value before, after, current;
  bool secret = false;
};

enum class ResumeChoice { kNone, kAcceptCurrent, kReapply };

class ChangeWriter {
 public:
  ChangeWriter(store::EventLog& log, TargetSet& targets, std::string run)
      : log_(log), targets_(targets), run_(std::move(run)) {}

  void set_step(std::string step) { step_ = std::move(step); }
  // The run's secret strings: every appended event is marked by this policy
  // (store/secret_policy.h) before it is written.
  void set_secrets(store::SecretPolicy secrets) { secrets_ = std::move(secrets); }
  const store::SecretPolicy& secrets() const { return secrets_; }
  const std::string& run() const { return run_; }
  const std::string& step() const { return step_; }

  // Appends an event of this run/step (synced). An error is indeterminate:
  // the caller stops; `resume` reconciles.
  Result<uint64_t> Append(EventBody body, const std::vector<std::string>& blobs = {});
  Result<uint64_t> AppendBatch(std::vector<EventBody> bodies, const std::vector<std::string>& blobs);
  // True once an append failed: the record itself is in doubt, so the caller
  // must append nothing more (not even `failed`) and stop.
  bool journal_failed() const { return journal_failed_; }
  // True once a change was written but could not be read back: its intent
  // has no outcome, so nothing may go on past it before resume checks it.
  bool in_doubt() const { return in_doubt_; }

  // Applies one change, reading its target once per phase: before (unless
  // `change.before` is given), compare-and-set, read back. `expected`
  // (optional) is the value the change may start from; when given and the
  // live value differs, Conflict without writing anything (rollback's
  // three-way check). Returns RunStopped after
  // recording `failed` when the write fails.
  Status Apply(const Change& change, const std::optional<Value>& expected = std::nullopt);

  // Resume table for an intent with no outcome. Conflict (and `conflict`
  // filled) when the live value is neither before nor after and no choice was given.
  Status Reconcile(const PendingIntent& pending, ResumeChoice choice, ConflictInfo* conflict);

  int applied() const { return applied_; }
  // The live value found by the last Apply (before any write).
  const Value& last_before() const { return last_before_; }
  // The value the last Apply aimed for (unset service parts filled in).
  const Value& last_after() const { return last_after_; }
  int noops() const { return noops_; }

 private:
  Status WriteAndConfirm(uint64_t intent_seq, const Resource& r, const Value& expected,
                         const Value& after, const std::optional<std::string>& content,
                         bool recursive, bool secret,
                         std::optional<Value> overwrote = std::nullopt);
  Result<std::optional<std::string>> ContentFor(const Value& v);
  // The before phase: `c.before` when given, else one read of the target
  // (files: `content` receives the bytes the value hashes).
  Status ReadBefore(const Change& c, Value& before, std::optional<std::string>& content);

  store::EventLog& log_;
  TargetSet& targets_;
  std::string run_;
  std::string step_;
  store::SecretPolicy secrets_;
  int applied_ = 0;
  int noops_ = 0;
  bool journal_failed_ = false;
  bool in_doubt_ = false;
  Value last_before_;
  Value last_after_;
};

}  // namespace tidemark::engine
