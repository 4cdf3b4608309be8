// SqlTarget: SQL text generation per dialect and the compare-and-set
// protocol for cells and rows. Values only ever travel as bound parameters;
// identifiers are validated, resolved against the table and quoted.
#include "engine/targets/sql_target.h"

#include <algorithm>
#include <charconv>
#include <limits>
#include <optional>
#include <utility>

#include "engine/targets/odbc_text.h"  // the SQL_* type codes
#include "store/secret_policy.h"
#include "store/sha256.h"
#include "store/unicode.h"

namespace tidemark::targets {

struct SqlTarget::Table {
  std::string given;   // the name as the caller spelled it
  std::string schema;  // "" when not qualified
  std::string bare;    // the table part as found in the database
  std::string sql;     // quoted, qualified name for SQL text
  std::vector<OdbcColumn> columns;  // table order
};

namespace {

constexpr size_t kMaxIdentifier = 128;

bool IsSqlScalar(const Value& v) {
  return v.type == ValueType::kNull || v.type == ValueType::kInteger ||
         v.type == ValueType::kReal || v.type == ValueType::kText ||
         v.type == ValueType::kBinary;
}

bool IsKeyValue(const Value& v) {
  return v.type == ValueType::kInteger || v.type == ValueType::kText;
}

std::vector<std::string> SplitDots(const std::string& s) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (;;) {
    size_t dot = s.find('.', start);
    parts.push_back(s.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return parts;
}

Status ValidateIdentifier(const std::string& part, const std::string& whole) {
  if (part.empty()) return Status::InvalidInput("empty SQL name part in \"" + whole + "\"");
  if (part.size() > kMaxIdentifier) {
    return Status::InvalidInput("SQL name longer than 128 bytes: \"" + whole + "\"");
  }
  for (unsigned char c : part) {
    if (c < 0x20 || c == 0x7f) {
      return Status::InvalidInput("SQL name contains a control character: \"" + whole + "\"");
    }
  }
  if (!IsValidUtf8(part)) return Status::InvalidInput("SQL name is not valid UTF-8");
  return Status::Ok();
}

// Parses "k=v;k={v;v}" into pairs; keys trimmed, values verbatim (braces removed).
std::vector<std::pair<std::string, std::string>> ParseConnectionString(std::string_view s) {
  std::vector<std::pair<std::string, std::string>> out;
  size_t i = 0;
  auto trim = [](std::string x) {
    size_t b = x.find_first_not_of(" \t");
    size_t e = x.find_last_not_of(" \t");
    return b == std::string::npos ? std::string() : x.substr(b, e - b + 1);
  };
  while (i < s.size()) {
    size_t eq = s.find('=', i);
    size_t semi = s.find(';', i);
    if (eq == std::string_view::npos || (semi != std::string_view::npos && semi < eq)) {
      if (semi == std::string_view::npos) break;
      i = semi + 1;  // a part without '=': skip it
      continue;
    }
    std::string key = trim(std::string(s.substr(i, eq - i)));
    size_t j = eq + 1;
    while (j < s.size() && s[j] == ' ') ++j;
    std::string value;
    if (j < s.size() && s[j] == '{') {
      ++j;
      while (j < s.size()) {
        if (s[j] == '}') {
          if (j + 1 < s.size() && s[j + 1] == '}') {
            value += '}';
            j += 2;
            continue;
          }
          ++j;
          break;
        }
        value += s[j++];
      }
      size_t next = s.find(';', j);
      i = next == std::string_view::npos ? s.size() : next + 1;
    } else {
      size_t next = s.find(';', j);
      value = trim(std::string(s.substr(j, next == std::string_view::npos ? std::string::npos
                                                                          : next - j)));
      i = next == std::string_view::npos ? s.size() : next + 1;
    }
    out.emplace_back(std::move(key), std::move(value));
  }
  return out;
}

Status Conflict(const std::string& what, const std::string& detail) {
  return Status::Conflict(what + ": " + detail);
}

}  // namespace

std::string ExactMatchSql(SqlDialect d, const std::string& q, int16_t sql_type, int* params) {
  const bool wide = sql_type == SQL_WCHAR || sql_type == SQL_WVARCHAR ||
                    sql_type == SQL_WLONGVARCHAR;
  const bool chars = wide || sql_type == SQL_CHAR || sql_type == SQL_VARCHAR ||
                     sql_type == SQL_LONGVARCHAR;
  switch (d) {
    case SqlDialect::kSqlite:
      *params = 1;
      return q + (chars ? " IS ? COLLATE BINARY" : " IS ?");
    case SqlDialect::kPostgres:
      *params = 1;
      return q + (chars ? " COLLATE \"C\" IS NOT DISTINCT FROM ?" : " IS NOT DISTINCT FROM ?");
    case SqlDialect::kSqlServer:
      break;
  }
  *params = 2;
  if (!chars) return "(" + q + " = ? OR (" + q + " IS NULL AND ? IS NULL))";
  const std::string text = wide ? "NVARCHAR(MAX)" : "VARCHAR(MAX)";
  return "(CAST(" + q + " AS VARBINARY(MAX)) = CAST(CAST(? AS " + text +
         ") AS VARBINARY(MAX)) OR (" + q + " IS NULL AND ? IS NULL))";
}

const char* SqlDialectName(SqlDialect d) {
  switch (d) {
    case SqlDialect::kSqlite: return "SQLite";
    case SqlDialect::kPostgres: return "PostgreSQL";
    case SqlDialect::kSqlServer: return "SQL Server";
  }
  return "?";
}

std::optional<std::string> ConnectionStringValue(std::string_view connection_string,
                                                 std::string_view key) {
  for (auto& [k, v] : ParseConnectionString(connection_string)) {
    if (EqualsIgnoreCase(k, key)) return v;
  }
  return std::nullopt;
}

// ---------------------------------------------------------------------------

SqlTarget::SqlTarget(std::string name, std::string connection_string, SqlDialect dialect,
                     std::unique_ptr<OdbcConnection> conn)
    : name_(std::move(name)),
      connection_string_(std::move(connection_string)),
      dialect_(dialect),
      conn_(std::move(conn)) {}

SqlTarget::~SqlTarget() = default;

Result<std::unique_ptr<SqlTarget>> SqlTarget::Connect(std::string name,
                                                      std::string connection_string) {
  auto conn = OdbcConnection::Open(connection_string);
  if (!conn.ok()) {
    return Status::IoError("database " + name + ": cannot connect with \"" +
                           store::MaskConnectionPasswords(connection_string) +
                           "\": " + conn.status().message());
  }
  auto dbms = (*conn)->DbmsName();
  if (!dbms.ok()) return dbms.status().Prefix("database " + name);
  SqlDialect dialect;
  if (*dbms == "SQLite" || dbms->rfind("SQLite", 0) == 0) {
    dialect = SqlDialect::kSqlite;
  } else if (dbms->find("PostgreSQL") != std::string::npos) {
    dialect = SqlDialect::kPostgres;
  } else if (dbms->find("SQL Server") != std::string::npos) {
    dialect = SqlDialect::kSqlServer;
  } else {
    return Status::Unsupported("database " + name + ": unsupported DBMS \"" + *dbms + "\"");
  }
  return std::unique_ptr<SqlTarget>(
      new SqlTarget(std::move(name), std::move(connection_string), dialect, std::move(*conn)));
}

void SqlTarget::Disconnect() { conn_.reset(); }

Status SqlTarget::EnsureConnected() {
  if (conn_ != nullptr) return Status::Ok();
  auto conn = OdbcConnection::Open(connection_string_);
  if (!conn.ok()) {
    return Status::IoError("database " + name_ + ": cannot connect with \"" +
                           store::MaskConnectionPasswords(connection_string_) +
                           "\": " + conn.status().message());
  }
  conn_ = std::move(*conn);
  return Status::Ok();
}

// After a failure: a lost connection (SQLSTATE class 08) is dropped so the
// next call reconnects.
Status SqlTarget::IoFailure(const std::string& what) {
  if (conn_ != nullptr && conn_->last_sqlstate().rfind("08", 0) == 0) conn_.reset();
  return Status::IoError("database " + name_ + ": " + what);
}

std::string SqlTarget::Quote(const std::string& part) const {
  std::string out;
  if (dialect_ == SqlDialect::kSqlServer) {
    out = "[";
    for (char c : part) {
      out += c;
      if (c == ']') out += ']';
    }
    return out + "]";
  }
  out = "\"";
  for (char c : part) {
    out += c;
    if (c == '"') out += '"';
  }
  return out + "\"";
}

Result<std::string> SqlTarget::QuoteName(const std::string& name) const {
  std::string out;
  for (const std::string& part : SplitDots(name)) {
    TM_RETURN_IF_ERROR(ValidateIdentifier(part, name));
    if (!out.empty()) out += ".";
    out += Quote(part);
  }
  return out;
}

// Every operation starts here, before anything is written: when an
// established connection turns out to be lost (SQLSTATE class 08, e.g. after a
// server restart) it reconnects once and tries again.
Result<SqlTarget::Table> SqlTarget::ResolveTable(const std::string& table) {
  bool was_connected = conn_ != nullptr;
  auto t = ResolveTableOnce(table);
  if (!t.ok() && was_connected && conn_ == nullptr && t.status().Is(StatusCode::kIoError)) {
    return ResolveTableOnce(table);
  }
  return t;
}

Result<SqlTarget::Table> SqlTarget::ResolveTableOnce(const std::string& table) {
  TM_RETURN_IF_ERROR(EnsureConnected());
  std::vector<std::string> candidates = {table};
  if (dialect_ == SqlDialect::kPostgres && AsciiLower(table) != table) {
    candidates.push_back(AsciiLower(table));
  }
  std::string first_error;
  for (const std::string& candidate : candidates) {
    auto quoted_or = QuoteName(candidate);
    if (!quoted_or.ok()) {
      return Status::InvalidInput("database " + name_ + ": table " + table + ": " +
                                  quoted_or.status().message());
    }
    const std::string& quoted = *quoted_or;
    auto described = conn_->Run("SELECT * FROM " + quoted + " WHERE 1=0");
    if (described.ok()) {
      Table t;
      t.given = table;
      std::vector<std::string> parts = SplitDots(candidate);
      t.bare = parts.back();
      if (parts.size() >= 2) t.schema = parts[parts.size() - 2];
      t.sql = quoted;
      t.columns = std::move(described->columns);
      return t;
    }
    if (conn_->last_sqlstate().rfind("08", 0) == 0) return IoFailure(described.status().message());
    if (first_error.empty()) first_error = described.status().message();
  }
  return Status::InvalidInput("database " + name_ + ": table " + table +
                              " does not exist or cannot be read (" + first_error + ")");
}

Result<size_t> SqlTarget::ResolveColumn(const Table& t, const std::string& column) const {
  TM_RETURN_IF_ERROR(ValidateIdentifier(column, column));
  for (size_t i = 0; i < t.columns.size(); ++i) {
    if (t.columns[i].name == column) return i;
  }
  std::optional<size_t> found;
  for (size_t i = 0; i < t.columns.size(); ++i) {
    if (EqualsIgnoreCase(t.columns[i].name, column)) {
      if (found) {
        return Status::InvalidInput("database " + name_ + ": table " + t.given + ": column " +
                                    column + " is ambiguous (differs only in case)");
      }
      found = i;
    }
  }
  if (found) return *found;
  return Status::InvalidInput("database " + name_ + ": table " + t.given + " has no column " +
                              column);
}

const OdbcColumn* SqlTarget::ParamColumn(const OdbcColumn* c) const {
  // SQLite stores each value with its own type: bound as what it is, never
  // converted to the column's declared type by the driver.
  return dialect_ == SqlDialect::kSqlite ? nullptr : c;
}

std::string SqlTarget::SelectColumn(const Table& t, size_t i) const {
  std::string q = Quote(t.columns[i].name);
  if (dialect_ == SqlDialect::kSqlite) {
    // Each cell as stored, whatever the column's declared type (dynamic
    // typing): its storage class as a tag, then its exact content (text and
    // blobs as hex, so a NUL inside text is kept). Fetched decodes it.
    return "CASE typeof(" + q + ") WHEN 'integer' THEN 'i' || " + q + " WHEN 'real' THEN 'r' || " +
           "printf('%!.17g', " + q + ") WHEN 'text' THEN 't' || hex(" + q + ") WHEN 'blob' THEN " +
           "'b' || hex(" + q + ") END";
  }
  return q;
}

namespace {

// A real as SQLite's printf('%!.17g') writes it ("2.5", "-inf", "1e+300").
std::optional<double> ParseReal(std::string_view text) {
  const bool negative = !text.empty() && text[0] == '-';
  if (negative || (!text.empty() && text[0] == '+')) text.remove_prefix(1);
  double d = 0;
  if (EqualsIgnoreCase(text, "inf")) {
    d = std::numeric_limits<double>::infinity();
  } else {
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), d);
    if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  }
  return negative ? -d : d;
}

}  // namespace

