// Fold from snapshots: the State at a point is the newest valid snapshot at or
// before it plus the events that follow (engine/state_codec.h holds the format).
// Also when snapshots are written (every N events, at checkpoints) and checked.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/state.h"
#include "engine/state_codec.h"
#include "store/event_log.h"

namespace tidemark::engine {

inline constexpr uint64_t kDefaultSnapshotEvery = 10000;

// N for "a snapshot every N events": $TIDEMARK_SNAPSHOT_EVERY when it is a
// whole number (0 turns periodic snapshots off), else kDefaultSnapshotEvery.
uint64_t SnapshotInterval();

// How a fold went, for tests, `state --at` diagnostics and the benchmark.
struct FoldInfo {
  uint64_t snapshot_seq = 0;          // snapshot the fold started from (0 = the start)
  uint64_t events_folded = 0;         // events applied after it
  std::vector<std::string> skipped;   // "snapshot N: why" for each snapshot passed over
};

// The stored snapshot at `seq`, validated: Corruption when it is damaged, does
// not decode, covers another seq or its head hash is not the chain hash of
// event `seq`; Unsupported for another format version; NotFound when missing.
Result<DecodedSnapshot> ReadSnapshot(const store::EventLog& log, uint64_t seq);

// The State after event `up_to` (0 or past the head = the head): starts from the
// newest valid snapshot at or before `up_to`; each invalid one is logged
// (spdlog warning), listed in info->skipped and passed over for an earlier one
// or the start — never a wrong state. Errors are read/decode errors of events.
Result<State> FoldFromSnapshots(const store::EventLog& log, uint64_t up_to = 0,
                                FoldInfo* info = nullptr);

// The State of one run's events alone (through the run index): its steps,
// in-doubt intents and checkpoints. NotFound for an unknown run; errors are
// read/decode errors of its events.
Result<State> FoldRun(const store::EventLog& log, const std::string& run_id);

// Writes the snapshot of the State after event `seq` (0 = the head), synced.
// Returns the seq written, or 0 for an empty journal (nothing written).
Result<uint64_t> WriteSnapshot(store::EventLog& log, uint64_t seq = 0);

// Called after appends (a step finished, a rollback finished): writes a
// snapshot at the head when the head has crossed a multiple of
// SnapshotInterval() since the newest snapshot. Returns the seq written or 0.
Result<uint64_t> MaybeSnapshot(store::EventLog& log);

struct SnapshotCheck {
  uint64_t seq = 0;
  bool ok = false;
  std::string problem;  // empty when ok
};

// `verify --snapshots`: refolds from the start and compares every stored
// snapshot with the encoding of the fold at its seq (byte for byte).
Result<std::vector<SnapshotCheck>> CheckSnapshots(const store::EventLog& log);

}  // namespace tidemark::engine
