// libFuzzer target for the environment parser (engine/environment.h ParseEnvironment).
// Seed corpus: tools/fuzz/corpus/environment/; built by tools/CMakeLists.txt (# fuzz), run by tools/run-fuzz.
#include "tools/fuzz/fuzz_entry_points.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return tidemark::fuzz::FuzzEnvironment(data, size);
}