Value SqlTarget::Fetched(const Table& t, size_t i, Value v) const {
  (void)t;
  (void)i;
  if (dialect_ != SqlDialect::kSqlite || v.type != ValueType::kText || v.bytes.empty()) return v;
  const std::string_view body = std::string_view(v.bytes).substr(1);
  std::string raw;
  switch (v.bytes[0]) {
    case 'i': {
      int64_t n = 0;
      auto [end, ec] = std::from_chars(body.data(), body.data() + body.size(), n);
      if (ec == std::errc() && end == body.data() + body.size()) return Value::Integer(n);
      break;
    }
    case 'r':
      if (auto d = ParseReal(body)) return Value::Real(*d);
      break;
    case 't':
      if (FromHex(body, &raw)) return Value::Text(std::move(raw));
      break;
    case 'b':
      if (FromHex(body, &raw)) return Value::Binary(std::move(raw));
      break;
  }
  return v;
}

Result<Value> SqlTarget::Coerce(const Table& t, size_t i, const Value& v,
                                const std::string& what) const {
  ValueType column_type = ValueTypeForSqlType(t.columns[i].sql_type);
  if (v.type == ValueType::kNull || v.type == column_type) return v;
  constexpr double kExactLimit = 9007199254740992.0;  // 2^53
  if (v.type == ValueType::kInteger && column_type == ValueType::kReal &&
      static_cast<double>(v.integer) <= kExactLimit &&
      static_cast<double>(v.integer) >= -kExactLimit) {
    return Value::Real(static_cast<double>(v.integer));
  }
  if (v.type == ValueType::kReal && column_type == ValueType::kInteger &&
      v.real == static_cast<double>(static_cast<int64_t>(v.real)) && v.real <= kExactLimit &&
      v.real >= -kExactLimit) {
    return Value::Integer(static_cast<int64_t>(v.real));
  }
  if (v.type == ValueType::kInteger && column_type == ValueType::kText) {
    return Value::Text(std::to_string(v.integer));
  }
  if (dialect_ == SqlDialect::kSqlite) {
    // Dynamic typing: a value SQLite keeps as it is under the column's
    // affinity reads back equal (a blob always; a real that is not whole in
    // an INTEGER column; text that is not a number in a numeric column).
    const bool numeric = column_type == ValueType::kInteger || column_type == ValueType::kReal;
    if (v.type == ValueType::kBinary || (v.type == ValueType::kReal && numeric) ||
        (v.type == ValueType::kText && (!numeric || !ParseReal(v.bytes)))) {
      return v;
    }
  }
  return Status::InvalidInput(what + ": column " + t.columns[i].name + " holds " +
                              ValueTypeName(column_type) + " values; the " +
                              ValueTypeName(v.type) + " value " + v.ToDisplay() +
                              " would not read back equal");
}

