// Value: the typed content of one resource at one moment, able to say
// *absent* (the resource did not exist), which differs from empty.
// Registry data is kept exactly as Windows stores it (type number + raw bytes,
// strings UTF-16LE with terminating NUL); helpers build and read common types.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tidemark {

// Windows registry value type numbers (winnt.h).
enum RegType : uint32_t {
  kRegNone = 0,
  kRegSz = 1,
  kRegExpandSz = 2,
  kRegBinary = 3,
  kRegDword = 4,
  kRegDwordBigEndian = 5,
  kRegLink = 6,
  kRegMultiSz = 7,
  kRegQword = 11,
};

enum class ValueType : uint8_t {
  kAbsent = 0,  // the resource does not exist
  kRegistry,    // reg_type + bytes (raw registry data)
  kNull,        // SQL NULL
  kInteger,     // SQL integer
  kReal,        // SQL floating point
  kText,        // SQL text (UTF-8)
  kBinary,      // SQL binary
  kFile,        // file content: bytes = SHA-256 (hex) of the content blob, integer = size
  kService,     // service: run state + start type
  kKey,         // a registry key that exists
  kRow,         // a full SQL row image: row = columns in table order
};

enum class ServiceRun : uint8_t { kUnknown = 0, kRunning, kStopped, kPaused };
// kDelayedAuto: Windows "Automatic (Delayed Start)". The numbers are journaled.
enum class StartType : uint8_t { kUnknown = 0, kAuto, kManual, kDisabled, kDelayedAuto };

const char* ServiceRunName(ServiceRun r);
const char* StartTypeName(StartType t);
std::optional<ServiceRun> ParseServiceRun(std::string_view s);
std::optional<StartType> ParseStartType(std::string_view s);
// The start types a plan, a definition or a backend call may name, for messages.
inline constexpr char kStartTypeChoices[] = "auto, delayed-auto, manual or disabled";

struct RowField;

struct Value {
  ValueType type = ValueType::kAbsent;
  uint32_t reg_type = 0;  // kRegistry only
  std::string bytes;      // kRegistry raw data, kText, kBinary, kFile (sha256 hex)
  int64_t integer = 0;    // kInteger; kFile: content size in bytes
  double real = 0;        // kReal
  ServiceRun run = ServiceRun::kUnknown;      // kService
  StartType start = StartType::kUnknown;      // kService
  std::vector<RowField> row;                  // kRow

  static Value Absent();
  static Value Registry(uint32_t reg_type, std::string raw);
  static Value RegString(std::string_view utf8, uint32_t reg_type = kRegSz);
  static Value RegDword(uint32_t v);
  static Value RegQword(uint64_t v);
  static Value RegMulti(const std::vector<std::string>& utf8_strings);
  static Value Null();
  static Value Integer(int64_t v);
  static Value Real(double v);
  static Value Text(std::string utf8);
  static Value Binary(std::string bytes);
  static Value File(std::string sha256_hex, int64_t size);
  static Value Service(ServiceRun run, StartType start);
  static Value Key();
  static Value Row(std::vector<RowField> fields);

  bool absent() const { return type == ValueType::kAbsent; }

  // Registry accessors: nullopt when the type does not match or data is malformed.
  std::optional<std::string> AsRegString() const;           // REG_SZ / REG_EXPAND_SZ
  std::optional<uint32_t> AsRegDword() const;
  std::optional<uint64_t> AsRegQword() const;
  std::optional<std::vector<std::string>> AsRegMulti() const;

  // A one-line human form, e.g. `REG_SZ "SERVER2"`, `dword:0x00000001`, `NULL`,
  // `'text'`, `file sha256:ab12… (1234 bytes)`, `running/auto`, `<absent>`.
  std::string ToDisplay() const;

  friend bool operator==(const Value& a, const Value& b);
  friend bool operator!=(const Value& a, const Value& b) { return !(a == b); }
};

// One column of a row image.
struct RowField {
  std::string column;
  Value value;
  friend bool operator==(const RowField& a, const RowField& b) {
    return a.column == b.column && a.value == b.value;
  }
};

inline Value Value::Absent() { return Value{}; }

const char* ValueTypeName(ValueType t);
std::string RegTypeName(uint32_t reg_type);

}  // namespace tidemark
