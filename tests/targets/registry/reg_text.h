// Test helpers for the registry suite: build .reg file bytes from UTF-8 text
// the way regedit stores them (UTF-16LE with BOM), and read them back.
#pragma once

#include <ostream>
#include <string>
#include <string_view>

#include "store/unicode.h"
#include "store/value.h"

namespace tidemark {
// gtest prints Values in failure messages with this.
inline void PrintTo(const Value& v, std::ostream* os) { *os << v.ToDisplay(); }
}  // namespace tidemark

namespace tidemark::targets::testing {

// UTF-8 text (use "\r\n" line ends as Windows does) → UTF-16LE bytes with BOM.
inline std::string Utf16File(std::string_view utf8) {
  return "\xFF\xFE" + Utf8ToUtf16Le(utf8).value();
}

// UTF-16LE bytes with BOM → UTF-8 text; "<not utf-16>" when it is not.
inline std::string FileText(const std::string& bytes) {
  if (bytes.size() < 2 || bytes.compare(0, 2, "\xFF\xFE") != 0) return "<not utf-16>";
  auto text = Utf16LeToUtf8(std::string_view(bytes).substr(2));
  return text.ok() ? text.value() : "<not utf-16>";
}

// UTF-8 → UTF-16LE raw registry string data with the terminating NUL.
inline std::string Wide(std::string_view utf8) {
  return Utf8ToUtf16Le(utf8).value() + std::string(2, '\0');
}

}  // namespace tidemark::targets::testing