void SqlTarget::AppendNullSafeMatch(const Table& t, size_t column, const Value& v,
                                    std::string* sql, std::vector<OdbcParam>* params) const {
  const OdbcColumn* c = &t.columns[column];
  int count = 0;
  *sql += ExactMatchSql(dialect_, Quote(c->name), c->sql_type, &count);
  for (int i = 0; i < count; ++i) params->push_back(OdbcParam{v, ParamColumn(c)});
}

Status SqlTarget::AppendKeyMatch(const Table& t, const std::vector<KeyPart>& key,
                                 std::string* sql, std::vector<OdbcParam>* params) const {
  if (key.empty()) {
    return Status::InvalidInput("database " + name_ + ": table " + t.given +
                                ": a primary key value is required");
  }
  bool first = true;
  for (const KeyPart& part : key) {
    if (!IsKeyValue(part.value)) {
      return Status::InvalidInput("database " + name_ + ": table " + t.given + ": key column " +
                                  part.column + " must be an integer or text, not " +
                                  ValueTypeName(part.value.type));
    }
    TM_ASSIGN_OR_RETURN(size_t i, ResolveColumn(t, part.column));
    if (!first) *sql += " AND ";
    first = false;
    *sql += Quote(t.columns[i].name) + " = ?";
    params->push_back(OdbcParam{part.value, ParamColumn(&t.columns[i])});
  }
  return Status::Ok();
}

