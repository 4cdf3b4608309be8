// SqlTarget: the adapter to one database of the environment, over ODBC.
// Reads and compare-and-set writes of SQL cells and rows (DESIGN.md §4–5),
// always with bound parameters and validated, quoted identifiers.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/targets/odbc_connection.h"
#include "store/resource.h"
#include "store/status.h"
#include "store/value.h"

namespace tidemark::targets {

enum class SqlDialect { kSqlite, kPostgres, kSqlServer };

const char* SqlDialectName(SqlDialect d);

// The WHERE condition that holds when the column `quoted` (an identifier as
// the dialect quotes it, of ODBC type `sql_type`) equals the bound value
// exactly, NULL matching NULL, and `params` the number of `?` it binds (each
// to the same value). Character columns compare their bytes, not by their
// collation: a case-insensitive collation would take 'HTTP://DT1/' for
// 'http://dt1/', and SQL Server's `=` ignores trailing spaces —
//   SQLite:     "q" IS ? COLLATE BINARY
//   PostgreSQL: "q" COLLATE "C" IS NOT DISTINCT FROM ?
//   SQL Server: (CAST([q] AS VARBINARY(MAX)) = CAST(CAST(? AS NVARCHAR(MAX))
//               AS VARBINARY(MAX)) OR ([q] IS NULL AND ? IS NULL))
// (VARCHAR(MAX) for non-Unicode columns). Other types compare with `=`/IS.
std::string ExactMatchSql(SqlDialect d, const std::string& quoted, int16_t sql_type, int* params);

// The value of `key` in an ODBC connection string ("k1=v1;k2={v;2}"), keys
// compared case-insensitively, braces removed; nullopt when absent.
std::optional<std::string> ConnectionStringValue(std::string_view connection_string,
                                                 std::string_view key);

// Table and column names: a table may be schema-qualified ("dbo.OutflowServices",
// each dot-separated part quoted separately). A name is refused (InvalidInput)
// when empty, longer than 128 bytes, or containing control characters; it is
// then quoted per dialect ("x" with "" doubled; [x] with ]] doubled for SQL
// Server). Names are matched against the database: the exact spelling first,
// then (PostgreSQL tables) the lower-cased one, then (columns) the unique
// ASCII case-insensitive match.
//
// Not thread-safe: one thread at a time.
class SqlTarget {
 public:
  // Connects through ODBC (SQLDriverConnect with the full connection string,
  // e.g. "Driver=SQLite3;Database=/x/registry.db"). The dialect comes from
  // SQLGetInfo(SQL_DBMS_NAME); Unsupported for other databases. IoError with
  // the ODBC diagnostic (SQLSTATE + message) when unreachable; the message
  // names `name` and the connection string with passwords redacted.
  static Result<std::unique_ptr<SqlTarget>> Connect(std::string name,
                                                    std::string connection_string);
  ~SqlTarget();
  SqlTarget(const SqlTarget&) = delete;
  SqlTarget& operator=(const SqlTarget&) = delete;

  const std::string& name() const { return name_; }
  SqlDialect dialect() const { return dialect_; }
  const std::string& connection_string() const { return connection_string_; }

  // Cell (Resource::SqlCell: path = table, key = primary-key parts, name =
  // column): Null/Integer/Real/Text/Binary, Absent when no row matches the
  // key, InvalidInput when 2+ rows match or the table/column does not exist
  // (the message names database, table and column). Row (Resource::SqlRow):
  // Value::Row(every column in table order) or Absent. Key parts must be
  // Integer or Text. IoError when the database cannot be reached.
  Result<Value> Read(const Resource& r);

  // Compare-and-set, inside a transaction that is rolled back on any failure.
  // Cell: sets the column to `after` where the key matches and the column
  // still equals `expected` (NULL-safe); exactly one row must change, else
  // Conflict (0 rows: the value changed or the row is gone) or InvalidInput
  // (2+ rows). Both values must be Null/Integer/Real/Text/Binary. `after` is
  // converted to the type the column reads as when that loses nothing
  // (integer ↔ real within 2^53, integer → text); other mismatches (text into
  // an integer column, ...) are InvalidInput, so that what is written reads
  // back as written (SQLite: the declared type decides).
  // Row: expected Absent + after Row → INSERT (Conflict when a row with that
  // key already exists); expected Row + after Absent → DELETE where the key and
  // every column of the image match (exactly one row, else Conflict);
  // expected Row + after Row → UPDATE every column of `after` where every
  // column of `expected` matches (exactly one row, else Conflict).
  // The key parts inside a row image must equal the resource's key.
  Status Write(const Resource& r, const Value& expected, const Value& after);

