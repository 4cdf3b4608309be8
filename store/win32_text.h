// Win32 text helpers shared by every Windows-only file: UTF-8 <-> UTF-16
// (wchar_t) for the W functions, and the system's message for an error code.
// Windows builds only.
#pragma once
#ifdef _WIN32

#include <cstdint>
#include <string>
#include <string_view>

namespace tidemark {

// Invalid UTF-8 / unpaired surrogates become U+FFFD (these strings are names
// and messages; values are converted with the checked functions of unicode.h).
std::wstring Utf8ToWide(std::string_view utf8);
std::string WideToUtf8(std::wstring_view wide);

// "Access is denied (error 5)": FormatMessageW text without the trailing
// period and newline, then the number.
std::string Win32ErrorText(uint32_t error);

}  // namespace tidemark

#endif  // _WIN32
