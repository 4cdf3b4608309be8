// The registry action kinds — registry.set, registry.delete,
// registry.create_key, registry.delete_key: their fields, their resource and
// the changes they expand to (keys created on the way are changes too).
#include <algorithm>
#include <cctype>

#include "engine/actions/kinds.h"

namespace tidemark::engine {

Status MissingKeyError(const std::string& host, const std::string& key,
                       const std::string& nearest) {
  return Status::InvalidInput("key " + key + " does not exist on " + host +
                              " (the nearest key that does is " + nearest +
                              "); check its spelling, or say create_key: true if the plan "
                              "means to create it");
}

namespace {

// host and key, common to every registry kind.
Status ParseAddress(const FieldParser& p, const YAML::Node& f, std::string& host,
                    std::string& key) {
  TM_ASSIGN_OR_RETURN(host, p.Text(f, "host", true));
  TM_ASSIGN_OR_RETURN(key, p.Text(f, "key", true));
  TM_RETURN_IF_ERROR(p.CheckRegistryKey(f["key"], key));
  return p.NeedHost(f["host"], host, Facility::kRegistry);
}

Result<std::string> ParseValueName(const FieldParser& p, const YAML::Node& f) {
  if (!f["name"]) return p.ctx().Error(f, "missing required field 'name' (\"\" = default value)");
  return p.Text(f, "name", true);
}

// Keys of `key_path` (outermost first) that do not exist yet are changes of
// their own, so that rollback removes them again. Reads from the deepest key
// up to the first that exists (a key implies its parents); `deepest`
// receives the live value of `key_path` itself. Unless `create` is set, a
// missing key is an error naming the nearest key that exists: a misspelt key
// must not be created as a stray copy beside the real one.
Status AddMissingKeys(ExpandContext& ctx, const std::string& host, const std::string& key_path,
                      Value* deepest, bool create) {
  std::vector<std::string> paths;  // every key from the root's child down to key_path
  for (size_t pos = key_path.find('\\'); pos != std::string::npos;
       pos = key_path.find('\\', pos + 1)) {
    if (pos + 1 < key_path.size()) paths.push_back(key_path.substr(0, key_path.find('\\', pos + 1)));
  }
  std::vector<Resource> missing;  // deepest first
  std::string nearest = key_path.substr(0, key_path.find('\\'));  // the root
  for (auto it = paths.rbegin(); it != paths.rend(); ++it) {
    Resource key = Resource::RegistryKey(host, *it);
    TM_ASSIGN_OR_RETURN(Value v, ctx.Read(key));
    if (deepest && it == paths.rbegin()) *deepest = v;
    if (!v.absent()) {
      nearest = *it;
      break;
    }
    missing.push_back(std::move(key));
  }
  if (!create && !missing.empty()) {
    const DryRunKeys* dry = ctx.dry_run;
    if (!dry) return MissingKeyError(host, key_path, nearest);
    // The dry run: the key an earlier action creates shows as that action's change.
    if (dry->Covers(host, key_path)) return Status::Ok();
    if (!dry->after_opaque) return MissingKeyError(host, key_path, nearest);
    ctx.note = "key " + key_path + " does not exist now; unless the exec or manual step before "
               "creates it, this action fails";
    return Status::Ok();
  }
  for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
    ctx.Add(*it, Value::Key(), Value::Absent());
  }
  return Status::Ok();
}

// A string value's text with `from` replaced (registry.replace); the count of
// occurrences replaced, 0 when none.
size_t ReplaceInText(std::string& text, const std::string& from, const std::string& to,
                     bool whole_word) {
  auto word_char = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
  };
  size_t count = 0;
  std::string out;
  size_t pos = 0;
  for (size_t hit = text.find(from); hit != std::string::npos; hit = text.find(from, hit + 1)) {
    if (hit < pos) continue;  // inside the previous occurrence
    const size_t end = hit + from.size();
    if (whole_word && ((hit > 0 && word_char(from.front()) && word_char(text[hit - 1])) ||
                       (end < text.size() && word_char(from.back()) && word_char(text[end])))) {
      continue;
    }
    out.append(text, pos, hit - pos);
    out += to;
    pos = end;
    ++count;
  }
  out.append(text, pos, std::string::npos);
  text = std::move(out);
  return count;
}

}  // namespace

