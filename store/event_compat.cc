// Typed event fields, with the fallback for journals written before them.
#include "store/event_compat.h"

#include <charconv>
#include <string>

namespace tidemark::store {
namespace {

// The one fallback for action positions: "<kind>@<index within step>".
std::optional<int> ActionIndex(const std::optional<ActionPosition>& position,
                               const std::string& label) {
  if (position) return static_cast<int>(position->action);
  const auto at = label.rfind('@');
  if (at == std::string::npos) return std::nullopt;
  int index = 0;
  const char* end = label.data() + label.size();
  auto [ptr, ec] = std::from_chars(label.data() + at + 1, end, index);
  if (ec != std::errc() || ptr != end || index < 0) return std::nullopt;
  return index;
}

}  // namespace

RunKind KindOfRun(const RunStarted& started) {
  if (started.kind) return *started.kind;
  return started.plan_name == "rollback" ? RunKind::kRollback : RunKind::kApply;
}

std::optional<int> ActionIndexOf(const Intent& intent) {
  return ActionIndex(intent.position, intent.action);
}

std::optional<int> ActionIndexOf(const Noop& noop) {
  return ActionIndex(noop.position, noop.action);
}

}  // namespace tidemark::store
