// Event kind names and the resource accessor.
#include "store/event.h"

#include <string_view>

namespace tidemark {
namespace {
constexpr const char* kKindNames[] = {
    "runStarted", "runFinished", "runFailed",   "stepStarted",     "stepFinished",
    "stepFailed", "stepSkipped", "intent",      "applied",         "failed",
    "noop",       "observed",    "checkpoint",  "rollbackStarted", "rollbackFinished",
    "decision",   "note",        "actionStarted", "actionFinished",
    "processStarted", "processExited"};
static_assert(std::size(kKindNames) == std::variant_size_v<EventBody>);
}  // namespace

const char* EventKindName(size_t variant_index) {
  return variant_index < std::size(kKindNames) ? kKindNames[variant_index] : "unknown";
}

int EventKindIndex(std::string_view name) {
  for (size_t i = 0; i < std::size(kKindNames); ++i) {
    if (name == kKindNames[i]) return static_cast<int>(i);
  }
  return -1;
}

const Resource* Event::GetResource() const {
  if (auto* i = std::get_if<Intent>(&body)) return &i->resource;
  if (auto* a = std::get_if<Applied>(&body)) return &a->resource;
  if (auto* f = std::get_if<Failed>(&body)) return &f->resource;
  if (auto* n = std::get_if<Noop>(&body)) return &n->resource;
  if (auto* o = std::get_if<Observed>(&body)) return &o->resource;
  return nullptr;
}

}  // namespace tidemark
