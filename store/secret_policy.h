// The one secret and terminal-output policy (DESIGN.md §7, CONVENTIONS.md §15):
// which values are secret, how secrets are masked as ***, and how text from
// targets, plans and values is made safe to print on a terminal.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "store/event.h"

namespace tidemark::store {

inline constexpr std::string_view kMask = "***";

// True for names that hold a secret by themselves: registry value names, SQL
// column and parameter names containing password, passwd, pwd, passphrase,
// secret, token, apikey/api_key, private_key (ASCII case-insensitive).
bool IsSecretName(std::string_view name);

// True when `text` has a PWD or Password attribute in ODBC connection-string
// grammar (`k=v;k={v;with}}braces}`, keys case-insensitive, spaces around
// `=` and `;`), also when the attribute is a word inside a longer line
// (`set PWD=x` in a script).
bool HasConnectionPassword(std::string_view text);
// `text` with the value of every PWD/Password attribute replaced by ***:
// a braced value up to its closing `}` (`}}` is an escaped `}`) and on to the
// next `;`; an unterminated brace masks to the end; an unbraced value ends at
// `;` or a line break.
std::string MaskConnectionPasswords(std::string_view text);

// `text` made inert for a terminal: C0 controls, DEL, C1 controls, bidi
// overrides and invalid UTF-8 are written visibly (`\r`, `\t`, `\x1b`,
// `\u009b`, `\xff`); `\n` is kept when `keep_newlines`, else written `\n`.
// Printable text, backslashes included, is unchanged, so escaping twice is
// the same as once.
std::string EscapeForTerminal(std::string_view text, bool keep_newlines = false);

// --- Reading side: display of recorded values. -----------------------------

// Whether the display of `v` hides all or part of it (so raw bytes, hex and
// hashes must not be shown either): `secret` (the event's flag), a secret
// resource name (registry value, SQL column), a secret SQL row column, or a
// connection-string password. Never when `reveal` or `v` is absent.
bool IsMasked(const Value& v, const Resource* r, bool secret, bool reveal);
// `v.ToDisplay()` with the policy applied unless `reveal`: a value secret as a
// whole is ***; connection strings keep their other attributes (`PWD=***`);
// rows mask their secret columns.
std::string ShowValue(const Value& v, const Resource* r, bool secret, bool reveal);
// A bound plan parameter: *** when `secret` (declared `{secret: true}`) or its
// name is secret, else the value with connection passwords masked.
std::string ShowParameter(std::string_view name, std::string_view value, bool secret,
                          bool reveal);
// Whether parameter `name` of a run was declared secret or has a secret name.
bool IsSecretParameter(const RunStarted& run, std::string_view name);
// Free text recorded in events (errors, command lines, prompts) as shown:
// connection passwords masked unless `reveal` (secret strings of the run
// were already replaced when the event was written).
std::string ShowText(std::string_view text, bool reveal);

// --- Writing side: what an event derived from a secret carries. ------------

// The secret strings of one run (values of parameters declared secret) plus
// the name and content rules above. Copyable; thread-compatible.
class SecretPolicy {
 public:
  SecretPolicy() = default;
  // Empty strings are ignored; longer strings are replaced first.
  explicit SecretPolicy(std::vector<std::string> secret_strings);

  // Whether `text` holds one of the secret strings.
  bool ContainsSecret(std::string_view text) const;
  // Whether a value of `r` is secret as a whole: the resource's name is
  // secret, or the value's text (or `content`, a file's bytes) holds a secret
  // string. Connection-string passwords are not: they are masked in place.
  bool IsSecretValue(const Resource& r, const Value& v, std::string_view content = {}) const;
  // `text` with every secret string and connection password replaced by ***.
  std::string Redact(std::string_view text) const;

  // Prepares a body for the journal: sets `secret` on intent, applied, noop
  // and observed bodies whose resource or values are secret (`blobs`: file
  // contents written with it), records the names of the run's secret
  // parameters, and redacts free text (errors, titles, details, command line).
  void Mark(EventBody& body, const std::vector<std::string>& blobs) const;

 private:
  bool AnySecret(const Resource& r, const std::vector<const Value*>& values,
                 const std::vector<std::string>& blobs) const;

  std::vector<std::string> secrets_;
};

}  // namespace tidemark::store
