// Plan actions as types: one struct per action kind (plans/FORMAT.md), held
// in the ActionBody variant. Each kind's `kKind` is its name in plan files
// and output; this header is the one table of kind names. The behaviour of
// each family lives in one file next to this one (registry_actions.cc, ...).
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "store/event.h"

namespace tidemark::engine {

struct RegistrySet {
  static constexpr std::string_view kKind = "registry.set";
  std::string host, key, name;
  Value value;
  bool create_key = false;  // a missing key is created (else it is an error)
};
// Text inside a string value (REG_SZ, REG_EXPAND_SZ): every occurrence of
// `from` becomes `to`; fails when `from` does not occur. `whole_word`: an
// occurrence followed or preceded by a letter, digit, '_' or '-' does not count
// (SERVER=SERVER1 is not found in SERVER=SERVER10).
struct RegistryReplace {
  static constexpr std::string_view kKind = "registry.replace";
  std::string host, key, name, from, to;
  bool whole_word = false;
};
struct RegistryDelete {
  static constexpr std::string_view kKind = "registry.delete";
  std::string host, key, name;
};
struct RegistryCreateKey {
  static constexpr std::string_view kKind = "registry.create_key";
  std::string host, key;
};
struct RegistryDeleteKey {
  static constexpr std::string_view kKind = "registry.delete_key";
  std::string host, key;
  bool recursive = false;
};

struct SqlUpdate {
  static constexpr std::string_view kKind = "sql.update";
  std::string database, table;
  std::vector<KeyPart> key;
  std::vector<RowField> set;
};
struct SqlReplace {
  static constexpr std::string_view kKind = "sql.replace";
  std::string database, table, column;
  Value from, to;
  std::vector<KeyPart> where;  // optional filter on other columns
};
struct SqlInsert {
  static constexpr std::string_view kKind = "sql.insert";
  std::string database, table;
  std::vector<RowField> row;
};
struct SqlDelete {
  static constexpr std::string_view kKind = "sql.delete";
  std::string database, table;
  std::vector<KeyPart> key;
};

struct FileReplace {
  static constexpr std::string_view kKind = "file.replace";
  std::string host, path, from, to;
};
struct FileWrite {
  static constexpr std::string_view kKind = "file.write";
  std::string host, path, content;
};

// The four service kinds share their address; each sets one part of the value.
struct ServiceAddress {
  std::string host, name;
  bool if_exists = false;  // a service not installed on the host is skipped
};
struct ServiceStop : ServiceAddress {
  static constexpr std::string_view kKind = "service.stop";
};
struct ServiceStart : ServiceAddress {
  static constexpr std::string_view kKind = "service.start";
};
struct ServicePause : ServiceAddress {
  static constexpr std::string_view kKind = "service.pause";
};
struct ServiceSetStartType : ServiceAddress {
  static constexpr std::string_view kKind = "service.set_start_type";
  StartType start = StartType::kUnknown;
};

struct TakeCheckpoint {
  static constexpr std::string_view kKind = "checkpoint";
  std::string name;
  std::vector<std::string> databases;
};
struct Exec {
  static constexpr std::string_view kKind = "exec";
  std::vector<std::string> command;  // argv, or one string with shell
  bool shell = false;
  int timeout_seconds = 3600;
  std::string CommandLine() const;   // the arguments joined by spaces
};
struct Manual {
  static constexpr std::string_view kKind = "manual";
  std::string prompt;
  // The admin judges something (output without errors, a setting seen in a
  // console): --yes does not confirm it; a typed answer or --confirm STEP does.
  bool judge = false;
};
struct Assert {
  static constexpr std::string_view kKind = "assert";
  Resource resource;
  std::optional<Value> equals;
  bool expect_absent = false;
  std::string contains;                  // file text, or a registry REG_SZ/REG_EXPAND_SZ text
  ServiceRun state = ServiceRun::kUnknown;  // services
  // files: the volume holding the file has at least this percentage of the
  // file's size free (free_space: 10%)
  std::optional<double> free_percent;
};

using ActionBody =
    std::variant<RegistrySet, RegistryReplace, RegistryDelete, RegistryCreateKey, RegistryDeleteKey, SqlUpdate,
                 SqlReplace, SqlInsert, SqlDelete, FileReplace, FileWrite, ServiceStop,
                 ServiceStart, ServicePause, ServiceSetStartType, TakeCheckpoint, Exec, Manual,
                 Assert>;

// Kinds that change resources through the intent/applied protocol (they
// expand to Changes, engine/action_expander.h); the others are run by the
// executor itself.
template <typename T>
concept MutatingAction = !std::is_same_v<T, TakeCheckpoint> && !std::is_same_v<T, Exec> &&
                         !std::is_same_v<T, Manual> && !std::is_same_v<T, Assert>;
// Kinds whose effects are observed by scanning the watched resources.
template <typename T>
concept OpaqueAction = std::is_same_v<T, Exec> || std::is_same_v<T, Manual>;

struct Action {
  ActionBody body;
  std::string where;        // file:line:column of the action in the plan
  ActionPosition position;  // step index, action index
  bool secret = false;      // `secret: true` (kinds that allow it)
  // `allow_failure: true` (service and exec kinds): where the manual says an
  // error can be ignored, a failure is recorded and the step goes on.
  bool allow_failure = false;

  std::string_view KindName() const {
    return std::visit([](const auto& a) { return std::decay_t<decltype(a)>::kKind; }, body);
  }
  template <typename T>
  const T* As() const {
    return std::get_if<T>(&body);
  }
};

// Every kind name, in variant order (for parsing and for "known: ..." lists).
template <size_t... I>
constexpr auto KindNames(std::index_sequence<I...>) {
  return std::array<std::string_view, sizeof...(I)>{
      std::variant_alternative_t<I, ActionBody>::kKind...};
}
inline constexpr auto kActionKinds =
    KindNames(std::make_index_sequence<std::variant_size_v<ActionBody>>());

// True for the kinds that expand to Changes (MutatingAction).
inline bool ExpandsToChanges(const Action& a) {
  return std::visit([](const auto& k) { return MutatingAction<std::decay_t<decltype(k)>>; },
                    a.body);
}

// The resource an action is about (service, file, registry value or key, the
// asserted resource); nullopt for kinds without one (sql.replace finds its
// rows, checkpoint, exec, manual).
std::optional<Resource> TargetResource(const Action& a);

// One line for the dry run and plan check ("runs setup.exe", "asks: ...");
// mutating kinds describe themselves by the changes they expand to.
std::string Describe(const Action& a);

}  // namespace tidemark::engine
