// ResourceGlob: the pattern language of --resource and `history`: `*` any run
// of characters, `?` one character, everything else literal — backslashes of
// registry paths and the `[...]` of SQL cell names included — compared
// ASCII-case-insensitively, as resource identities are.
#pragma once

#include <string_view>

namespace tidemark::commands {

bool GlobMatches(std::string_view glob, std::string_view text);

}  // namespace tidemark::commands
