// Routing of resources to adapters, and watch-set scans.
#include "engine/target_set.h"

#include <filesystem>

#include "engine/targets/backends.h"
#include "engine/targets/odbc_text.h"
#include "store/unicode.h"

namespace tidemark::engine {

bool Matches(const Value& current, const Value& desired) {
  if (current.type == ValueType::kRow && desired.type == ValueType::kRow) {
    for (const auto& want : desired.row) {
      bool found = false;
      for (const auto& have : current.row) {
        if (EqualsIgnoreCase(have.column, want.column)) {
          found = have.value == want.value;
          break;
        }
      }
      if (!found) return false;
    }
    return true;
  }
  return current == desired;
}

Result<const HostConfig*> TargetSet::Host(const std::string& host) {
  const HostConfig* h = env_.FindHost(host);
  if (!h) {
    return Status::InvalidInput("host '" + host + "' is not in the environment " +
                                env_.path.string());
  }
  return h;
}

// The adapter of `host` in `cache`, made once by `make(host config)`.
template <typename Target, typename Make>
Result<Target*> TargetSet::Cached(std::map<std::string, std::unique_ptr<Target>>& cache,
                                  const std::string& host, Make make) {
  const std::string key = AsciiLower(host);
  if (auto it = cache.find(key); it != cache.end()) return it->second.get();
  TM_ASSIGN_OR_RETURN(const HostConfig* h, Host(host));
  Result<std::unique_ptr<Target>> made = make(*h);
  if (!made.ok()) return made.status().Prefix(env_.path.string());
  Target* raw = made.value().get();
  cache[key] = std::move(made).value();
  return raw;
}

Result<targets::RegistryTarget*> TargetSet::Registry(const std::string& host) {
  return Cached(registry_, host,
                [](const HostConfig& h) { return targets::MakeRegistryTarget(h.name, h.registry); });
}

Result<targets::FileTarget*> TargetSet::Files(const std::string& host) {
  return Cached(files_, host,
                [](const HostConfig& h) { return targets::MakeFileTarget(h.name, h.files); });
}

Result<targets::ServiceTarget*> TargetSet::Services(const std::string& host) {
  return Cached(services_, host,
                [](const HostConfig& h) { return targets::MakeServiceTarget(h.name, h.services); });
}

Result<targets::SqlTarget*> TargetSet::Sql(const std::string& database) {
  if (auto it = sql_.find(database); it != sql_.end()) return it->second.get();
  const DatabaseConfig* db = env_.FindDatabase(database);
  if (!db) {
    return Status::InvalidInput("database '" + database + "' is not in the environment " +
                                env_.path.string());
  }
  // A SQLite file that is not there would be created empty by connecting.
  const auto driver = targets::ConnectionStringValue(db->connection, "Driver");
  const auto file = targets::ConnectionStringValue(db->connection, "Database");
  if (!db->create && driver && AsciiLower(*driver).find("sqlite") != std::string::npos && file &&
      !file->empty() && *file != ":memory:") {
    std::error_code ec;
    const auto local = targets::odbc_text::LocalFilePath(*file);
    if (!std::filesystem::exists(local, ec)) {
      return Status::InvalidInput("database " + database + ": the SQLite file " + local.string() +
                                  " does not exist (a wrong path? `create: true` on the database "
                                  "lets it be created)");
    }
  }
  TM_ASSIGN_OR_RETURN(auto t, targets::SqlTarget::Connect(db->name, db->connection));
  auto* raw = t.get();
  sql_[database] = std::move(t);
  return raw;
}

Result<Value> TargetSet::Read(const Resource& r) {
  switch (r.kind) {
    case ResourceKind::kRegistryValue:
    case ResourceKind::kRegistryKey: {
      TM_ASSIGN_OR_RETURN(auto* t, Registry(r.host));
      return t->Read(r);
    }
    case ResourceKind::kSqlCell:
    case ResourceKind::kSqlRow: {
      TM_ASSIGN_OR_RETURN(auto* t, Sql(r.database));
      return t->Read(r);
    }
    case ResourceKind::kFile: {
      TM_ASSIGN_OR_RETURN(auto* t, Files(r.host));
      return t->Read(r);
    }
    case ResourceKind::kService: {
      TM_ASSIGN_OR_RETURN(auto* t, Services(r.host));
      return t->Read(r);
    }
  }
  return Status::InvalidInput("unknown resource kind");
}

Result<std::optional<std::string>> TargetSet::ReadContent(const Resource& r) {
  TM_ASSIGN_OR_RETURN(auto* t, Files(r.host));
  return t->ReadContent(r);
}

Status TargetSet::Write(const Resource& r, const Value& expected, const Value& after,
                        const std::optional<std::string>& content, bool recursive) {
  switch (r.kind) {
    case ResourceKind::kRegistryValue:
    case ResourceKind::kRegistryKey: {
      TM_ASSIGN_OR_RETURN(auto* t, Registry(r.host));
      return t->Write(r, expected, after, recursive);
    }
    case ResourceKind::kSqlCell:
    case ResourceKind::kSqlRow: {
      TM_ASSIGN_OR_RETURN(auto* t, Sql(r.database));
      return t->Write(r, expected, after);
    }
    case ResourceKind::kFile: {
      TM_ASSIGN_OR_RETURN(auto* t, Files(r.host));
      if (after.type == ValueType::kFile && !content) {
        return Status::Failed("no content to write for " + r.Display());
      }
      return t->WriteContent(r, expected, after.absent() ? std::nullopt : content);
    }
    case ResourceKind::kService: {
      TM_ASSIGN_OR_RETURN(auto* t, Services(r.host));
      return t->Write(r, expected, after);
    }
  }
  return Status::InvalidInput("unknown resource kind");
}

Result<snapshots::ScanImage> TargetSet::Scan(const std::vector<WatchItem>& watch) {
  snapshots::ScanImage image;
  for (const auto& w : watch) {
    switch (w.kind) {
      case WatchKind::kRegistry: {
        TM_ASSIGN_OR_RETURN(auto* t, Registry(w.host));
        TM_ASSIGN_OR_RETURN(auto entries, t->Enumerate(w.path));
        snapshots::AddEntries(entries, image);
        break;
      }
      case WatchKind::kTable: {
        TM_ASSIGN_OR_RETURN(auto* t, Sql(w.database));
        TM_ASSIGN_OR_RETURN(auto key, t->PrimaryKey(w.path));
        TM_ASSIGN_OR_RETURN(auto entries, t->ScanTable(w.path, key));
        snapshots::AddEntries(entries, image);
        break;
      }
      case WatchKind::kFolder: {
        TM_ASSIGN_OR_RETURN(auto* t, Files(w.host));
        TM_RETURN_IF_ERROR(snapshots::ScanFolder(*t, w.path, image));
        break;
      }
      case WatchKind::kServices: {
        TM_ASSIGN_OR_RETURN(auto* t, Services(w.host));
        TM_RETURN_IF_ERROR(snapshots::ScanServices(*t, w.names, image));
        break;
      }
    }
  }
  return image;
}

}  // namespace tidemark::engine