Result<Value> SqlTarget::Read(const Resource& r) {
  if (r.kind != ResourceKind::kSqlCell && r.kind != ResourceKind::kSqlRow) {
    return Status::InvalidInput(r.Display() + ": not a SQL resource");
  }
  TM_ASSIGN_OR_RETURN(Table t, ResolveTable(r.path));
  std::string where;
  std::vector<OdbcParam> params;
  TM_RETURN_IF_ERROR(AppendKeyMatch(t, r.key, &where, &params));
  std::string select;
  std::vector<size_t> selected;
  if (r.kind == ResourceKind::kSqlCell) {
    TM_ASSIGN_OR_RETURN(size_t c, ResolveColumn(t, r.name));
    selected.push_back(c);
  } else {
    for (size_t i = 0; i < t.columns.size(); ++i) selected.push_back(i);
  }
  for (size_t i : selected) select += (select.empty() ? "" : ", ") + SelectColumn(t, i);
  auto result = conn_->Run("SELECT " + select + " FROM " + t.sql + " WHERE " + where, params, 1);
  if (!result.ok()) return IoFailure(r.Display() + ": " + result.status().message());
  if (result->more_rows) {
    return Status::InvalidInput("database " + name_ + ": table " + r.path + ": " +
                                r.Display() + ": 2 or more rows match the key");
  }
  if (result->rows.empty()) return Value::Absent();
  if (r.kind == ResourceKind::kSqlCell) {
    return Fetched(t, selected[0], std::move(result->rows[0][0]));
  }
  std::vector<RowField> fields;
  for (size_t i = 0; i < t.columns.size(); ++i) {
    fields.push_back(RowField{t.columns[i].name, Fetched(t, i, std::move(result->rows[0][i]))});
  }
  return Value::Row(std::move(fields));
}

