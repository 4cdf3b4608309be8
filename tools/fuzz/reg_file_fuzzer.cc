// libFuzzer target for the .reg parser (engine/targets/reg_file.h Hive::Parse).
// Seed corpus: tools/fuzz/corpus/reg_file/; built by tools/CMakeLists.txt (# fuzz), run by tools/run-fuzz.
#include "tools/fuzz/fuzz_entry_points.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return tidemark::fuzz::FuzzRegFile(data, size);
}