  // Keys (ordered by the key columns) of the rows of `table` whose `column`
  // equals `equals` (NULL-safe), for sql.replace. Key parts are named as in
  // `key_columns`; each value is Integer or Text (InvalidInput otherwise).
  Result<std::vector<std::vector<KeyPart>>> FindRows(const std::string& table,
                                                     const std::vector<std::string>& key_columns,
                                                     const std::string& column,
                                                     const Value& equals);

  // Primary-key column names of `table` in key order (SQLPrimaryKeys; for
  // SQLite PRAGMA table_info when the driver returns nothing). InvalidInput
  // when the table does not exist or has no primary key.
  Result<std::vector<std::string>> PrimaryKey(const std::string& table);

  // Every cell (key columns included) of every row of `table`, ordered by
  // `key_columns`, as (Resource::SqlCell keyed by `key_columns`, value).
  Result<std::vector<std::pair<Resource, Value>>> ScanTable(
      const std::string& table, const std::vector<std::string>& key_columns);

  // Runs one statement without parameters (setup, tests, backups) in
  // autocommit mode. Returns the rows affected (-1 when the driver does not say).
  Result<int64_t> Execute(const std::string& sql);

  // Runs `sql` with bound parameters and returns every row (backup drivers:
  // VACUUM INTO ?, BACKUP DATABASE ... TO DISK = ?).
  Result<OdbcResult> Query(const std::string& sql, const std::vector<Value>& params = {});

  // Closes the connection (e.g. before a SQLite restore replaces the file).
  // Every other method reconnects lazily.
  void Disconnect();

 private:
  struct Table;  // a resolved table: quoted name and columns in table order

  SqlTarget(std::string name, std::string connection_string, SqlDialect dialect,
            std::unique_ptr<OdbcConnection> conn);
  Status EnsureConnected();
  Result<Table> ResolveTable(const std::string& table);
  Result<Table> ResolveTableOnce(const std::string& table);
  Result<size_t> ResolveColumn(const Table& t, const std::string& column) const;
  Result<std::string> QuoteName(const std::string& name) const;
  // Select-list expression for column `i` and the conversion of what it
  // fetched: SQLite's ODBC driver hands doubles over rounded to 15 digits, so
  // REAL columns are selected as 17-digit text and parsed back exactly.
  std::string SelectColumn(const Table& t, size_t i) const;
  // The column a parameter is bound as (nullptr: as its own value type).
  const OdbcColumn* ParamColumn(const OdbcColumn* c) const;
  Value Fetched(const Table& t, size_t i, Value v) const;
  // The value to bind into column `i`: `v` itself when NULL or of the type the
  // column reads as; lossless conversions (integer ↔ real within 2^53,
  // integer → text); InvalidInput for anything else.
  Result<Value> Coerce(const Table& t, size_t i, const Value& v, const std::string& what) const;
  std::string Quote(const std::string& part) const;
  // Appends "<col> matches ?" (NULL-safe per dialect) and its parameter(s).
  void AppendNullSafeMatch(const Table& t, size_t column, const Value& v, std::string* sql,
                           std::vector<OdbcParam>* params) const;
  Status AppendKeyMatch(const Table& t, const std::vector<KeyPart>& key, std::string* sql,
                        std::vector<OdbcParam>* params) const;
  // A query that must return no row before the statement runs (INSERT).
  struct Precheck {
    std::string sql;
    std::vector<OdbcParam> params;
  };
  // Runs `sql` in a transaction committed only when exactly one row changed;
  // 0 rows → Conflict, 2+ → InvalidInput (`many_is_invalid`) or Conflict.
  Status RunInTransaction(const std::string& sql, const std::vector<OdbcParam>& params,
                          const std::string& what, bool many_is_invalid,
                          const Precheck* must_be_empty = nullptr);
  Status WriteCell(const Resource& r, const Value& expected, const Value& after);
  Status WriteRow(const Resource& r, const Value& expected, const Value& after);
  // IoError naming the database; a lost connection (SQLSTATE class 08) is
  // dropped so that the next call reconnects.
  Status IoFailure(const std::string& what);

  std::string name_;
  std::string connection_string_;
  SqlDialect dialect_;
  std::unique_ptr<OdbcConnection> conn_;
};

}  // namespace tidemark::targets
