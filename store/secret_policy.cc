// The secret policy: password-like names, the ODBC connection-string scanner
// that finds PWD/Password values, display masking, terminal escaping, and
// the marking of events derived from secrets before they are written.
#include "store/secret_policy.h"

#include <algorithm>
#include <cstdio>
#include <optional>

#include "store/sha256.h"
#include "store/unicode.h"

namespace tidemark::store {
namespace {

constexpr std::string_view kSecretWords[] = {"password", "passwd",     "pwd",        "passphrase",
                                             "secret",   "token",      "apikey",     "api_key",
                                             "privatekey", "private_key"};

bool IsWordChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// The keyword before an `=` names a password when its last word is PWD or
// Password: `PWD`, ` Password `, `set PWD`, `user=sa password`.
bool IsPasswordKeyword(std::string_view keyword) {
  size_t end = keyword.size();
  while (end > 0 && (keyword[end - 1] == ' ' || keyword[end - 1] == '\t')) --end;
  size_t begin = end;
  while (begin > 0 && IsWordChar(keyword[begin - 1])) --begin;
  const std::string_view word = keyword.substr(begin, end - begin);
  return EqualsIgnoreCase(word, "pwd") || EqualsIgnoreCase(word, "password");
}

// Index just after the `}` closing the braced value that opens at `open`
// (`}}` inside is an escaped `}`), or npos when the brace is never closed.
size_t BracedEnd(std::string_view s, size_t open) {
  for (size_t i = open + 1; i < s.size(); ++i) {
    if (s[i] != '}') continue;
    if (i + 1 < s.size() && s[i + 1] == '}') {
      ++i;
      continue;
    }
    return i + 1;
  }
  return std::string_view::npos;
}

// End of an attribute value from `from`: the next `;` or line break.
size_t ValueEnd(std::string_view s, size_t from) {
  const size_t end = s.find_first_of(";\r\n", from);
  return end == std::string_view::npos ? s.size() : end;
}

struct Span {
  size_t begin, end;
};

// The values of PWD/Password attributes in `s`. Braced values are skipped
// whole, so a `;` or `PWD=` inside another attribute's braces is not an
// attribute; inside unbraced values scanning goes on, so `user=sa password=x`
// (space-separated forms in scripts and logs) is found too.
std::vector<Span> PasswordSpans(std::string_view s) {
  std::vector<Span> spans;
  size_t attr = 0;  // start of the current keyword
  size_t i = 0;
  while (i < s.size()) {
    const char c = s[i];
    if (c == ';' || c == '\r' || c == '\n') {
      attr = ++i;
      continue;
    }
    if (c != '=') {
      ++i;
      continue;
    }
    const bool secret = IsPasswordKeyword(s.substr(attr, i - attr));
    size_t v = i + 1;
    while (v < s.size() && (s[v] == ' ' || s[v] == '\t')) ++v;
    if (v < s.size() && s[v] == '{') {
      const size_t close = BracedEnd(s, v);
      const size_t end = close == std::string_view::npos ? s.size() : close;
      if (secret) {
        const size_t masked_end = end == s.size() ? end : ValueEnd(s, end);
        spans.push_back({v, masked_end});
        i = attr = masked_end;
      } else {
        i = attr = end;
      }
    } else if (secret) {
      const size_t end = ValueEnd(s, v);
      spans.push_back({v, end});
      i = attr = end;
    } else {
      i = attr = v;
    }
  }
  return spans;
}

// One decoded UTF-8 sequence: its code point and length, or nullopt.
std::optional<std::pair<char32_t, size_t>> DecodeUtf8(std::string_view s, size_t i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  size_t len = 0;
  char32_t cp = 0;
  if (b0 < 0x80) return std::make_pair(char32_t{b0}, size_t{1});
  if ((b0 & 0xE0) == 0xC0) len = 2, cp = b0 & 0x1F;
  else if ((b0 & 0xF0) == 0xE0) len = 3, cp = b0 & 0x0F;
  else if ((b0 & 0xF8) == 0xF0) len = 4, cp = b0 & 0x07;
  else return std::nullopt;
  if (i + len > s.size()) return std::nullopt;
  for (size_t k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) return std::nullopt;
    cp = (cp << 6) | (b & 0x3F);
  }
  static constexpr char32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return std::nullopt;
  return std::make_pair(cp, len);
}

// Code points a terminal acts on: C0, DEL, C1, and the bidi controls that
// reorder what is shown (U+200E/F, U+202A-U+202E, U+2066-U+2069).
bool IsControl(char32_t cp) {
  return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0x200E || cp == 0x200F ||
         (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

std::string EscapeCodePoint(char32_t cp) {
  switch (cp) {
    case '\n': return "\\n";
    case '\r': return "\\r";
    case '\t': return "\\t";
    default: break;
  }
  char buf[12];
  if (cp < 0x80) std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned>(cp));
  else std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(cp));
  return buf;
}

bool ResourceNameIsSecret(const Resource* r) {
  return r && (r->kind == ResourceKind::kRegistryValue || r->kind == ResourceKind::kSqlCell) &&
         IsSecretName(r->name);
}

// The text parts of a value (registry strings, SQL text, row fields).
void CollectText(const Value& v, std::vector<std::string>& out) {
  if (auto s = v.AsRegString()) out.push_back(*s);
  if (auto m = v.AsRegMulti()) out.insert(out.end(), m->begin(), m->end());
  if (v.type == ValueType::kText) out.push_back(v.bytes);
  for (const auto& f : v.row) CollectText(f.value, out);
}

bool HasMaskedPart(const Value& v) {
  if (v.type == ValueType::kRow) {
    return std::any_of(v.row.begin(), v.row.end(), [](const RowField& f) {
      return (IsSecretName(f.column) && !f.value.absent()) || HasMaskedPart(f.value);
    });
  }
  std::vector<std::string> texts;
  CollectText(v, texts);
  return std::any_of(texts.begin(), texts.end(),
                     [](const std::string& t) { return HasConnectionPassword(t); });
}

// `v` with its connection passwords and secret row columns masked.
Value MaskedCopy(const Value& v) {
  if (auto s = v.AsRegString()) return Value::RegString(MaskConnectionPasswords(*s), v.reg_type);
  if (auto m = v.AsRegMulti()) {
    for (auto& s : *m) s = MaskConnectionPasswords(s);
    return Value::RegMulti(*m);
  }
  if (v.type == ValueType::kText) return Value::Text(MaskConnectionPasswords(v.bytes));
  if (v.type != ValueType::kRow) return v;
  Value out = v;
  for (auto& f : out.row) {
    if (f.value.absent()) continue;
    f.value = IsSecretName(f.column) ? Value::Text(std::string(kMask)) : MaskedCopy(f.value);
  }
  return out;
}

}  // namespace

