// How events, values and resources are shown to people and to --json readers:
// times, one-line event summaries and the stable JSON shape of an event
// (documented in the README); masking is store/secret_policy.h's.
#pragma once

#include <string>

#include "commands/json_writer.h"
#include "store/event.h"
#include "store/event_log.h"
#include "store/secret_policy.h"

namespace tidemark::commands {

// "2026-11-25T14:00:27.123Z"
std::string FormatTime(int64_t time_ns);

// One line describing an event body ("intent  SERVER1 HKLM\...\X: "a" → "b"").
// Values and free text are masked by the secret policy unless `reveal`.
std::string Summarize(const Event& e, bool reveal);

// The JSON object of one event:
// {"seq","time","kind","run","step","host","user","hash","prev_hash",
//  "resource":{"kind","identity","display",...}, "before","after","value",...}
void WriteEventJson(JsonWriter& w, const store::StoredEvent& e, bool reveal);
void WriteValueJson(JsonWriter& w, const Value& v, const Resource* r, bool secret, bool reveal);
void WriteResourceJson(JsonWriter& w, const Resource& r);

}  // namespace tidemark::commands
