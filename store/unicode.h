// UTF-8 <-> UTF-16LE conversion (registry strings and .reg files are UTF-16LE).
#pragma once

#include <string>
#include <string_view>

#include "store/status.h"

namespace tidemark {

// Encodes UTF-8 text as UTF-16LE bytes (no BOM, no terminator).
// InvalidInput when `utf8` is not valid UTF-8.
Result<std::string> Utf8ToUtf16Le(std::string_view utf8);

// Decodes UTF-16LE bytes (even length) into UTF-8. Unpaired surrogates are
// InvalidInput (a .reg file with them cannot be represented faithfully).
Result<std::string> Utf16LeToUtf8(std::string_view utf16le);

bool IsValidUtf8(std::string_view s);

// ASCII-only lower-casing, the comparison rule used for registry names,
// Windows paths and identities (non-ASCII bytes are kept as they are).
std::string AsciiLower(std::string_view s);
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

}  // namespace tidemark
