// How events, values and resources are shown to people and to --json readers:
// times, secret masking (DESIGN.md §7), one-line event summaries and the
// stable JSON shape of an event (documented in the README).
#pragma once

#include <string>

#include "commands/json_writer.h"
#include "store/event.h"
#include "store/event_log.h"

namespace tidemark::commands {

// "2026-11-25T14:00:27.123Z"
std::string FormatTime(int64_t time_ns);

// True when a value must be masked: flagged secret, or a name/text that looks
// like a password (PWD=, Password=, "...Secret" value names).
bool LooksSecret(const Resource* r, const Value& v);
// Display of a value with masking applied unless `reveal`: connection strings
// keep their non-secret parts (`...;PWD=***`), other secrets become `***`.
std::string ShowValue(const Value& v, const Resource* r, bool secret, bool reveal);

// One line describing an event body ("intent  SERVER1 HKLM\...\X: "a" → "b"").
// `applied_secret`: for an applied event, whether its intent was secret
// (applied events do not carry the flag; see AppliedSecret).
std::string Summarize(const Event& e, bool reveal, bool applied_secret = false);
// For an applied event, whether its intent was marked secret (looked up in
// `log`); false for other events or when the intent cannot be read.
bool AppliedSecret(const store::EventLog& log, const Event& e);

// The JSON object of one event:
// {"seq","time","kind","run","step","host","user","hash","prev_hash",
//  "resource":{"kind","identity","display",...}, "before","after","value",...}
void WriteEventJson(JsonWriter& w, const store::StoredEvent& e, bool reveal, bool applied_secret = false);
void WriteValueJson(JsonWriter& w, const Value& v, const Resource* r, bool secret, bool reveal);
void WriteResourceJson(JsonWriter& w, const Resource& r);

}  // namespace tidemark::commands
