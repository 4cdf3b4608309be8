// OdbcConnection: one ODBC connection (unixODBC on Linux, odbc32 on Windows)
// and the statements run on it, every parameter bound and every result fetched
// as a typed Value. Only this unit and odbc_text_* call the ODBC API.
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "store/status.h"
#include "store/value.h"

namespace tidemark::targets {

// A result-set column as the driver describes it (SQLDescribeCol).
struct OdbcColumn {
  std::string name;
  int16_t sql_type = 0;       // SQL_INTEGER, SQL_VARCHAR, SQL_WLONGVARCHAR, ...
  uint64_t column_size = 0;   // precision / length as described (0 = unknown)
  int16_t decimal_digits = 0;
};

// The Value type a column of `sql_type` is read as: integer types (and BIT) →
// kInteger, REAL/FLOAT/DOUBLE → kReal, binary types → kBinary, everything else
// (char types, NUMERIC/DECIMAL kept exact, dates, GUIDs) → kText. A NULL cell
// is always kNull.
ValueType ValueTypeForSqlType(int16_t sql_type);

// One statement parameter: a Null/Integer/Real/Text/Binary value bound with
// the C type that matches the value. When `column` is set its SQL type (and
// size) is used as the parameter's SQL type, so the driver converts to the
// column's type (this matters for NULLs and for PostgreSQL's typed parameters).
struct OdbcParam {
  Value value;
  const OdbcColumn* column = nullptr;  // not owned; must outlive the Run call
};

struct OdbcResult {
  std::vector<OdbcColumn> columns;           // empty for statements without results
  std::vector<std::vector<Value>> rows;      // at most `max_rows` rows
  bool more_rows = false;                    // true when rows were left unfetched
  int64_t rows_affected = -1;                // SQLRowCount (INSERT/UPDATE/DELETE); 0 on SQL_NO_DATA
};

// Not thread-safe: one thread at a time per connection.
class OdbcConnection {
 public:
  // SQLDriverConnect with the full connection string (no prompt). IoError with
  // the ODBC diagnostics ("[SQLSTATE] message") when it fails.
  static Result<std::unique_ptr<OdbcConnection>> Open(const std::string& connection_string);
  ~OdbcConnection();
  OdbcConnection(const OdbcConnection&) = delete;
  OdbcConnection& operator=(const OdbcConnection&) = delete;

  // SQLGetInfo(SQL_DBMS_NAME), e.g. "SQLite", "PostgreSQL", "Microsoft SQL Server".
  Result<std::string> DbmsName();

  // Prepares and executes `sql` with `params` bound in order (only values of
  // type Null/Integer/Real/Text/Binary; others are InvalidInput), then fetches
  // up to `max_rows` rows. IoError carrying the diagnostics on failure;
  // last_sqlstate() then holds the first SQLSTATE.
  Result<OdbcResult> Run(const std::string& sql, const std::vector<OdbcParam>& params = {},
                         size_t max_rows = std::numeric_limits<size_t>::max());

  // Primary-key column names of `table` (optionally in `schema`) in key order,
  // from SQLPrimaryKeys. Empty when the driver reports none.
  Result<std::vector<std::string>> PrimaryKeyColumns(const std::string& schema,
                                                     const std::string& table);

  // Transactions: Begin turns autocommit off; Commit/Rollback end the
  // transaction and turn autocommit back on (also when they fail).
  Status Begin();
  Status Commit();
  Status Rollback();

  const std::string& last_sqlstate() const { return last_sqlstate_; }

 private:
  OdbcConnection() = default;
  Status EndTransaction(bool commit);

  void* env_ = nullptr;  // SQLHENV
  void* dbc_ = nullptr;  // SQLHDBC
  bool connected_ = false;
  std::string last_sqlstate_;
};

}  // namespace tidemark::targets
