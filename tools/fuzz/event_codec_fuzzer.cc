// libFuzzer target for the event decoder (store/event_codec.h DecodeEvent).
// Seed corpus: tools/fuzz/corpus/event_codec/; built by tools/CMakeLists.txt (# fuzz), run by tools/run-fuzz.
#include "tools/fuzz/fuzz_entry_points.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return tidemark::fuzz::FuzzEventCodec(data, size);
}