bool IsSecretName(std::string_view name) {
  const std::string lower = AsciiLower(name);
  return std::any_of(std::begin(kSecretWords), std::end(kSecretWords),
                     [&](std::string_view w) { return lower.find(w) != std::string::npos; });
}

bool HasConnectionPassword(std::string_view text) { return !PasswordSpans(text).empty(); }

std::string MaskConnectionPasswords(std::string_view text) {
  std::string out;
  size_t pos = 0;
  for (const Span& s : PasswordSpans(text)) {
    out.append(text.substr(pos, s.begin - pos));
    out.append(kMask);
    pos = s.end;
  }
  out.append(text.substr(pos));
  return out;
}

std::string EscapeForTerminal(std::string_view text, bool keep_newlines) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    const auto decoded = DecodeUtf8(text, i);
    if (!decoded) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned char>(text[i]));
      out += buf;
      ++i;
      continue;
    }
    const auto [cp, len] = *decoded;
    if (IsControl(cp) && !(keep_newlines && cp == '\n')) {
      out += EscapeCodePoint(cp);
    } else {
      out.append(text.substr(i, len));
    }
    i += len;
  }
  return out;
}

bool IsMasked(const Value& v, const Resource* r, bool secret, bool reveal) {
  if (reveal || v.absent()) return false;
  return secret || ResourceNameIsSecret(r) || HasMaskedPart(v);
}

std::string ShowValue(const Value& v, const Resource* r, bool secret, bool reveal) {
  if (!IsMasked(v, r, secret, reveal)) return v.ToDisplay();
  if (secret || ResourceNameIsSecret(r)) return std::string(kMask);
  return MaskedCopy(v).ToDisplay();
}

