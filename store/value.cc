// Value constructors, registry accessors, equality and display.
#include "store/value.h"

#include <cstdio>
#include <cstring>

#include "store/unicode.h"

namespace tidemark {
namespace {

std::string LittleEndian(uint64_t v, int bytes) {
  std::string out;
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
  return out;
}

uint64_t ReadLittleEndian(std::string_view s) {
  uint64_t v = 0;
  for (size_t i = s.size(); i-- > 0;) v = (v << 8) | static_cast<unsigned char>(s[i]);
  return v;
}

std::string Quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

std::string Hex(std::string_view s, size_t max) {
  static const char* kDigits = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < s.size() && i < max; ++i) {
    if (i) out.push_back(',');
    out.push_back(kDigits[static_cast<unsigned char>(s[i]) >> 4]);
    out.push_back(kDigits[static_cast<unsigned char>(s[i]) & 0xF]);
  }
  if (s.size() > max) out += ",… (" + std::to_string(s.size()) + " bytes)";
  return out;
}

}  // namespace

const char* ServiceRunName(ServiceRun r) {
  switch (r) {
    case ServiceRun::kRunning: return "running";
    case ServiceRun::kStopped: return "stopped";
    case ServiceRun::kPaused: return "paused";
    case ServiceRun::kUnknown: break;
  }
  return "unknown";
}

const char* StartTypeName(StartType t) {
  switch (t) {
    case StartType::kAuto: return "auto";
    case StartType::kManual: return "manual";
    case StartType::kDisabled: return "disabled";
    case StartType::kDelayedAuto: return "delayed-auto";
    case StartType::kUnknown: break;
  }
  return "unknown";
}

std::optional<ServiceRun> ParseServiceRun(std::string_view s) {
  if (s == "running") return ServiceRun::kRunning;
  if (s == "stopped") return ServiceRun::kStopped;
  if (s == "paused") return ServiceRun::kPaused;
  return std::nullopt;
}

std::optional<StartType> ParseStartType(std::string_view s) {
  if (s == "auto") return StartType::kAuto;
  if (s == "manual") return StartType::kManual;
  if (s == "disabled") return StartType::kDisabled;
  if (s == "delayed-auto") return StartType::kDelayedAuto;
  return std::nullopt;
}

Value Value::Registry(uint32_t reg_type, std::string raw) {
  Value v;
  v.type = ValueType::kRegistry;
  v.reg_type = reg_type;
  v.bytes = std::move(raw);
  return v;
}

Value Value::RegString(std::string_view utf8, uint32_t reg_type) {
  auto wide = Utf8ToUtf16Le(utf8);
  // Invalid UTF-8 is kept byte-for-byte widened so nothing is lost silently;
  // callers validate input text before building values.
  std::string raw = wide.ok() ? wide.value() : std::string();
  if (!wide.ok()) {
    for (char c : utf8) {
      raw.push_back(c);
      raw.push_back('\0');
    }
  }
  raw.append(2, '\0');
  return Registry(reg_type, std::move(raw));
}

Value Value::RegDword(uint32_t v) { return Registry(kRegDword, LittleEndian(v, 4)); }
Value Value::RegQword(uint64_t v) { return Registry(kRegQword, LittleEndian(v, 8)); }

Value Value::RegMulti(const std::vector<std::string>& utf8_strings) {
  std::string raw;
  for (const auto& s : utf8_strings) {
    auto wide = Utf8ToUtf16Le(s);
    if (wide.ok()) raw += wide.value();
    raw.append(2, '\0');
  }
  raw.append(2, '\0');
  return Registry(kRegMultiSz, std::move(raw));
}

Value Value::Null() {
  Value v;
  v.type = ValueType::kNull;
  return v;
}
Value Value::Integer(int64_t i) {
  Value v;
  v.type = ValueType::kInteger;
  v.integer = i;
  return v;
}
Value Value::Real(double r) {
  Value v;
  v.type = ValueType::kReal;
  v.real = r;
  return v;
}
Value Value::Text(std::string utf8) {
  Value v;
  v.type = ValueType::kText;
  v.bytes = std::move(utf8);
  return v;
}
Value Value::Binary(std::string b) {
  Value v;
  v.type = ValueType::kBinary;
  v.bytes = std::move(b);
  return v;
}
Value Value::File(std::string sha256_hex, int64_t size) {
  Value v;
  v.type = ValueType::kFile;
  v.bytes = std::move(sha256_hex);
  v.integer = size;
  return v;
}
Value Value::Service(ServiceRun run, StartType start) {
  Value v;
  v.type = ValueType::kService;
  v.run = run;
  v.start = start;
  return v;
}
Value Value::Row(std::vector<RowField> fields) {
  Value v;
  v.type = ValueType::kRow;
  v.row = std::move(fields);
  return v;
}

Value Value::Key() {
  Value v;
  v.type = ValueType::kKey;
  return v;
}

std::optional<std::string> Value::AsRegString() const {
  if (type != ValueType::kRegistry || (reg_type != kRegSz && reg_type != kRegExpandSz)) {
    return std::nullopt;
  }
  std::string_view data = bytes;
  if (data.size() % 2 != 0) return std::nullopt;
  // Windows strings usually end with one NUL; stop at the first one.
  for (size_t i = 0; i + 1 < data.size(); i += 2) {
    if (data[i] == '\0' && data[i + 1] == '\0') {
      data = data.substr(0, i);
      break;
    }
  }
  auto text = Utf16LeToUtf8(data);
  if (!text.ok()) return std::nullopt;
  return text.value();
}

