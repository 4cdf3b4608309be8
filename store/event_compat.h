// Reading journals written before events carried typed fields: the run's
// kind and the plan action's position. The one place that falls back to the
// old forms (plan name "rollback", action labels like "registry.set@3").
#pragma once

#include <optional>

#include "store/event.h"

namespace tidemark::store {

// The run's kind: RunStarted::kind, or for an older journal "rollback" when
// the plan was named so (the only sign those journals give).
RunKind KindOfRun(const RunStarted& started);

// The action's index within its step: the typed position, or for an older
// journal the number after '@' in the action label. nullopt when neither
// (a reverse action, or an event not caused by a plan action).
std::optional<int> ActionIndexOf(const Intent& intent);
std::optional<int> ActionIndexOf(const Noop& noop);

}  // namespace tidemark::store