Status SqlTarget::RunInTransaction(const std::string& sql, const std::vector<OdbcParam>& params,
                                   const std::string& what, bool many_is_invalid,
                                   const Precheck* must_be_empty) {
  TM_RETURN_IF_ERROR(conn_->Begin().Prefix("database " + name_));
  if (must_be_empty != nullptr) {
    auto found = conn_->Run(must_be_empty->sql, must_be_empty->params, 1);
    if (!found.ok() || !found->rows.empty()) {
      (void)conn_->Rollback();
      if (!found.ok()) return IoFailure(what + ": " + found.status().message());
      return Conflict(what, "a row with this key already exists");
    }
  }
  auto result = conn_->Run(sql, params);
  if (!result.ok()) {
    std::string state = conn_->last_sqlstate();
    (void)conn_->Rollback();
    if (state.rfind("23", 0) == 0) return Conflict(what, result.status().message());
    return IoFailure(what + ": " + result.status().message());
  }
  int64_t rows = result->rows_affected;
  if (rows != 1) {
    (void)conn_->Rollback();
    if (rows == 0) return Conflict(what, "the value changed or the row is gone (0 rows matched)");
    if (many_is_invalid) {
      return Status::InvalidInput(what + ": " + std::to_string(rows) +
                                  " rows match the key (nothing changed)");
    }
    return Conflict(what, std::to_string(rows) + " rows matched instead of 1 (nothing changed)");
  }
  Status committed = conn_->Commit();
  if (!committed.ok()) return IoFailure(what + ": " + committed.message());
  return Status::Ok();
}

