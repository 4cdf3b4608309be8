// StateCodec: engine::State <-> snapshot bytes, the image stored in the
// journal's `snapshots` CF. On disk: SHA-256 of the message (32 raw bytes) ++
// a flat Cap'n Proto `Snapshot` message (engine/state.capnp): format version,
// the seq it covers, the chain hash of that event, every resource and run.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "engine/state.h"
#include "store/status.h"

namespace tidemark::engine {

// The only snapshot format this build reads and writes.
inline constexpr uint32_t kSnapshotFormatVersion = 1;

struct DecodedSnapshot {
  uint32_t format_version = 0;
  uint64_t seq = 0;       // the last event folded into `state` (== state.seq())
  std::string head_hash;  // chain hash of event `seq` when it was written (32 raw bytes)
  State state;
};

class StateCodec {
 public:
  // Encodes `state` as a snapshot of event state.seq() whose chain hash is
  // `head_hash`. Deterministic: equal states give equal bytes, so encodings
  // can be compared. `format_version` other than the default is for tests.
  static std::string Encode(const State& state, const std::string& head_hash,
                            uint32_t format_version = kSnapshotFormatVersion);

  // Corruption when the checksum does not match or the message does not
  // decode; Unsupported for a format version other than kSnapshotFormatVersion.
  static Result<DecodedSnapshot> Decode(std::string_view bytes);
};

}  // namespace tidemark::engine
