// Preflight: one probe per target a plan touches (see preflight.h).
#include "engine/preflight.h"

#include <map>
#include <optional>
#include <set>
#include <utility>

#include "engine/actions/kinds.h"
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
  // A host's files backend, reached without reading a file.
  void FilesHost(const std::string& host) {
    if (!First("files", host)) return;
    Note("files", host, targets_.Files(host).status());
  }
  void Database(const std::string& name) {
    if (!First("database", name)) return;
    Note("database", name, targets_.Sql(name).status());
  }
  // A registry action's host, reached through the key it names; the key's
  // presence is kept so that KeyExists need not read it again.
  void Registry(const std::string& host, const std::string& key) {
    if (!First("registry", host)) return;
    auto v = targets_.Read(Resource::RegistryKey(host, key));
    Note("registry", host, v.status());
    if (v.ok()) present_[Id(host, key)] = !v->absent();
  }
  // A key a registry.set or registry.replace needs: it must exist unless an
  // earlier action of the plan creates it (or a key below it).
  void KeyExists(const std::string& host, const std::string& key) {
    if (CoveredByCreatedKey(created_, host, key)) return;
    const std::string id = Id(host, key);
    if (!First("key", id)) return;
    std::string path = key;
    for (bool first = true;; first = false) {
      const std::optional<bool> present = Present(host, path);
      if (!present) return;  // the host's own problem, reported by Registry
      if (*present) {
        if (!first) problems_.push_back({"registry key", host, MissingKeyError(host, key, path).message()});
        return;
      }
      const size_t cut = path.rfind('\\');
      if (cut == std::string::npos) return;
      path.resize(cut);
    }
  }
  void Creates(const std::string& host, const std::string& key) {
    created_.emplace_back(host, key);
  }
  void Watch(const std::vector<WatchItem>& watch) {
    if (watch.empty() || !First("watch", "")) return;
    Note("watch", "the plan's watched resources", targets_.Scan(watch).status());
  }

 private:
  bool First(const std::string& what, const std::string& name) {
    return seen_.emplace(what, AsciiLower(name)).second;
  }
  static std::string Id(const std::string& host, const std::string& key) {
    return AsciiLower(host) + "|" + AsciiLower(key);
  }
  // Whether a key exists, read once; nullopt when it cannot be read.
  std::optional<bool> Present(const std::string& host, const std::string& key) {
    const std::string id = Id(host, key);
    if (auto it = present_.find(id); it != present_.end()) return it->second;
    auto v = targets_.Read(Resource::RegistryKey(host, key));
    if (!v.ok()) return std::nullopt;
    return present_[id] = !v->absent();
  }
  void Note(const std::string& what, const std::string& name, const Status& st) {
    if (!st.ok()) problems_.push_back({what, name, st.message()});
  }

  TargetSet& targets_;
  std::vector<PreflightProblem>& problems_;
  std::set<std::pair<std::string, std::string>> seen_;
  std::vector<std::pair<std::string, std::string>> created_;  // host, key the plan creates
  std::map<std::string, bool> present_;  // Id() -> whether the key exists
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
            if constexpr (std::is_same_v<T, RegistrySet> || std::is_same_v<T, RegistryReplace> ||
                          std::is_same_v<T, RegistryDelete> ||
                          std::is_same_v<T, RegistryCreateKey> ||
                          std::is_same_v<T, RegistryDeleteKey>) {
              probe.Registry(a.host, a.key);
              // After an exec or manual step a key a registry.set needs may
              // have been made by the program or the admin: that is checked
              // when the action runs.
              if constexpr (std::is_same_v<T, RegistryCreateKey>) {
                probe.Creates(a.host, a.key);
              } else if constexpr (std::is_same_v<T, RegistrySet>) {
                if (a.create_key) {
                  probe.Creates(a.host, a.key);
                } else if (!opaque) {
                  probe.KeyExists(a.host, a.key);
                }
              } else if constexpr (std::is_same_v<T, RegistryReplace>) {
                // It edits a string that is there: its key must be there
                // before the run, whatever steps come first.
                probe.KeyExists(a.host, a.key);
              }
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
              } else if (a.free_percent) {
                probe.FilesHost(r.host);  // the file may be huge: not read here
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
                     " target(s) of the plan cannot be reached, read or found; nothing was changed:";
  for (const auto& p : problems) {
    text += "\n  " + p.what + (p.name.empty() ? "" : " " + p.name) + ": " + p.message;
  }
  return Status::InvalidInput(text);
}

}  // namespace tidemark::engine
