// UTF-8 / UTF-16LE conversion and ASCII case folding.
#include "store/unicode.h"

#include <cstdint>

namespace tidemark {
namespace {

// Decodes one code point at s[i]; returns false on malformed input.
bool NextUtf8(std::string_view s, size_t& i, uint32_t& cp) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  int len;
  if (b0 < 0x80) {
    cp = b0;
    len = 1;
  } else if ((b0 & 0xE0) == 0xC0) {
    cp = b0 & 0x1Fu;
    len = 2;
  } else if ((b0 & 0xF0) == 0xE0) {
    cp = b0 & 0x0Fu;
    len = 3;
  } else if ((b0 & 0xF8) == 0xF0) {
    cp = b0 & 0x07u;
    len = 4;
  } else {
    return false;
  }
  if (i + static_cast<size_t>(len) > s.size()) return false;
  for (int k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(s[i + static_cast<size_t>(k)]);
    if ((b & 0xC0) != 0x80) return false;
    cp = (cp << 6) | (b & 0x3Fu);
  }
  // Reject overlong forms, surrogates and out-of-range code points.
  static constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
  i += static_cast<size_t>(len);
  return true;
}

void PutUtf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

void PutUnit(std::string& out, uint32_t u) {
  out.push_back(static_cast<char>(u & 0xFF));
  out.push_back(static_cast<char>((u >> 8) & 0xFF));
}

}  // namespace

bool IsValidUtf8(std::string_view s) {
  size_t i = 0;
  uint32_t cp;
  while (i < s.size()) {
    if (!NextUtf8(s, i, cp)) return false;
  }
  return true;
}

Result<std::string> Utf8ToUtf16Le(std::string_view utf8) {
  std::string out;
  out.reserve(utf8.size() * 2);
  size_t i = 0;
  uint32_t cp;
  while (i < utf8.size()) {
    const size_t at = i;
    if (!NextUtf8(utf8, i, cp)) {
      return Status::InvalidInput("invalid UTF-8 at byte " + std::to_string(at));
    }
    if (cp >= 0x10000) {
      cp -= 0x10000;
      PutUnit(out, 0xD800 + (cp >> 10));
      PutUnit(out, 0xDC00 + (cp & 0x3FF));
    } else {
      PutUnit(out, cp);
    }
  }
  return out;
}

Result<std::string> Utf16LeToUtf8(std::string_view s) {
  if (s.size() % 2 != 0) return Status::InvalidInput("UTF-16 data has an odd number of bytes");
  std::string out;
  out.reserve(s.size() / 2);
  for (size_t i = 0; i < s.size(); i += 2) {
    uint32_t u = static_cast<unsigned char>(s[i]) |
                 (static_cast<uint32_t>(static_cast<unsigned char>(s[i + 1])) << 8);
    if (u >= 0xD800 && u <= 0xDBFF) {
      if (i + 3 >= s.size()) {
        return Status::InvalidInput("unpaired UTF-16 surrogate at byte " + std::to_string(i));
      }
      uint32_t lo = static_cast<unsigned char>(s[i + 2]) |
                    (static_cast<uint32_t>(static_cast<unsigned char>(s[i + 3])) << 8);
      if (lo < 0xDC00 || lo > 0xDFFF) {
        return Status::InvalidInput("unpaired UTF-16 surrogate at byte " + std::to_string(i));
      }
      u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
      i += 2;
    } else if (u >= 0xDC00 && u <= 0xDFFF) {
      return Status::InvalidInput("unpaired UTF-16 surrogate at byte " + std::to_string(i));
    }
    PutUtf8(out, u);
  }
  return out;
}

std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

}  // namespace tidemark
