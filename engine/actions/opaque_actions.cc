// The action kinds the executor runs itself rather than expanding to changes:
// checkpoint (a state snapshot and database backups), exec (a command whose
// effects are observed) and manual (a prompt the admin confirms).
#include "engine/actions/kinds.h"

namespace tidemark::engine {

std::string Exec::CommandLine() const {
  std::string out;
  for (const auto& arg : command) out += (out.empty() ? "" : " ") + arg;
  return out;
}

Status Parse(const FieldParser& p, const YAML::Node& f, TakeCheckpoint& out) {
  TM_RETURN_IF_ERROR(p.ctx().OnlyKeys(f, {"name", "databases"}, "checkpoint"));
  TM_ASSIGN_OR_RETURN(out.name, p.Text(f, "name", true));
  if (const YAML::Node dbs = f["databases"]) {
    if (!dbs.IsSequence()) return p.ctx().Error(dbs, "'databases' must be a list");
    for (const auto& d : dbs) {
      TM_ASSIGN_OR_RETURN(std::string db, p.Expand(d, d.Scalar()));
      TM_RETURN_IF_ERROR(p.NeedDatabase(d, db));
      out.databases.push_back(db);
    }
  }
  return Status::Ok();
}

Status Parse(const FieldParser& p, const YAML::Node& f, Exec& out) {
  TM_RETURN_IF_ERROR(p.ctx().OnlyKeys(f, {"command", "shell", "timeout"}, "exec"));
  TM_ASSIGN_OR_RETURN(out.shell, p.ctx().Bool(f, "shell", false));
  const YAML::Node cmd = f["command"];
  if (!cmd) return p.ctx().Error(f, "missing required field 'command'");
  if (out.shell) {
    if (!cmd.IsScalar()) return p.ctx().Error(cmd, "with shell: true, 'command' is one string");
    TM_ASSIGN_OR_RETURN(std::string c, p.Expand(cmd, cmd.Scalar()));
    out.command = {c};
  } else {
    if (!cmd.IsSequence() || cmd.size() == 0) {
      return p.ctx().Error(cmd, "'command' must be a non-empty argument list (or use shell: true)");
    }
    for (const auto& arg : cmd) {
      if (!arg.IsScalar()) return p.ctx().Error(arg, "command arguments must be text");
      TM_ASSIGN_OR_RETURN(std::string s, p.Expand(arg, arg.Scalar()));
      out.command.push_back(s);
    }
  }
  if (const YAML::Node t = f["timeout"]) {
    TM_ASSIGN_OR_RETURN(uint64_t secs, p.Unsigned(t, t.Scalar(), 86400));
    out.timeout_seconds = static_cast<int>(secs);
  }
  return Status::Ok();
}

Status Parse(const FieldParser& p, const YAML::Node& f, Manual& out) {
  TM_RETURN_IF_ERROR(p.ctx().OnlyKeys(f, {"prompt", "judge"}, "manual"));
  TM_ASSIGN_OR_RETURN(out.prompt, p.Text(f, "prompt", true));
  TM_ASSIGN_OR_RETURN(out.judge, p.ctx().Bool(f, "judge", false));
  return Status::Ok();
}

std::optional<Resource> ResourceOf(const TakeCheckpoint&) { return std::nullopt; }
std::optional<Resource> ResourceOf(const Exec&) { return std::nullopt; }
std::optional<Resource> ResourceOf(const Manual&) { return std::nullopt; }

std::string Describe(const TakeCheckpoint& a) {
  return "backs up " + std::to_string(a.databases.size()) + " database(s)";
}
std::string Describe(const Exec& a) {
  return "runs " + (a.command.empty() ? std::string() : a.command[0]);
}
std::string Describe(const Manual& a) { return "asks: " + a.prompt; }

}  // namespace tidemark::engine