Status SqlTarget::Write(const Resource& r, const Value& expected, const Value& after) {
  if (r.kind == ResourceKind::kSqlCell) return WriteCell(r, expected, after);
  if (r.kind == ResourceKind::kSqlRow) return WriteRow(r, expected, after);
  return Status::InvalidInput(r.Display() + ": not a SQL resource");
}

Status SqlTarget::WriteCell(const Resource& r, const Value& expected, const Value& after) {
  if (!IsSqlScalar(expected) || !IsSqlScalar(after)) {
    return Status::InvalidInput(r.Display() + ": a cell holds null, integer, real, text or " +
                                "binary (got " + ValueTypeName(expected.type) + " → " +
                                ValueTypeName(after.type) + "); rows are inserted/deleted as rows");
  }
  TM_ASSIGN_OR_RETURN(Table t, ResolveTable(r.path));
  TM_ASSIGN_OR_RETURN(size_t c, ResolveColumn(t, r.name));
  TM_ASSIGN_OR_RETURN(Value value, Coerce(t, c, after, "database " + name_ + ": " + r.Display()));
  std::vector<OdbcParam> params;
  std::string sql = "UPDATE " + t.sql + " SET " + Quote(t.columns[c].name) + " = ? WHERE ";
  params.push_back(OdbcParam{std::move(value), ParamColumn(&t.columns[c])});
  TM_RETURN_IF_ERROR(AppendKeyMatch(t, r.key, &sql, &params));
  sql += " AND ";
  AppendNullSafeMatch(t, c, expected, &sql, &params);
  return RunInTransaction(sql, params, "database " + name_ + ": " + r.Display(), true);
}

namespace {

// A row value to write: absent, or a row image of scalar cells that agrees
// with the resource's key.
Status CheckRowImage(const Resource& r, const Value& v, const std::string& what) {
  if (v.type == ValueType::kAbsent) return Status::Ok();
  if (v.type != ValueType::kRow) {
    return Status::InvalidInput(what + ": a row value must be a row image or absent, not " +
                                ValueTypeName(v.type));
  }
  for (const RowField& f : v.row) {
    if (!IsSqlScalar(f.value)) {
      return Status::InvalidInput(what + ": column " + f.column + " holds a " + ValueTypeName(f.value.type) +
                                  " value");
    }
  }
  for (const KeyPart& k : r.key) {
    for (const RowField& f : v.row) {
      if (EqualsIgnoreCase(f.column, k.column) && f.value != k.value) {
        return Status::InvalidInput(what + ": the row image has " + f.column + " = " + f.value.ToDisplay() +
                                    " but the key says " + k.value.ToDisplay());
      }
    }
  }
  return Status::Ok();
}

}  // namespace

