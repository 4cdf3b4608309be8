// ResourceGlob: the pattern language of --resource and `history`: `*` any run
// of characters, `?` one character, everything else literal — backslashes of
// registry paths and the `[...]` of SQL cell names included — compared
// ASCII-case-insensitively, as resource identities are.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "store/event_log.h"

namespace tidemark::commands {

bool GlobMatches(std::string_view glob, std::string_view text);

// A resource of the journal a pattern names, by its identity or by the
// display form of its first event, with the seqs of its events.
struct MatchedResource {
  std::string identity, display;
  std::vector<uint64_t> seqs;
};
Result<std::vector<MatchedResource>> MatchResources(const store::EventLog& log, std::string_view pattern);

}  // namespace tidemark::commands
