// Snapshot-based folding, periodic and on-demand snapshot writing, and the
// byte-for-byte check of every stored snapshot against a full refold.
#include "engine/fold.h"

#include <cstdlib>

#include <spdlog/spdlog.h>

namespace tidemark::engine {

uint64_t SnapshotInterval() {
  const char* env = std::getenv("TIDEMARK_SNAPSHOT_EVERY");
  if (env == nullptr || *env == '\0') return kDefaultSnapshotEvery;
  char* end = nullptr;
  const unsigned long long n = std::strtoull(env, &end, 10);
  if (*end != '\0' || env[0] == '-') {
    spdlog::warn("TIDEMARK_SNAPSHOT_EVERY='{}' is not a whole number; using {}", env,
                 kDefaultSnapshotEvery);
    return kDefaultSnapshotEvery;
  }
  return n;
}

Result<DecodedSnapshot> ReadSnapshot(const store::EventLog& log, uint64_t seq) {
  TM_ASSIGN_OR_RETURN(auto bytes, log.GetSnapshot(seq));
  if (!bytes) return Status::NotFound("no snapshot at seq " + std::to_string(seq));
  TM_ASSIGN_OR_RETURN(DecodedSnapshot snap, StateCodec::Decode(*bytes));
  if (snap.seq != seq) {
    return Status::Corruption("it says it covers seq " + std::to_string(snap.seq));
  }
  auto event = log.Get(seq);
  if (!event.ok()) {
    if (event.status().code() == StatusCode::kNotFound) {
      return Status::Corruption("the journal has no event " + std::to_string(seq));
    }
    return event.status();
  }
  if (event->hash != snap.head_hash) {
    return Status::Corruption("its head hash is not the chain hash of event " +
                              std::to_string(seq));
  }
  return snap;
}

Result<State> FoldFromSnapshots(const store::EventLog& log, uint64_t up_to, FoldInfo* info) {
  FoldInfo local;
  FoldInfo& fi = info ? *info : local;
  fi = FoldInfo{};
  const uint64_t head = log.head().seq;
  const uint64_t point = (up_to == 0 || up_to > head) ? head : up_to;
  State state;
  TM_ASSIGN_OR_RETURN(auto seqs, log.SnapshotSeqs());
  for (auto it = seqs.rbegin(); it != seqs.rend(); ++it) {
    if (*it > point || *it == 0) continue;
    auto snap = ReadSnapshot(log, *it);
    if (!snap.ok()) {
      if (snap.status().code() == StatusCode::kIoError) return snap.status();
      const std::string why = "snapshot " + std::to_string(*it) + ": " + snap.status().message();
      spdlog::warn("ignoring {}; folding from an earlier point", why);
      fi.skipped.push_back(why);
      continue;
    }
    state = std::move(snap->state);
    fi.snapshot_seq = *it;
    break;
  }
  if (fi.snapshot_seq < point) {
    TM_RETURN_IF_ERROR(log.Scan(fi.snapshot_seq + 1, point, false,
                                [&](const store::StoredEvent& e) {
                                  state.Apply(e.event);
                                  ++fi.events_folded;
                                  return true;
                                }));
  }
  return state;
}

Result<State> FoldRun(const store::EventLog& log, const std::string& run_id) {
  TM_ASSIGN_OR_RETURN(auto seqs, log.SeqsForRun(run_id));
  if (seqs.empty()) return Status::NotFound("no run '" + run_id + "' in the journal");
  State state;
  for (uint64_t seq : seqs) {
    TM_ASSIGN_OR_RETURN(auto e, log.Get(seq));
    state.Apply(e.event);
  }
  return state;
}

Result<uint64_t> WriteSnapshot(store::EventLog& log, uint64_t seq) {
  const uint64_t point = seq == 0 ? log.head().seq : seq;
  if (point == 0) return uint64_t{0};
  TM_ASSIGN_OR_RETURN(auto event, log.Get(point));
  TM_ASSIGN_OR_RETURN(State state, FoldFromSnapshots(log, point));
  TM_RETURN_IF_ERROR(log.PutSnapshot(point, StateCodec::Encode(state, event.hash)));
  return point;
}

Result<uint64_t> MaybeSnapshot(store::EventLog& log) {
  const uint64_t every = SnapshotInterval();
  const uint64_t head = log.head().seq;
  if (every == 0 || head < every) return uint64_t{0};
  TM_ASSIGN_OR_RETURN(auto seqs, log.SnapshotSeqs());
  uint64_t newest = 0;
  for (uint64_t s : seqs) {
    if (s <= head) newest = s;
  }
  if (head / every <= newest / every) return uint64_t{0};
  return WriteSnapshot(log, head);
}

Result<std::vector<SnapshotCheck>> CheckSnapshots(const store::EventLog& log) {
  TM_ASSIGN_OR_RETURN(auto seqs, log.SnapshotSeqs());
  std::vector<SnapshotCheck> out;
  if (seqs.empty()) return out;
  State state;
  size_t next = 0;
  // Snapshots at seq 0 cannot match any event.
  while (next < seqs.size() && seqs[next] == 0) {
    out.push_back(SnapshotCheck{0, false, "a snapshot at seq 0 covers no event"});
    ++next;
  }
  auto compare = [&](uint64_t seq, const std::string& hash) -> Status {
    TM_ASSIGN_OR_RETURN(auto stored, log.GetSnapshot(seq));
    SnapshotCheck check{seq, true, ""};
    if (!stored || *stored != StateCodec::Encode(state, hash)) {
      check.ok = false;
      auto decoded = stored ? ReadSnapshot(log, seq) : Result<DecodedSnapshot>(Status::NotFound("gone"));
      check.problem = decoded.ok() ? "differs from the fold at its seq"
                                   : "unreadable (" + decoded.status().message() + ")";
    }
    out.push_back(std::move(check));
    return Status::Ok();
  };
  Status inner = Status::Ok();
  TM_RETURN_IF_ERROR(log.Scan(1, 0, false, [&](const store::StoredEvent& e) {
    state.Apply(e.event);
    while (next < seqs.size() && seqs[next] == e.event.seq) {
      inner = compare(seqs[next], e.hash);
      ++next;
      if (!inner.ok()) return false;
    }
    return next < seqs.size();
  }));
  TM_RETURN_IF_ERROR(inner);
  for (; next < seqs.size(); ++next) {
    out.push_back(SnapshotCheck{seqs[next], false, "covers a seq past the journal's head"});
  }
  return out;
}

}  // namespace tidemark::engine