Status Parse(const FieldParser& p, const YAML::Node& f, RegistrySet& out) {
  TM_RETURN_IF_ERROR(
      p.ctx().OnlyKeys(f, {"host", "key", "name", "value", "type", "create_key", "secret"},
                       "registry.set"));
  TM_RETURN_IF_ERROR(ParseAddress(p, f, out.host, out.key));
  TM_ASSIGN_OR_RETURN(out.name, ParseValueName(p, f));
  TM_ASSIGN_OR_RETURN(std::string type, p.Text(f, "type", false));
  TM_ASSIGN_OR_RETURN(out.value, p.RegistryValue(f, f["value"], type));
  TM_ASSIGN_OR_RETURN(out.create_key, p.ctx().Bool(f, "create_key", false));
  return Status::Ok();
}

Status Parse(const FieldParser& p, const YAML::Node& f, RegistryReplace& out) {
  TM_RETURN_IF_ERROR(p.ctx().OnlyKeys(
      f, {"host", "key", "name", "from", "to", "whole_word", "secret"}, "registry.replace"));
  TM_RETURN_IF_ERROR(ParseAddress(p, f, out.host, out.key));
  TM_ASSIGN_OR_RETURN(out.name, ParseValueName(p, f));
  TM_ASSIGN_OR_RETURN(out.from, p.Text(f, "from", true));
  TM_ASSIGN_OR_RETURN(out.to, p.Text(f, "to", true));
  if (out.from.empty()) return p.ctx().Error(f["from"], "'from' must not be empty");
  TM_ASSIGN_OR_RETURN(out.whole_word, p.ctx().Bool(f, "whole_word", false));
  return Status::Ok();
}

Status Parse(const FieldParser& p, const YAML::Node& f, RegistryDelete& out) {
  TM_RETURN_IF_ERROR(p.ctx().OnlyKeys(f, {"host", "key", "name", "secret"}, "registry.delete"));
  TM_RETURN_IF_ERROR(ParseAddress(p, f, out.host, out.key));
  TM_ASSIGN_OR_RETURN(out.name, ParseValueName(p, f));
  return Status::Ok();
}

Status Parse(const FieldParser& p, const YAML::Node& f, RegistryCreateKey& out) {
  TM_RETURN_IF_ERROR(p.ctx().OnlyKeys(f, {"host", "key"}, "registry.create_key"));
  return ParseAddress(p, f, out.host, out.key);
}

Status Parse(const FieldParser& p, const YAML::Node& f, RegistryDeleteKey& out) {
  TM_RETURN_IF_ERROR(p.ctx().OnlyKeys(f, {"host", "key", "recursive"}, "registry.delete_key"));
  TM_RETURN_IF_ERROR(ParseAddress(p, f, out.host, out.key));
  TM_ASSIGN_OR_RETURN(out.recursive, p.ctx().Bool(f, "recursive", false));
  return Status::Ok();
}

std::optional<Resource> ResourceOf(const RegistrySet& a) {
  return Resource::RegistryValue(a.host, a.key, a.name);
}
std::optional<Resource> ResourceOf(const RegistryReplace& a) {
  return Resource::RegistryValue(a.host, a.key, a.name);
}
std::optional<Resource> ResourceOf(const RegistryDelete& a) {
  return Resource::RegistryValue(a.host, a.key, a.name);
}
std::optional<Resource> ResourceOf(const RegistryCreateKey& a) {
  return Resource::RegistryKey(a.host, a.key);
}
std::optional<Resource> ResourceOf(const RegistryDeleteKey& a) {
  return Resource::RegistryKey(a.host, a.key);
}

// One read of the value in the common case: a value that exists implies its
// keys; only a new value makes the keys above it worth reading.
Status Expand(const RegistrySet& a, ExpandContext& ctx) {
  const Resource value = Resource::RegistryValue(a.host, a.key, a.name);
  TM_ASSIGN_OR_RETURN(Value before, ctx.Read(value));
  if (before.absent()) TM_RETURN_IF_ERROR(AddMissingKeys(ctx, a.host, a.key, nullptr, a.create_key));
  ctx.Add(value, a.value, before);
  return Status::Ok();
}