std::optional<uint32_t> Value::AsRegDword() const {
  if (type != ValueType::kRegistry || reg_type != kRegDword || bytes.size() != 4) {
    return std::nullopt;
  }
  return static_cast<uint32_t>(ReadLittleEndian(bytes));
}

std::optional<uint64_t> Value::AsRegQword() const {
  if (type != ValueType::kRegistry || reg_type != kRegQword || bytes.size() != 8) {
    return std::nullopt;
  }
  return ReadLittleEndian(bytes);
}

std::optional<std::vector<std::string>> Value::AsRegMulti() const {
  if (type != ValueType::kRegistry || reg_type != kRegMultiSz || bytes.size() % 2 != 0) {
    return std::nullopt;
  }
  std::vector<std::string> out;
  size_t begin = 0;
  for (size_t i = 0; i + 1 < bytes.size(); i += 2) {
    if (bytes[i] == '\0' && bytes[i + 1] == '\0') {
      if (i == begin) break;  // empty string = end of list
      auto s = Utf16LeToUtf8(std::string_view(bytes).substr(begin, i - begin));
      if (!s.ok()) return std::nullopt;
      out.push_back(s.value());
      begin = i + 2;
    }
  }
  return out;
}

const char* ValueTypeName(ValueType t) {
  switch (t) {
    case ValueType::kAbsent: return "absent";
    case ValueType::kRegistry: return "registry";
    case ValueType::kNull: return "null";
    case ValueType::kInteger: return "integer";
    case ValueType::kReal: return "real";
    case ValueType::kText: return "text";
    case ValueType::kBinary: return "binary";
    case ValueType::kFile: return "file";
    case ValueType::kService: return "service";
    case ValueType::kKey: return "key";
    case ValueType::kRow: return "row";
  }
  return "unknown";
}

std::string RegTypeName(uint32_t reg_type) {
  switch (reg_type) {
    case kRegNone: return "REG_NONE";
    case kRegSz: return "REG_SZ";
    case kRegExpandSz: return "REG_EXPAND_SZ";
    case kRegBinary: return "REG_BINARY";
    case kRegDword: return "REG_DWORD";
    case kRegDwordBigEndian: return "REG_DWORD_BIG_ENDIAN";
    case kRegLink: return "REG_LINK";
    case kRegMultiSz: return "REG_MULTI_SZ";
    case kRegQword: return "REG_QWORD";
    default: return "hex(" + std::to_string(reg_type) + ")";
  }
}

bool operator==(const Value& a, const Value& b) {
  if (a.type != b.type) return false;
  switch (a.type) {
    case ValueType::kAbsent:
    case ValueType::kNull:
    case ValueType::kKey: return true;
    case ValueType::kRegistry: return a.reg_type == b.reg_type && a.bytes == b.bytes;
    case ValueType::kInteger: return a.integer == b.integer;
    case ValueType::kReal: return std::memcmp(&a.real, &b.real, sizeof(double)) == 0;
    case ValueType::kText:
    case ValueType::kBinary: return a.bytes == b.bytes;
    case ValueType::kFile: return a.bytes == b.bytes && a.integer == b.integer;
    case ValueType::kService: return a.run == b.run && a.start == b.start;
    case ValueType::kRow: return a.row == b.row;
  }
  return false;
}

std::string Value::ToDisplay() const {
  switch (type) {
    case ValueType::kAbsent: return "<absent>";
    case ValueType::kNull: return "NULL";
    case ValueType::kKey: return "<key>";
    case ValueType::kInteger: return std::to_string(integer);
    case ValueType::kReal: {
      char buf[64];
      std::snprintf(buf, sizeof buf, "%.17g", real);
      return buf;
    }
    case ValueType::kText: return Quote(bytes);
    case ValueType::kBinary: return "x'" + Hex(bytes, 32) + "'";
    case ValueType::kFile:
      return "file sha256:" + bytes.substr(0, 12) + "… (" + std::to_string(integer) + " bytes)";
    case ValueType::kService:
      return std::string(ServiceRunName(run)) + "/" + StartTypeName(start);
    case ValueType::kRow: {
      std::string out = "row(";
      for (size_t i = 0; i < row.size(); ++i) {
        out += (i ? ", " : "") + row[i].column + "=" + row[i].value.ToDisplay();
      }
      return out + ")";
    }
    case ValueType::kRegistry: {
      if (auto s = AsRegString()) return RegTypeName(reg_type) + " " + Quote(*s);
      if (auto d = AsRegDword()) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "REG_DWORD 0x%08x (%u)", *d, *d);
        return buf;
      }
      if (auto q = AsRegQword()) {
        return "REG_QWORD " + std::to_string(*q);
      }
      if (auto m = AsRegMulti()) {
        std::string out = "REG_MULTI_SZ [";
        for (size_t i = 0; i < m->size(); ++i) out += (i ? ", " : "") + Quote((*m)[i]);
        return out + "]";
      }
      return RegTypeName(reg_type) + " " + Hex(bytes, 32);
    }
  }
  return "?";
}

}  // namespace tidemark