Status SqlTarget::WriteRow(const Resource& r, const Value& expected, const Value& after) {
  const std::string what = "database " + name_ + ": " + r.Display();
  TM_RETURN_IF_ERROR(CheckRowImage(r, expected, what));
  TM_RETURN_IF_ERROR(CheckRowImage(r, after, what));
  if (expected.absent() && after.absent()) {
    return Status::InvalidInput(what + ": nothing to write (absent → absent)");
  }
  TM_ASSIGN_OR_RETURN(Table t, ResolveTable(r.path));
  std::vector<OdbcParam> params;
  std::string sql;

  if (expected.absent()) {  // INSERT
    if (after.row.empty()) return Status::InvalidInput(what + ": empty row image");
    std::string names, marks;
    for (const RowField& f : after.row) {
      TM_ASSIGN_OR_RETURN(size_t c, ResolveColumn(t, f.column));
      TM_ASSIGN_OR_RETURN(Value value, Coerce(t, c, f.value, what));
      if (!names.empty()) {
        names += ", ";
        marks += ", ";
      }
      names += Quote(t.columns[c].name);
      marks += "?";
      params.push_back(OdbcParam{std::move(value), ParamColumn(&t.columns[c])});
    }
    for (const KeyPart& k : r.key) {
      bool present = std::any_of(after.row.begin(), after.row.end(), [&](const RowField& f) {
        return EqualsIgnoreCase(f.column, k.column);
      });
      if (!present) {
        return Status::InvalidInput(what + ": the row image lacks key column " + k.column);
      }
    }
    // Refused when a row with this key exists (checked inside the same transaction).
    Precheck absent;
    absent.sql = "SELECT 1 FROM " + t.sql + " WHERE ";
    TM_RETURN_IF_ERROR(AppendKeyMatch(t, r.key, &absent.sql, &absent.params));
    sql = "INSERT INTO " + t.sql + " (" + names + ") VALUES (" + marks + ")";
    return RunInTransaction(sql, params, what, false, &absent);
  }

  const Value& image = expected;
  std::string where;
  TM_RETURN_IF_ERROR(AppendKeyMatch(t, r.key, &where, &params));
  std::vector<OdbcParam> match_params;
  std::string match;
  for (const RowField& f : image.row) {
    TM_ASSIGN_OR_RETURN(size_t c, ResolveColumn(t, f.column));
    match += " AND ";
    AppendNullSafeMatch(t, c, f.value, &match, &match_params);
  }
  if (after.absent()) {  // DELETE
    sql = "DELETE FROM " + t.sql + " WHERE " + where + match;
    params.insert(params.end(), match_params.begin(), match_params.end());
    return RunInTransaction(sql, params, what, false);
  }
  // UPDATE the whole row image.
  std::vector<OdbcParam> set_params;
  std::string set;
  for (const RowField& f : after.row) {
    TM_ASSIGN_OR_RETURN(size_t c, ResolveColumn(t, f.column));
    TM_ASSIGN_OR_RETURN(Value value, Coerce(t, c, f.value, what));
    if (!set.empty()) set += ", ";
    set += Quote(t.columns[c].name) + " = ?";
    set_params.push_back(OdbcParam{std::move(value), ParamColumn(&t.columns[c])});
  }
  if (set.empty()) return Status::InvalidInput(what + ": empty row image");
  sql = "UPDATE " + t.sql + " SET " + set + " WHERE " + where + match;
  set_params.insert(set_params.end(), params.begin(), params.end());
  set_params.insert(set_params.end(), match_params.begin(), match_params.end());
  return RunInTransaction(sql, set_params, what, false);
}

Result<std::vector<std::vector<KeyPart>>> SqlTarget::FindRows(
    const std::string& table, const std::vector<std::string>& key_columns,
    const std::string& column, const Value& equals) {
  if (!IsSqlScalar(equals)) {
    return Status::InvalidInput("database " + name_ + ": table " + table + ": cannot match " +
                                ValueTypeName(equals.type) + " values");
  }
  if (key_columns.empty()) {
    return Status::InvalidInput("database " + name_ + ": table " + table + ": no key columns");
  }
  TM_ASSIGN_OR_RETURN(Table t, ResolveTable(table));
  std::string keys;
  for (const std::string& k : key_columns) {
    TM_ASSIGN_OR_RETURN(size_t i, ResolveColumn(t, k));
    if (!keys.empty()) keys += ", ";
    keys += Quote(t.columns[i].name);
  }
  TM_ASSIGN_OR_RETURN(size_t c, ResolveColumn(t, column));
  std::string sql = "SELECT " + keys + " FROM " + t.sql + " WHERE ";
  std::vector<OdbcParam> params;
  AppendNullSafeMatch(t, c, equals, &sql, &params);
  sql += " ORDER BY " + keys;
  auto result = conn_->Run(sql, params);
  if (!result.ok()) return IoFailure("table " + table + ": " + result.status().message());
  std::vector<std::vector<KeyPart>> found;
  for (auto& row : result->rows) {
    std::vector<KeyPart> key;
    for (size_t i = 0; i < key_columns.size(); ++i) {
      if (!IsKeyValue(row[i])) {
        return Status::InvalidInput("database " + name_ + ": table " + table + ": key column " +
                                    key_columns[i] + " holds a " + ValueTypeName(row[i].type) +
                                    " value (keys must be integer or text)");
      }
      key.push_back(KeyPart{key_columns[i], std::move(row[i])});
    }
    found.push_back(std::move(key));
  }
  return found;
}

