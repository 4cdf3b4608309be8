// Preflight: one probe per target a plan touches (see preflight.h).
#include "engine/preflight.h"

#include <set>
#include <utility>

#include "engine/actions/action.h"
#include "store/unicode.h"

namespace tidemark::engine {
namespace {

class Prober {
 public:
  Prober(TargetSet& targets, std::vector<PreflightProblem>& problems)
      : targets_(targets), problems_(problems) {}

  // Reads `r` through its host's or database's adapter, once per target: an
  // absent value is fine, any error is a problem of that target.
  void Read(const std::string& what, const std::string& name, const Resource& r) {
    if (!First(what, name)) return;
    Note(what, name, targets_.Read(r).status());
  }
  void Database(const std::string& name) {
    if (!First("database", name)) return;
    Note("database", name, targets_.Sql(name).status());
  }
  void Watch(const std::vector<WatchItem>& watch) {
    if (watch.empty() || !First("watch", "")) return;
    Note("watch", "the plan's watched resources", targets_.Scan(watch).status());
  }

 private:
  bool First(const std::string& what, const std::string& name) {
    return seen_.emplace(what, AsciiLower(name)).second;
  }
  void Note(const std::string& what, const std::string& name, const Status& st) {
    if (!st.ok()) problems_.push_back({what, name, st.message()});
  }

  TargetSet& targets_;
  std::vector<PreflightProblem>& problems_;
  std::set<std::pair<std::string, std::string>> seen_;
};

}  // namespace

std::vector<PreflightProblem> Preflight(TargetSet& targets, const Plan& plan) {
  std::vector<PreflightProblem> problems;
  Prober probe(targets, problems);
  bool opaque = false;
  for (const auto& step : plan.steps) {
    for (const auto& action : step.actions) {
      std::visit(
          [&](const auto& a) {
            using T = std::decay_t<decltype(a)>;
            if constexpr (std::is_same_v<T, RegistrySet> || std::is_same_v<T, RegistryDelete> ||
                          std::is_same_v<T, RegistryCreateKey> ||
                          std::is_same_v<T, RegistryDeleteKey>) {
              probe.Read("registry", a.host, Resource::RegistryKey(a.host, a.key));
            } else if constexpr (std::is_same_v<T, FileReplace> || std::is_same_v<T, FileWrite>) {
              probe.Read("files", a.host, Resource::File(a.host, a.path));
            } else if constexpr (std::is_base_of_v<ServiceAddress, T>) {
              probe.Read("services", a.host, Resource::Service(a.host, a.name));
            } else if constexpr (std::is_same_v<T, SqlUpdate> || std::is_same_v<T, SqlReplace> ||
                                 std::is_same_v<T, SqlInsert> || std::is_same_v<T, SqlDelete>) {
              probe.Database(a.database);
            } else if constexpr (std::is_same_v<T, TakeCheckpoint>) {
              for (const auto& db : a.databases) probe.Database(db);
            } else if constexpr (std::is_same_v<T, Assert>) {
              const Resource& r = a.resource;
              if (!r.database.empty()) {
                probe.Database(r.database);
              } else {
                const char* what = r.kind == ResourceKind::kFile      ? "files"
                                   : r.kind == ResourceKind::kService ? "services"
                                                                      : "registry";
                probe.Read(what, r.host, r);
              }
            } else {
              opaque = true;  // exec, manual: their effects are found by the watch scan
            }
          },
          action.body);
    }
  }
  if (opaque) probe.Watch(plan.watch);
  return problems;
}

Status PreflightStatus(const std::vector<PreflightProblem>& problems) {
  if (problems.empty()) return Status::Ok();
  std::string text = std::to_string(problems.size()) +
                     " target(s) of the plan cannot be reached or read; nothing was changed:";
  for (const auto& p : problems) {
    text += "\n  " + p.what + (p.name.empty() ? "" : " " + p.name) + ": " + p.message;
  }
  return Status::InvalidInput(text);
}

}  // namespace tidemark::engine