// The rest of the string stays as it is, its type (REG_SZ or REG_EXPAND_SZ)
// and whether it was stored with its terminating NUL included.
Status Expand(const RegistryReplace& a, ExpandContext& ctx) {
  const Resource r = Resource::RegistryValue(a.host, a.key, a.name);
  TM_ASSIGN_OR_RETURN(Value before, ctx.Read(r));
  if (before.absent()) return Status::Failed(r.Display() + " does not exist");
  const std::optional<std::string> text = before.AsRegString();
  if (!text) {
    return Status::Failed(r.Display() + " is " + RegTypeName(before.reg_type) +
                          ", not a REG_SZ or REG_EXPAND_SZ text to replace in");
  }
  std::string updated = *text;
  const size_t n = ReplaceInText(updated, a.from, a.to, a.whole_word);
  const auto shown = [&](const std::string& s) { return ctx.action.secret ? std::string("***") : s; };
  if (n == 0) {
    if (ctx.lenient) return Status::Ok();
    return Status::Failed("'" + shown(a.from) + "' does not occur" +
                          (a.whole_word ? " as a whole word" : "") + " in " + r.Display());
  }
  const std::string& raw = before.bytes;
  const bool terminated = raw.size() >= 2 && raw[raw.size() - 1] == '\0' && raw[raw.size() - 2] == '\0';
  auto encode = [&](const std::string& t) {
    Value v = Value::RegString(t, before.reg_type);
    if (!terminated) v.bytes.resize(v.bytes.size() - 2);
    return v;
  };
  if (encode(*text).bytes != raw) {
    return Status::Failed(r.Display() + " holds data after its terminating NUL, which a text "
                          "replacement would lose; change it with registry.set");
  }
  Value after = encode(updated);
  ctx.note = r.Display() + ": " + std::to_string(n) + " occurrence(s) of '" + shown(a.from) + "'";
  ctx.Add(r, std::move(after), before);
  return Status::Ok();
}

Status Expand(const RegistryDelete& a, ExpandContext& ctx) {
  ctx.Add(Resource::RegistryValue(a.host, a.key, a.name), Value::Absent());
  return Status::Ok();
}

Status Expand(const RegistryCreateKey& a, ExpandContext& ctx) {
  Value key_now;
  TM_RETURN_IF_ERROR(AddMissingKeys(ctx, a.host, a.key, &key_now, true));
  const Resource key = Resource::RegistryKey(a.host, a.key);
  if (std::none_of(ctx.changes.begin(), ctx.changes.end(),
                   [&](const Change& c) { return c.resource.Identity() == key.Identity(); })) {
    ctx.Add(key, Value::Key(), key_now);  // a root, or a key that exists: a noop
  }
  return Status::Ok();
}

// A recursive delete records every value and subkey (values first, then keys
// deepest first) so that rollback can recreate them.
Status Expand(const RegistryDeleteKey& a, ExpandContext& ctx) {
  if (!a.recursive) {
    ctx.Add(Resource::RegistryKey(a.host, a.key), Value::Absent());
    return Status::Ok();
  }
  TM_ASSIGN_OR_RETURN(auto* reg, ctx.targets.Registry(a.host));
  TM_ASSIGN_OR_RETURN(auto entries, reg->Enumerate(a.key));
  std::vector<std::pair<Resource, Value>> keys;
  for (auto& [r, v] : entries) {
    if (r.kind == ResourceKind::kRegistryValue) {
      ctx.Add(r, Value::Absent(), v);
    } else {
      keys.emplace_back(r, v);
    }
  }
  std::stable_sort(keys.begin(), keys.end(), [](const auto& x, const auto& y) {
    return x.first.path.size() > y.first.path.size();
  });
  for (auto& [r, v] : keys) ctx.Add(r, Value::Absent(), v);
  if (keys.empty()) ctx.Add(Resource::RegistryKey(a.host, a.key), Value::Absent());
  return Status::Ok();
}

}  // namespace tidemark::engine
