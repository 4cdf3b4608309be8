// libFuzzer target for the plan parser (engine/plan.h ParsePlan).
// Seed corpus: tools/fuzz/corpus/plan/; built by tools/CMakeLists.txt (# fuzz), run by tools/run-fuzz.
#include "tools/fuzz/fuzz_entry_points.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return tidemark::fuzz::FuzzPlan(data, size);
}
