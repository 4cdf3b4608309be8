// The fuzzed entry points, shared by the libFuzzer targets (tools/fuzz/*_fuzzer.cc,
// clang only) and the corpus regression test (tests/faults/fuzz_regression_test.cc,
// any compiler). Each takes arbitrary bytes, must never crash, hang or leak, and
// aborts (via TM_FUZZ_CHECK) when a round-trip property is broken.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "engine/environment.h"
#include "engine/plan.h"
#include "engine/targets/reg_file.h"
#include "store/event_codec.h"

#define TM_FUZZ_CHECK(cond)                                                  \
  do {                                                                       \
    if (!(cond)) {                                                           \
      std::fprintf(stderr, "fuzz property failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__); \
      std::abort();                                                          \
    }                                                                        \
  } while (0)

namespace tidemark::fuzz {

// .reg parser: anything it accepts serializes, parses back, and serializes
// to the same bytes.
inline int FuzzRegFile(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto hive = targets::Hive::Parse(bytes, "fuzz.reg");
  if (!hive.ok()) {
    TM_FUZZ_CHECK(!hive.status().message().empty());
    return 0;
  }
  auto first = hive->Serialize();
  if (!first.ok()) return 0;
  auto again = targets::Hive::Parse(first.value(), "fuzz-round-trip.reg");
  TM_FUZZ_CHECK(again.ok());
  auto second = again->Serialize();
  TM_FUZZ_CHECK(second.ok());
  TM_FUZZ_CHECK(second.value() == first.value());
  return 0;
}

// Plan parser without an environment (hosts and databases unchecked).
inline int FuzzPlan(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  engine::Environment env;
  auto plan = engine::ParsePlan(text, "fuzz-plan.yaml", env, {});
  if (!plan.ok()) TM_FUZZ_CHECK(!plan.status().message().empty());
  return 0;
}

// Environment parser.
inline int FuzzEnvironment(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto env = engine::ParseEnvironment(text, "fuzz-env.yaml");
  if (!env.ok()) TM_FUZZ_CHECK(!env.status().message().empty());
  return 0;
}

// Event decoder: anything it accepts encodes and decodes to the same bytes.
inline int FuzzEventCodec(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto event = store::DecodeEvent(bytes);
  if (!event.ok()) {
    TM_FUZZ_CHECK(!event.status().message().empty());
    return 0;
  }
  const std::string first = store::EncodeEvent(event.value());
  auto again = store::DecodeEvent(first);
  TM_FUZZ_CHECK(again.ok());
  TM_FUZZ_CHECK(store::EncodeEvent(again.value()) == first);
  return 0;
}

}  // namespace tidemark::fuzz
