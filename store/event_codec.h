// EventCodec: Event <-> Cap'n Proto bytes (store/event.capnp), the exact bytes
// that are stored and hashed. Decoding copies the input into an 8-byte-aligned
// buffer first (RocksDB values are usually not aligned).
#pragma once

#include <string>
#include <string_view>

#include "store/event.h"
#include "store/status.h"

namespace tidemark::store {

// Serializes `e` (all header fields as given) into flat Cap'n Proto bytes.
std::string EncodeEvent(const Event& e);

// Parses bytes produced by EncodeEvent. Corruption for bytes that are not a
// valid message; Unsupported for a body kind this build does not know (a newer
// writer) — never a silently skipped event.
Result<Event> DecodeEvent(std::string_view bytes);

// Only the chain-relevant header (seq, prevHash) and whether the body kind is
// known — what Verify needs, without decoding the body.
struct EventHeader {
  uint64_t seq = 0;
  std::string prev_hash;
};
Result<EventHeader> DecodeEventHeader(std::string_view bytes);

// The same for a Value alone (used by state snapshots and scans).
std::string EncodeValue(const Value& v);
Result<Value> DecodeValue(std::string_view bytes);

}  // namespace tidemark::store
