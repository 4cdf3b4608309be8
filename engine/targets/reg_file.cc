// .reg file parsing and writing (format described in reg_file.h): text
// decoding, a line parser with file:line errors and the regedit-style writer
// (files are replaced through durable_file.h).
#include "engine/targets/reg_file.h"

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>

#include "engine/targets/durable_file.h"
#include "store/unicode.h"

namespace tidemark::targets {
namespace {

constexpr size_t kNpos = static_cast<size_t>(-1);
constexpr std::string_view kHeader5 = "Windows Registry Editor Version 5.00";
constexpr std::string_view kHeader4 = "REGEDIT4";
// regedit breaks a hex list once the line reaches this many columns.
constexpr size_t kMaxHexColumns = 77;

struct Root {
  std::string_view full;
  std::string_view abbrev;
};
constexpr Root kRoots[] = {
    {"HKEY_LOCAL_MACHINE", "HKLM"}, {"HKEY_CURRENT_USER", "HKCU"},
    {"HKEY_CLASSES_ROOT", "HKCR"},  {"HKEY_USERS", "HKU"},
    {"HKEY_CURRENT_CONFIG", "HKCC"},
};

std::string_view TrimTrailingBackslashes(std::string_view p) {
  while (!p.empty() && p.back() == '\\') p.remove_suffix(1);
  return p;
}

bool IsSpace(char c) { return c == ' ' || c == '\t'; }

std::string_view TrimSpaces(std::string_view s) {
  while (!s.empty() && (IsSpace(s.front()) || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (IsSpace(s.back()) || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

bool StartsWithIgnoreCase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && EqualsIgnoreCase(s.substr(0, prefix.size()), prefix);
}

// `child` (folded) is strictly below `parent` (folded).
bool IsBelow(std::string_view child, std::string_view parent) {
  return child.size() > parent.size() && child.compare(0, parent.size(), parent) == 0 &&
         child[parent.size()] == '\\';
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string Latin1ToUtf8(std::string_view s) {
  std::string out;
  out.reserve(s.size() + s.size() / 4);
  for (char c : s) {
    const auto b = static_cast<unsigned char>(c);
    if (b < 0x80) {
      out.push_back(c);
    } else {
      out.push_back(static_cast<char>(0xC0 | (b >> 6)));
      out.push_back(static_cast<char>(0x80 | (b & 0x3F)));
    }
  }
  return out;
}

// 8-bit text (REGEDIT4 strings): UTF-8 when valid, otherwise Latin-1.
std::string EightBitToUtf16Le(std::string_view s) {
  if (IsValidUtf8(s)) {
    auto wide = Utf8ToUtf16Le(s);
    if (wide.ok()) return std::move(wide).value();
  }
  std::string out;
  out.reserve(s.size() * 2);
  for (char c : s) {
    out.push_back(c);
    out.push_back('\0');
  }
  return out;
}

// Decodes UTF-16LE (no BOM) into UTF-8, naming the line of an unpaired surrogate.
Result<std::string> DecodeUtf16(std::string_view s, const std::string& origin) {
  if (s.size() % 2 != 0) {
    return Status::InvalidInput(origin + ": UTF-16 file has an odd number of bytes (" +
                                std::to_string(s.size()) + ")");
  }
  std::string out;
  out.reserve(s.size() / 2 + 16);
  int line = 1;
  auto unit = [&](size_t i) {
    return static_cast<uint32_t>(static_cast<unsigned char>(s[i])) |
           (static_cast<uint32_t>(static_cast<unsigned char>(s[i + 1])) << 8);
  };
  for (size_t i = 0; i < s.size(); i += 2) {
    uint32_t cp = unit(i);
    if (cp < 0x80) {
      if (cp == '\n') ++line;
      out.push_back(static_cast<char>(cp));
      continue;
    }
    if (cp >= 0xD800 && cp <= 0xDFFF) {
      const uint32_t lo = i + 3 < s.size() ? unit(i + 2) : 0;
      if (cp > 0xDBFF || lo < 0xDC00 || lo > 0xDFFF) {
        return Status::InvalidInput(origin + ":" + std::to_string(line) +
                                    ": expected UTF-16 text, got an unpaired surrogate");
      }
      cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
      i += 2;
    }
    if (cp < 0x800) {
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
  return out;
}

// File bytes → UTF-8 text (see Hive::Parse for the accepted encodings).
Result<std::string> DecodeText(std::string_view bytes, const std::string& origin) {
  if (bytes.size() >= 2 && static_cast<unsigned char>(bytes[0]) == 0xFF &&
      static_cast<unsigned char>(bytes[1]) == 0xFE) {
    return DecodeUtf16(bytes.substr(2), origin);
  }
  if (bytes.size() >= 3 && bytes.compare(0, 3, "\xEF\xBB\xBF") == 0) bytes.remove_prefix(3);
  else if (bytes.size() >= 2 && bytes[0] != '\0' && bytes[1] == '\0') {
    return DecodeUtf16(bytes, origin);  // UTF-16LE without BOM
  }
  if (IsValidUtf8(bytes)) return std::string(bytes);
  return Latin1ToUtf8(bytes);
}

// Shows offending input in an error: quoted, at most 40 characters.
std::string Got(std::string_view s) {
  if (s.empty()) return "end of line";
  std::string shown(s.substr(0, 40));
  return "'" + shown + (s.size() > 40 ? "...'" : "'");
}

void AppendEscaped(std::string& out, std::string_view s) {
  for (char c : s) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '"': out += "\\\""; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      default: out.push_back(c);
    }
  }
}

// Number of UTF-16 units the UTF-8 text `s` takes (columns as regedit counts them).
size_t Columns(std::string_view s) {
  size_t n = 0;
  for (char c : s) {
    const auto b = static_cast<unsigned char>(c);
    if ((b & 0xC0) != 0x80) n += (b >= 0xF0) ? 2 : 1;
  }
  return n;
}

// REG_SZ data that regedit writes as "text": one terminating NUL, no other
// NUL, valid UTF-16, no line breaks. Returns the text, or nullopt.
std::optional<std::string> QuotableString(const Value& v) {
  const std::string& b = v.bytes;
  if (v.reg_type != kRegSz || b.size() < 2 || b.size() % 2 != 0) return std::nullopt;
  if (b[b.size() - 2] != '\0' || b[b.size() - 1] != '\0') return std::nullopt;
  for (size_t i = 0; i + 2 < b.size(); i += 2) {
    if (b[i + 1] == '\0' && (b[i] == '\0' || b[i] == '\n' || b[i] == '\r')) return std::nullopt;
  }
  auto text = Utf16LeToUtf8(std::string_view(b).substr(0, b.size() - 2));
  if (!text.ok()) return std::nullopt;
  return std::move(text).value();
}

void AppendValueLine(std::string& out, const RegValue& rv) {
  const size_t start = out.size();
  if (rv.name.empty()) {
    out += "@=";
  } else {
    out.push_back('"');
    AppendEscaped(out, rv.name);
    out += "\"=";
  }
  size_t column = Columns(std::string_view(out).substr(start));
  const Value& v = rv.value;
  if (v.absent()) {
    out += "-\r\n";
    return;
  }
  if (auto text = QuotableString(v)) {
    out.push_back('"');
    AppendEscaped(out, *text);
    out += "\"\r\n";
    return;
  }
  if (v.reg_type == kRegDword && v.bytes.size() == 4) {
    uint32_t d = 0;
    for (size_t i = 4; i-- > 0;) d = (d << 8) | static_cast<unsigned char>(v.bytes[i]);
    char buf[16];
    std::snprintf(buf, sizeof buf, "dword:%08x", d);
    out += buf;
    out += "\r\n";
    return;
  }
  char prefix[24];
  if (v.reg_type == kRegBinary) {
    std::snprintf(prefix, sizeof prefix, "hex:");
  } else {
    std::snprintf(prefix, sizeof prefix, "hex(%x):", v.reg_type);
  }
  out += prefix;
  column += std::strlen(prefix);
  static const char* kDigits = "0123456789abcdef";
  const std::string& b = v.bytes;
  for (size_t i = 0; i < b.size(); ++i) {
    const auto byte = static_cast<unsigned char>(b[i]);
    out.push_back(kDigits[byte >> 4]);
    out.push_back(kDigits[byte & 0xF]);
    if (i + 1 == b.size()) break;
    out.push_back(',');
    column += 3;
    if (column >= kMaxHexColumns) {
      out += "\\\r\n  ";
      column = 2;
    }
  }
  out += "\r\n";
}

}  // namespace

Result<std::string> CanonicalKeyPath(std::string_view path) {
  const std::string_view p = TrimTrailingBackslashes(path);
  const size_t sep = p.find('\\');
  const std::string_view root = p.substr(0, sep);
  const std::string_view rest = sep == std::string_view::npos ? std::string_view() : p.substr(sep);
  if (root.empty()) {
    return Status::InvalidInput("expected a registry key path, got '" + std::string(path) + "'");
  }
  for (const Root& r : kRoots) {
    if (EqualsIgnoreCase(root, r.full) || EqualsIgnoreCase(root, r.abbrev)) {
      return std::string(r.full) + std::string(rest);
    }
  }
  return Status::InvalidInput("unknown registry root '" + std::string(root) + "' in '" +
                              std::string(path) +
                              "' (expected HKEY_LOCAL_MACHINE, HKEY_CURRENT_USER, "
                              "HKEY_CLASSES_ROOT, HKEY_USERS, HKEY_CURRENT_CONFIG or HKLM, "
                              "HKCU, HKCR, HKU, HKCC)");
}

Result<std::string> FoldedKeyPath(std::string_view path) {
  TM_ASSIGN_OR_RETURN(std::string canonical, CanonicalKeyPath(path));
  return AsciiLower(canonical);
}

bool IsRootKeyPath(std::string_view path) {
  auto canonical = CanonicalKeyPath(path);
  return canonical.ok() && canonical->find('\\') == std::string::npos;
}

// Line parser: fills a Hive from decoded (UTF-8) text.
class RegFileParser {
 public:
  RegFileParser(std::string_view text, const std::string& origin, Hive& hive)
      : text_(text), origin_(origin), hive_(hive) {}

  Status Run() {
    std::string_view line;
    if (!NextLine(line)) return Error("header '" + std::string(kHeader5) + "'", "empty file");
    line = TrimSpaces(line);
    if (line == kHeader4) {
      regedit4_ = true;
    } else if (line != kHeader5) {
      return Error("header '" + std::string(kHeader5) + "' or 'REGEDIT4'", Got(line));
    }
    while (NextLine(line)) {
      while (!line.empty() && IsSpace(line.front())) line.remove_prefix(1);
      line = TrimSpaces(line);
      if (line.empty() || line.front() == ';' || line.front() == '#') continue;
      if (line.front() == '[') {
        TM_RETURN_IF_ERROR(ParseKeyLine(line));
      } else {
        TM_RETURN_IF_ERROR(ParseValueLine(line));
      }
    }
    return Status::Ok();
  }

 private:
  // Next physical line without its line break; false at end of text.
  bool NextLine(std::string_view& line) {
    if (pos_ >= text_.size()) return false;
    const size_t end = text_.find('\n', pos_);
    const size_t stop = end == std::string_view::npos ? text_.size() : end;
    line = text_.substr(pos_, stop - pos_);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    pos_ = stop + 1;
    ++line_no_;
    return true;
  }

  Status Error(const std::string& expected, const std::string& got) const {
    return Status::InvalidInput(origin_ + ":" + std::to_string(line_no_) + ": expected " +
                                expected + ", got " + got);
  }

  Status ParseKeyLine(std::string_view line) {
    if (line.back() != ']') return Error("']' at the end of the key line", Got(line));
    std::string_view path = line.substr(1, line.size() - 2);
    const bool deleted = !path.empty() && path.front() == '-';
    if (deleted) path.remove_prefix(1);
    path = TrimTrailingBackslashes(path);
    auto folded = FoldedKeyPath(path);
    if (!folded.ok()) return Error("a key path with a known root", Got(line));
    if (deleted) {
      hive_.RemoveSubtree(*folded, std::string(path), /*mark=*/true);
      current_ = kNpos;
      in_deleted_key_ = true;
      return Status::Ok();
    }
    in_deleted_key_ = false;
    current_ = hive_.LiveIndex(*folded);
    if (current_ == kNpos) current_ = hive_.AppendLive(std::string(path), std::move(*folded));
    return Status::Ok();
  }

  // Reads a "..." string starting at s[i] == '"'; on success i is past the closing quote.
  bool ParseQuoted(std::string_view s, size_t& i, std::string& out) {
    ++i;
    while (i < s.size()) {
      const char c = s[i++];
      if (c == '"') return true;
      if (c != '\\' || i == s.size()) {
        out.push_back(c);
        continue;
      }
      const char e = s[i++];
      switch (e) {
        case '\\': out.push_back('\\'); break;
        case '"': out.push_back('"'); break;
        case 'n': out.push_back('\n'); break;
        case 'r': out.push_back('\r'); break;
        default:  // not an escape regedit writes: keep it as text
          out.push_back('\\');
          out.push_back(e);
      }
    }
    return false;
  }

  // Only blanks or a `;` comment may follow value data.
  static bool OnlyTrailer(std::string_view rest) {
    rest = TrimSpaces(rest);
    return rest.empty() || rest.front() == ';';
  }

  Status ParseValueLine(std::string_view line) {
    if (in_deleted_key_) return Error("a key line after a [-KEY] line", Got(line));
    if (current_ == kNpos) return Error("a key line '[...]' before values", Got(line));
    size_t i = 0;
    std::string name;
    if (line[0] == '@') {
      i = 1;
    } else if (line[0] == '"') {
      if (!ParseQuoted(line, i, name)) return Error("closing '\"' of the value name", Got(line));
    } else {
      return Error("a key '[...]', a value '\"name\"=' or '@='", Got(line));
    }
    while (i < line.size() && IsSpace(line[i])) ++i;
    if (i == line.size() || line[i] != '=') return Error("'=' after the value name", Got(line.substr(i)));
    ++i;
    while (i < line.size() && IsSpace(line[i])) ++i;
    const std::string_view data = line.substr(i);
    Value value;
    if (!data.empty() && data.front() == '"') {
      size_t j = 0;
      std::string text;
      if (!ParseQuoted(data, j, text)) return Error("closing '\"' of the string", Got(data));
      if (!OnlyTrailer(data.substr(j))) return Error("end of line after the string", Got(data.substr(j)));
      auto wide = Utf8ToUtf16Le(text);
      if (!wide.ok()) return Error("UTF-8 text", "invalid bytes");
      value = Value::Registry(kRegSz, std::move(wide).value());
      value.bytes.append(2, '\0');
    } else if (TrimSpaces(data) == "-") {
      value = Value::Absent();
    } else if (StartsWithIgnoreCase(data, "dword:")) {
      std::string_view digits = TrimSpaces(data.substr(6));
      const size_t semi = digits.find(';');
      if (semi != std::string_view::npos) digits = TrimSpaces(digits.substr(0, semi));
      if (digits.empty() || digits.size() > 8) return Error("1 to 8 hex digits after dword:", Got(data));
      uint32_t d = 0;
      for (char c : digits) {
        const int h = HexDigit(c);
        if (h < 0) return Error("hex digits after dword:", Got(data));
        d = (d << 4) | static_cast<uint32_t>(h);
      }
      value = Value::RegDword(d);
    } else if (StartsWithIgnoreCase(data, "hex")) {
      TM_RETURN_IF_ERROR(ParseHex(data, value));
    } else {
      return Error("value data (\"string\", dword:, hex:, hex(N): or -)", Got(data));
    }
    hive_.SetValueAt(current_, name, std::move(value));
    return Status::Ok();
  }

  // `hex:` / `hex(N):` followed by comma-separated bytes, possibly continued
  // on following lines after a trailing backslash.
  Status ParseHex(std::string_view data, Value& value) {
    size_t i = 3;
    uint32_t type = kRegBinary;
    if (i < data.size() && data[i] == '(') {
      ++i;
      uint64_t t = 0;
      size_t digits = 0;
      while (i < data.size() && HexDigit(data[i]) >= 0) {
        t = (t << 4) | static_cast<uint64_t>(HexDigit(data[i]));
        ++i;
        ++digits;
      }
      if (digits == 0 || digits > 8 || i == data.size() || data[i] != ')') {
        return Error("hex(N) with N a hex type number", Got(data));
      }
      ++i;
      type = static_cast<uint32_t>(t);
    }
    if (i == data.size() || data[i] != ':') return Error("':' after hex type", Got(data));
    ++i;
    std::string bytes;
    std::string_view rest = data.substr(i);
    size_t k = 0;
    while (true) {
      while (k < rest.size() && IsSpace(rest[k])) ++k;
      if (k == rest.size() || rest[k] == ';') break;
      if (rest[k] == '\\') {
        if (!TrimSpaces(rest.substr(k + 1)).empty()) return Error("end of line after '\\'", Got(rest.substr(k)));
        if (!NextLine(rest)) return Error("a continuation line after '\\'", "end of file");
        k = 0;
        continue;
      }
      const int hi = HexDigit(rest[k]);
      if (hi < 0) return Error("a hex byte", Got(rest.substr(k)));
      int byte = hi;
      ++k;
      if (k < rest.size() && HexDigit(rest[k]) >= 0) byte = byte * 16 + HexDigit(rest[k++]);
      bytes.push_back(static_cast<char>(byte));
      while (k < rest.size() && IsSpace(rest[k])) ++k;
      if (k < rest.size() && rest[k] == ',') {
        ++k;
        // A trailing ',' on the last line: the file was cut inside the value.
        if (OnlyTrailer(rest.substr(k)) && pos_ >= text_.size()) {
          return Error("more hex bytes after ','", "end of file (the value is cut off)");
        }
      } else if (k < rest.size() && rest[k] != '\\' && rest[k] != ';') {
        return Error("',' between hex bytes", Got(rest.substr(k)));
      }
    }
    if (regedit4_ && (type == kRegExpandSz || type == kRegMultiSz)) {
      bytes = EightBitToUtf16Le(bytes);
    }
    value = Value::Registry(type, std::move(bytes));
    return Status::Ok();
  }

  std::string_view text_;
  size_t pos_ = 0;
  int line_no_ = 0;
  const std::string& origin_;
  Hive& hive_;
  bool regedit4_ = false;
  bool in_deleted_key_ = false;
  size_t current_ = kNpos;  // live section values go to
};

namespace {
std::atomic<uint64_t> parse_count{0};
}  // namespace

uint64_t Hive::ParseCount() { return parse_count.load(std::memory_order_relaxed); }

Result<Hive> Hive::Parse(std::string_view bytes, const std::string& origin) {
  parse_count.fetch_add(1, std::memory_order_relaxed);
  TM_ASSIGN_OR_RETURN(std::string text, DecodeText(bytes, origin));
  Hive hive;
  RegFileParser parser(text, origin, hive);
  TM_RETURN_IF_ERROR(parser.Run());
  return hive;
}

Result<Hive> Hive::Load(const std::filesystem::path& file) {
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) {
    if (ec) return Status::IoError("cannot access " + file.string() + ": " + ec.message());
    return Status::NotFound("hive file " + file.string() + " does not exist");
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) return Status::IoError("cannot open " + file.string() + ": " + std::strerror(errno));
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return Status::IoError("cannot read " + file.string());
  return Parse(ss.str(), file.string());
}

Result<std::string> Hive::Serialize() const {
  std::string text;
  size_t estimate = 64;
  for (const RegKey& k : keys_) estimate += k.path.size() + 8 + k.values.size() * 48;
  text.reserve(estimate);
  text += kHeader5;
  text += "\r\n\r\n";
  for (const RegKey& k : keys_) {
    text += k.deleted ? "[-" : "[";
    text += k.path;
    text += "]\r\n";
    for (const RegValue& v : k.values) AppendValueLine(text, v);
    text += "\r\n";
  }
  auto wide = Utf8ToUtf16Le(text);
  if (!wide.ok()) return wide.status().Prefix("cannot encode hive");
  std::string out = "\xFF\xFE";
  out += wide.value();
  return out;
}

Status Hive::Save(const std::filesystem::path& file) const {
  TM_ASSIGN_OR_RETURN(std::string bytes, Serialize());
  return ReplaceFileDurably(file, bytes);
}

size_t Hive::LiveIndex(const std::string& folded) const {
  auto it = live_.find(folded);
  return it == live_.end() ? kNpos : it->second;
}

size_t Hive::AppendLive(std::string path, std::string folded) {
  const size_t index = keys_.size();
  keys_.push_back(RegKey{std::move(path), false, {}});
  live_[folded] = index;
  folded_.push_back(std::move(folded));
  value_index_.emplace_back();
  return index;
}

void Hive::RebuildLiveIndex() {
  live_.clear();
  for (size_t i = 0; i < keys_.size(); ++i) {
    if (!keys_[i].deleted) live_[folded_[i]] = i;
  }
}

namespace {

// Whether key `a` comes before key `b` in the order `reg export` writes them:
// a key before its subkeys, sibling subkeys by name (both folded).
bool ExportsBefore(std::string_view a, std::string_view b) {
  while (true) {
    const size_t ea = a.find('\\'), eb = b.find('\\');
    const std::string_view ca = a.substr(0, ea), cb = b.substr(0, eb);
    if (ca != cb) return ca < cb;
    if (ea == std::string_view::npos || eb == std::string_view::npos) {
      return ea == std::string_view::npos && eb != std::string_view::npos;
    }
    a.remove_prefix(ea + 1);
    b.remove_prefix(eb + 1);
  }
}

}  // namespace

size_t Hive::InsertionPoint(const std::string& folded) const {
  // The nearest ancestor with sections at or under it decides: the new key
  // goes before the first of them it sorts before, else after the last.
  for (size_t cut = folded.rfind('\\'); cut != std::string::npos && cut > 0;
       cut = folded.rfind('\\', cut - 1)) {
    const std::string_view parent = std::string_view(folded).substr(0, cut);
    size_t last = kNpos;
    for (size_t i = 0; i < keys_.size(); ++i) {
      if (folded_[i] != parent && !IsBelow(folded_[i], parent)) continue;
      if (folded_[i] != parent && ExportsBefore(folded, folded_[i])) return i;
      last = i;
    }
    if (last != kNpos) return last + 1;
  }
  return keys_.size();  // nothing of its root yet: at the end
}

size_t Hive::InsertLive(std::string path, std::string folded) {
  const size_t at = InsertionPoint(folded);
  if (at == keys_.size()) return AppendLive(std::move(path), std::move(folded));
  const auto pos = static_cast<std::ptrdiff_t>(at);
  keys_.insert(keys_.begin() + pos, RegKey{std::move(path), false, {}});
  folded_.insert(folded_.begin() + pos, std::move(folded));
  value_index_.insert(value_index_.begin() + pos, std::unordered_map<std::string, size_t>());
  RebuildLiveIndex();
  return at;
}

void Hive::RemoveSubtree(const std::string& folded, std::string path, bool mark) {
  size_t first = kNpos;
  size_t out = 0;
  for (size_t i = 0; i < keys_.size(); ++i) {
    if (folded_[i] == folded || IsBelow(folded_[i], folded)) {
      if (first == kNpos) first = out;
      continue;
    }
    if (out != i) {
      keys_[out] = std::move(keys_[i]);
      folded_[out] = std::move(folded_[i]);
      value_index_[out] = std::move(value_index_[i]);
    }
    ++out;
  }
  keys_.resize(out);
  folded_.resize(out);
  value_index_.resize(out);
  if (!mark) {
    RebuildLiveIndex();
    return;
  }
  const size_t at = first == kNpos ? out : first;
  keys_.insert(keys_.begin() + static_cast<std::ptrdiff_t>(at), RegKey{std::move(path), true, {}});
  folded_.insert(folded_.begin() + static_cast<std::ptrdiff_t>(at), folded);
  value_index_.insert(value_index_.begin() + static_cast<std::ptrdiff_t>(at),
                      std::unordered_map<std::string, size_t>());
  RebuildLiveIndex();
}

void Hive::SetValueAt(size_t index, std::string_view name, Value value) {
  auto& values = keys_[index].values;
  auto [it, inserted] = value_index_[index].try_emplace(AsciiLower(name), values.size());
  if (inserted) {
    values.push_back(RegValue{std::string(name), std::move(value)});
  } else {
    values[it->second].value = std::move(value);
  }
}

Result<size_t> Hive::EnsureKey(std::string_view path) {
  TM_ASSIGN_OR_RETURN(std::string canonical, CanonicalKeyPath(path));
  if (!IsValidUtf8(canonical)) return Status::InvalidInput("key path is not valid UTF-8");
  std::string folded = AsciiLower(canonical);
  size_t index = LiveIndex(folded);
  if (index != kNpos) return index;
  // Parents below the root that do not exist yet get their own sections, as
  // reg export would list them.
  for (size_t sep = canonical.find('\\'); sep != std::string::npos;) {
    sep = canonical.find('\\', sep + 1);
    if (sep == std::string::npos) break;
    const std::string parent = canonical.substr(0, sep);
    if (!KeyExists(parent)) InsertLive(parent, AsciiLower(parent));
  }
  return InsertLive(std::move(canonical), std::move(folded));
}

const RegKey* Hive::FindKey(std::string_view path) const {
  auto folded = FoldedKeyPath(path);
  if (!folded.ok()) return nullptr;
  const size_t index = LiveIndex(*folded);
  return index == kNpos ? nullptr : &keys_[index];
}

bool Hive::KeyExists(std::string_view path) const {
  auto folded = FoldedKeyPath(path);
  if (!folded.ok()) return false;
  if (folded->find('\\') == std::string::npos) return true;  // a root
  if (LiveIndex(*folded) != kNpos) return true;
  for (size_t i = 0; i < keys_.size(); ++i) {
    if (!keys_[i].deleted && IsBelow(folded_[i], *folded)) return true;
  }
  return false;
}

Value Hive::GetValue(std::string_view path, std::string_view name) const {
  auto folded = FoldedKeyPath(path);
  if (!folded.ok()) return Value::Absent();
  const size_t index = LiveIndex(*folded);
  if (index == kNpos) return Value::Absent();
  auto it = value_index_[index].find(AsciiLower(name));
  if (it == value_index_[index].end()) return Value::Absent();
  return keys_[index].values[it->second].value;
}

bool Hive::KeyHasContent(std::string_view path) const {
  auto folded = FoldedKeyPath(path);
  if (!folded.ok()) return false;
  const size_t index = LiveIndex(*folded);
  if (index != kNpos) {
    for (const RegValue& v : keys_[index].values) {
      if (!v.value.absent()) return true;
    }
  }
  for (size_t i = 0; i < keys_.size(); ++i) {
    if (!keys_[i].deleted && IsBelow(folded_[i], *folded)) return true;
  }
  return false;
}

Status Hive::SetValue(std::string_view path, std::string_view name, const Value& value) {
  if (value.type != ValueType::kRegistry) {
    return Status::InvalidInput("expected a registry value for " + std::string(path) + "\\" +
                                std::string(name) + ", got " + ValueTypeName(value.type));
  }
  if (!IsValidUtf8(name)) return Status::InvalidInput("value name is not valid UTF-8");
  TM_ASSIGN_OR_RETURN(size_t index, EnsureKey(path));
  SetValueAt(index, name, value);
  return Status::Ok();
}

Status Hive::DeleteValue(std::string_view path, std::string_view name) {
  TM_ASSIGN_OR_RETURN(std::string folded, FoldedKeyPath(path));
  const size_t index = LiveIndex(folded);
  if (index == kNpos) return Status::Ok();
  auto it = value_index_[index].find(AsciiLower(name));
  if (it == value_index_[index].end()) return Status::Ok();
  // Gone from its key, as `reg export` would show it: no `"name"=-` line.
  auto& values = keys_[index].values;
  values.erase(values.begin() + static_cast<std::ptrdiff_t>(it->second));
  auto& names = value_index_[index];
  names.clear();
  for (size_t i = 0; i < values.size(); ++i) names.emplace(AsciiLower(values[i].name), i);
  return Status::Ok();
}

Status Hive::CreateKey(std::string_view path) {
  TM_ASSIGN_OR_RETURN(std::string canonical, CanonicalKeyPath(path));
  if (KeyExists(canonical)) return Status::Ok();
  TM_ASSIGN_OR_RETURN(size_t index, EnsureKey(canonical));
  (void)index;
  return Status::Ok();
}

Status Hive::DeleteKey(std::string_view path) {
  TM_ASSIGN_OR_RETURN(std::string canonical, CanonicalKeyPath(path));
  if (canonical.find('\\') == std::string::npos) {
    return Status::InvalidInput("refusing to delete registry root " + canonical);
  }
  if (!KeyExists(canonical)) return Status::Ok();
  std::string folded = AsciiLower(canonical);
  const size_t index = LiveIndex(folded);
  std::string spelled = index == kNpos ? canonical : keys_[index].path;
  RemoveSubtree(folded, std::move(spelled), /*mark=*/false);
  return Status::Ok();
}

}  // namespace tidemark::targets
