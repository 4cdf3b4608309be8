// ParseAction: one plan action (`kind: {fields}`) into its typed form,
// choosing the kind by its name (the only place a kind name is matched).
#pragma once

#include <yaml-cpp/yaml.h>

#include "engine/actions/action.h"
#include "engine/actions/field_parser.h"

namespace tidemark::engine {

// InvalidInput at file:line:column for an unknown kind (listing the known
// ones), a field the kind does not take, or a bad value.
Result<Action> ParseAction(const FieldParser& p, const YAML::Node& node, ActionPosition position);

}  // namespace tidemark::engine