Result<std::vector<std::string>> SqlTarget::PrimaryKey(const std::string& table) {
  TM_ASSIGN_OR_RETURN(Table t, ResolveTable(table));
  auto keys = conn_->PrimaryKeyColumns(t.schema, t.bare);
  if (!keys.ok()) return IoFailure("table " + table + ": " + keys.status().message());
  std::vector<std::string> names = std::move(*keys);
  if (names.empty() && dialect_ == SqlDialect::kSqlite) {
    auto info = conn_->Run("PRAGMA table_info(" + Quote(t.bare) + ")");
    if (!info.ok()) return IoFailure("table " + table + ": " + info.status().message());
    std::vector<std::pair<int64_t, std::string>> pk;
    size_t name_col = 1, pk_col = 5;
    for (size_t i = 0; i < info->columns.size(); ++i) {
      if (info->columns[i].name == "name") name_col = i;
      if (info->columns[i].name == "pk") pk_col = i;
    }
    for (auto& row : info->rows) {
      if (row.size() <= std::max(name_col, pk_col)) continue;
      int64_t seq = 0;
      if (row[pk_col].type == ValueType::kInteger) seq = row[pk_col].integer;
      if (row[pk_col].type == ValueType::kText) seq = std::atoll(row[pk_col].bytes.c_str());
      if (seq > 0 && row[name_col].type == ValueType::kText) {
        pk.emplace_back(seq, row[name_col].bytes);
      }
    }
    std::sort(pk.begin(), pk.end());
    for (auto& p : pk) names.push_back(std::move(p.second));
  }
  if (names.empty()) {
    return Status::InvalidInput("database " + name_ + ": table " + table +
                                " has no primary key");
  }
  return names;
}

Result<std::vector<std::pair<Resource, Value>>> SqlTarget::ScanTable(
    const std::string& table, const std::vector<std::string>& key_columns) {
  if (key_columns.empty()) {
    return Status::InvalidInput("database " + name_ + ": table " + table + ": no key columns");
  }
  TM_ASSIGN_OR_RETURN(Table t, ResolveTable(table));
  std::vector<size_t> key_index;
  std::string order;
  for (const std::string& k : key_columns) {
    TM_ASSIGN_OR_RETURN(size_t i, ResolveColumn(t, k));
    key_index.push_back(i);
    if (!order.empty()) order += ", ";
    order += Quote(t.columns[i].name);
  }
  std::string select;
  for (size_t i = 0; i < t.columns.size(); ++i) {
    select += (select.empty() ? "" : ", ") + SelectColumn(t, i);
  }
  auto result = conn_->Run("SELECT " + select + " FROM " + t.sql + " ORDER BY " + order);
  if (!result.ok()) return IoFailure("table " + table + ": " + result.status().message());
  std::vector<std::pair<Resource, Value>> cells;
  for (auto& fetched : result->rows) {
    std::vector<Value> row;
    for (size_t c = 0; c < fetched.size(); ++c) row.push_back(Fetched(t, c, std::move(fetched[c])));
    std::vector<KeyPart> key;
    for (size_t k = 0; k < key_index.size(); ++k) {
      const Value& v = row[key_index[k]];
      if (!IsKeyValue(v)) {
        return Status::InvalidInput("database " + name_ + ": table " + table + ": key column " +
                                    key_columns[k] + " holds a " + ValueTypeName(v.type) +
                                    " value (keys must be integer or text)");
      }
      key.push_back(KeyPart{key_columns[k], v});
    }
    for (size_t c = 0; c < row.size(); ++c) {
      cells.emplace_back(Resource::SqlCell(name_, table, key, t.columns[c].name), std::move(row[c]));
    }
  }
  return cells;
}

Result<int64_t> SqlTarget::Execute(const std::string& sql) {
  TM_RETURN_IF_ERROR(EnsureConnected());
  auto result = conn_->Run(sql);
  if (!result.ok()) return IoFailure(result.status().message());
  return result->rows_affected;
}

Result<OdbcResult> SqlTarget::Query(const std::string& sql, const std::vector<Value>& params) {
  TM_RETURN_IF_ERROR(EnsureConnected());
  std::vector<OdbcParam> bound;
  for (const Value& v : params) bound.push_back(OdbcParam{v, nullptr});
  auto result = conn_->Run(sql, bound);
  if (!result.ok()) return IoFailure(result.status().message());
  return result;
}

}  // namespace tidemark::targets