std::string ShowParameter(std::string_view name, std::string_view value, bool secret,
                          bool reveal) {
  if (reveal) return std::string(value);
  if (secret || IsSecretName(name)) return std::string(kMask);
  return MaskConnectionPasswords(value);
}

bool IsSecretParameter(const RunStarted& run, std::string_view name) {
  return IsSecretName(name) ||
         std::find(run.secret_parameters.begin(), run.secret_parameters.end(), name) !=
             run.secret_parameters.end();
}

std::string ShowText(std::string_view text, bool reveal) {
  return reveal ? std::string(text) : MaskConnectionPasswords(text);
}

// ---------------------------------------------------------------------------

SecretPolicy::SecretPolicy(std::vector<std::string> secret_strings) {
  for (auto& s : secret_strings) {
    if (!s.empty()) secrets_.push_back(std::move(s));
  }
  std::sort(secrets_.begin(), secrets_.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  secrets_.erase(std::unique(secrets_.begin(), secrets_.end()), secrets_.end());
}

bool SecretPolicy::ContainsSecret(std::string_view text) const {
  return std::any_of(secrets_.begin(), secrets_.end(), [&](const std::string& s) {
    return text.find(s) != std::string_view::npos;
  });
}

bool SecretPolicy::IsSecretValue(const Resource& r, const Value& v, std::string_view content) const {
  if (ResourceNameIsSecret(&r) && !v.absent()) return true;
  if (ContainsSecret(content)) return true;
  std::vector<std::string> texts;
  CollectText(v, texts);
  if (v.type == ValueType::kRegistry || v.type == ValueType::kBinary) texts.push_back(v.bytes);
  return std::any_of(texts.begin(), texts.end(),
                     [&](const std::string& t) { return ContainsSecret(t); });
}

std::string SecretPolicy::Redact(std::string_view text) const {
  std::string out(text);
  for (const auto& s : secrets_) {
    size_t pos = 0;
    while ((pos = out.find(s, pos)) != std::string::npos) {
      out.replace(pos, s.size(), kMask);
      pos += kMask.size();
    }
  }
  return MaskConnectionPasswords(out);
}

bool SecretPolicy::AnySecret(const Resource& r, const std::vector<const Value*>& values,
                             const std::vector<std::string>& blobs) const {
  for (const Value* v : values) {
    if (IsSecretValue(r, *v)) return true;
    if (v->type != ValueType::kFile || secrets_.empty()) continue;
    // A file value is its content's hash: look at the blob it names.
    for (const auto& b : blobs) {
      if (Sha256Hex(b) == v->bytes && ContainsSecret(b)) return true;
    }
  }
  return false;
}

void SecretPolicy::Mark(EventBody& body, const std::vector<std::string>& blobs) const {
  std::visit(
      [&](auto& b) {
        using T = std::decay_t<decltype(b)>;
        if constexpr (std::is_same_v<T, Intent> || std::is_same_v<T, Observed>) {
          b.secret = b.secret || AnySecret(b.resource, {&b.before, &b.after}, blobs);
        } else if constexpr (std::is_same_v<T, Applied>) {
          b.secret = b.secret || AnySecret(b.resource, {&b.read_back}, blobs);
        } else if constexpr (std::is_same_v<T, Noop>) {
          b.secret = b.secret || AnySecret(b.resource, {&b.value}, blobs);
        } else if constexpr (std::is_same_v<T, RunStarted>) {
          for (const auto& [name, value] : b.parameters) {
            const bool listed = std::find(b.secret_parameters.begin(), b.secret_parameters.end(),
                                          name) != b.secret_parameters.end();
            if (!listed && ContainsSecret(value)) b.secret_parameters.push_back(name);
          }
          b.command_line = Redact(b.command_line);
        } else if constexpr (std::is_same_v<T, RunFailed> || std::is_same_v<T, StepFailed> ||
                             std::is_same_v<T, Failed>) {
          b.error = Redact(b.error);
        } else if constexpr (std::is_same_v<T, StepStarted>) {
          b.title = Redact(b.title);
        } else if constexpr (std::is_same_v<T, ActionStarted> || std::is_same_v<T, Decision>) {
          b.detail = Redact(b.detail);
        } else if constexpr (std::is_same_v<T, ProcessExited>) {
          b.failure = Redact(b.failure);
        }
      },
      body);
}

}  // namespace tidemark::store
