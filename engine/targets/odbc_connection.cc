// OdbcConnection: ODBC handles, parameter binding and typed fetching.
// Text travels as SQL_C_CHAR bytes (UTF-8 with the SQLite3 and PostgreSQL
// Unicode drivers), binary as SQL_C_BINARY, both fetched in chunks.
#include "engine/targets/odbc_connection.h"

#ifdef _WIN32
#include <windows.h>  // odbc32's sql.h needs the Windows types first
#endif
#include <sql.h>
#include <sqlext.h>

#include <algorithm>
#include <utility>

namespace tidemark::targets {
namespace {

constexpr SQLLEN kChunk = 8192;

// All diagnostic records of a handle as "[SQLSTATE] message; ...".
std::string Diagnostics(SQLSMALLINT handle_type, SQLHANDLE handle, std::string* first_state) {
  std::string out;
  for (SQLSMALLINT i = 1; i <= 20; ++i) {
    SQLCHAR state[6] = {0};
    SQLCHAR message[1024] = {0};
    SQLINTEGER native = 0;
    SQLSMALLINT length = 0;
    SQLRETURN rc = SQLGetDiagRec(handle_type, handle, i, state, &native, message,
                                 static_cast<SQLSMALLINT>(sizeof(message)), &length);
    if (rc != SQL_SUCCESS && rc != SQL_SUCCESS_WITH_INFO) break;
    std::string s(reinterpret_cast<char*>(state));
    if (first_state != nullptr && first_state->empty()) *first_state = s;
    if (!out.empty()) out += "; ";
    out += "[" + s + "] " + reinterpret_cast<char*>(message);
  }
  if (out.empty()) out = "no diagnostic from the ODBC driver";
  return out;
}

// A statement handle freed on scope exit.
class Statement {
 public:
  explicit Statement(SQLHDBC dbc) {
    if (!SQL_SUCCEEDED(SQLAllocHandle(SQL_HANDLE_STMT, dbc, &handle_))) handle_ = SQL_NULL_HSTMT;
  }
  ~Statement() {
    if (handle_ != SQL_NULL_HSTMT) SQLFreeHandle(SQL_HANDLE_STMT, handle_);
  }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  SQLHSTMT get() const { return handle_; }

 private:
  SQLHSTMT handle_ = SQL_NULL_HSTMT;
};

bool IsIntegerType(SQLSMALLINT t) {
  return t == SQL_TINYINT || t == SQL_SMALLINT || t == SQL_INTEGER || t == SQL_BIGINT ||
         t == SQL_BIT;
}

// Reads a variable-length cell in chunks. `c_type` is SQL_C_CHAR or SQL_C_BINARY.
Result<Value> GetLongData(SQLHSTMT stmt, SQLUSMALLINT col, SQLSMALLINT c_type,
                          std::string* state) {
  std::string data;
  std::string buffer(static_cast<size_t>(kChunk), '\0');
  const SQLLEN terminator = c_type == SQL_C_CHAR ? 1 : 0;
  bool first = true;
  for (;;) {
    SQLLEN indicator = 0;
    SQLRETURN rc = SQLGetData(stmt, col, c_type, buffer.data(), kChunk, &indicator);
    if (rc == SQL_NO_DATA) break;
    if (!SQL_SUCCEEDED(rc)) {
      return Status::IoError("reading column " + std::to_string(col) + ": " +
                             Diagnostics(SQL_HANDLE_STMT, stmt, state));
    }
    if (indicator == SQL_NULL_DATA) {
      if (first) return Value::Null();
      break;
    }
    first = false;
    SQLLEN capacity = kChunk - terminator;
    SQLLEN got = (indicator == SQL_NO_TOTAL || indicator > capacity) ? capacity : indicator;
    data.append(buffer.data(), static_cast<size_t>(got));
    if (rc == SQL_SUCCESS) break;  // SQL_SUCCESS_WITH_INFO (01004): more to come
  }
  return c_type == SQL_C_CHAR ? Value::Text(std::move(data)) : Value::Binary(std::move(data));
}

Result<Value> GetCell(SQLHSTMT stmt, SQLUSMALLINT col, SQLSMALLINT sql_type, std::string* state) {
  switch (ValueTypeForSqlType(sql_type)) {
    case ValueType::kInteger: {
      SQLBIGINT v = 0;
      SQLLEN indicator = 0;
      SQLRETURN rc = SQLGetData(stmt, col, SQL_C_SBIGINT, &v, 0, &indicator);
      if (!SQL_SUCCEEDED(rc)) {
        return Status::IoError("reading column " + std::to_string(col) + ": " +
                               Diagnostics(SQL_HANDLE_STMT, stmt, state));
      }
      if (indicator == SQL_NULL_DATA) return Value::Null();
      return Value::Integer(static_cast<int64_t>(v));
    }
    case ValueType::kReal: {
      SQLDOUBLE v = 0;
      SQLLEN indicator = 0;
      SQLRETURN rc = SQLGetData(stmt, col, SQL_C_DOUBLE, &v, 0, &indicator);
      if (!SQL_SUCCEEDED(rc)) {
        return Status::IoError("reading column " + std::to_string(col) + ": " +
                               Diagnostics(SQL_HANDLE_STMT, stmt, state));
      }
      if (indicator == SQL_NULL_DATA) return Value::Null();
      return Value::Real(v);
    }
    case ValueType::kBinary: return GetLongData(stmt, col, SQL_C_BINARY, state);
    default: return GetLongData(stmt, col, SQL_C_CHAR, state);
  }
}

// Storage that must stay put while a statement executes with bound parameters.
struct BoundParam {
  SQLBIGINT integer = 0;
  SQLDOUBLE real = 0;
  SQLLEN indicator = 0;
};

SQLSMALLINT DefaultSqlType(const Value& v) {
  switch (v.type) {
    case ValueType::kInteger: return SQL_BIGINT;
    case ValueType::kReal: return SQL_DOUBLE;
    case ValueType::kBinary: return v.bytes.size() > 8000 ? SQL_LONGVARBINARY : SQL_VARBINARY;
    default: return v.bytes.size() > 4000 ? SQL_LONGVARCHAR : SQL_VARCHAR;
  }
}

}  // namespace

ValueType ValueTypeForSqlType(int16_t sql_type) {
  if (IsIntegerType(sql_type)) return ValueType::kInteger;
  switch (sql_type) {
    case SQL_REAL:
    case SQL_FLOAT:
    case SQL_DOUBLE: return ValueType::kReal;
    case SQL_BINARY:
    case SQL_VARBINARY:
    case SQL_LONGVARBINARY: return ValueType::kBinary;
    default: return ValueType::kText;
  }
}

Result<std::unique_ptr<OdbcConnection>> OdbcConnection::Open(
    const std::string& connection_string) {
  std::unique_ptr<OdbcConnection> c(new OdbcConnection());
  SQLHENV env = SQL_NULL_HENV;
  if (!SQL_SUCCEEDED(SQLAllocHandle(SQL_HANDLE_ENV, SQL_NULL_HANDLE, &env))) {
    return Status::IoError("cannot allocate an ODBC environment handle");
  }
  c->env_ = env;
  SQLSetEnvAttr(env, SQL_ATTR_ODBC_VERSION, reinterpret_cast<SQLPOINTER>(SQL_OV_ODBC3), 0);
  SQLHDBC dbc = SQL_NULL_HDBC;
  if (!SQL_SUCCEEDED(SQLAllocHandle(SQL_HANDLE_DBC, env, &dbc))) {
    return Status::IoError("cannot allocate an ODBC connection handle: " +
                           Diagnostics(SQL_HANDLE_ENV, env, nullptr));
  }
  c->dbc_ = dbc;
  SQLSetConnectAttr(dbc, SQL_ATTR_LOGIN_TIMEOUT, reinterpret_cast<SQLPOINTER>(15), 0);
  std::string in = connection_string;
  SQLCHAR out[2048];
  SQLSMALLINT out_length = 0;
  SQLRETURN rc = SQLDriverConnect(dbc, nullptr, reinterpret_cast<SQLCHAR*>(in.data()),
                                  static_cast<SQLSMALLINT>(in.size()), out,
                                  static_cast<SQLSMALLINT>(sizeof(out)), &out_length,
                                  SQL_DRIVER_NOPROMPT);
  if (!SQL_SUCCEEDED(rc)) {
    return Status::IoError(Diagnostics(SQL_HANDLE_DBC, dbc, &c->last_sqlstate_));
  }
  c->connected_ = true;
  return c;
}

OdbcConnection::~OdbcConnection() {
  if (dbc_ != nullptr) {
    if (connected_) SQLDisconnect(static_cast<SQLHDBC>(dbc_));
    SQLFreeHandle(SQL_HANDLE_DBC, static_cast<SQLHDBC>(dbc_));
  }
  if (env_ != nullptr) SQLFreeHandle(SQL_HANDLE_ENV, static_cast<SQLHENV>(env_));
}

Result<std::string> OdbcConnection::DbmsName() {
  SQLCHAR name[256] = {0};
  SQLSMALLINT length = 0;
  SQLRETURN rc = SQLGetInfo(static_cast<SQLHDBC>(dbc_), SQL_DBMS_NAME, name,
                            static_cast<SQLSMALLINT>(sizeof(name)), &length);
  if (!SQL_SUCCEEDED(rc)) {
    return Status::IoError("SQLGetInfo(SQL_DBMS_NAME): " +
                           Diagnostics(SQL_HANDLE_DBC, dbc_, &last_sqlstate_));
  }
  return std::string(reinterpret_cast<char*>(name));
}

Result<OdbcResult> OdbcConnection::Run(const std::string& sql, const std::vector<OdbcParam>& params,
                                       size_t max_rows) {
  last_sqlstate_.clear();
  Statement stmt(static_cast<SQLHDBC>(dbc_));
  SQLHSTMT h = stmt.get();
  if (h == SQL_NULL_HSTMT) {
    return Status::IoError("cannot allocate an ODBC statement: " +
                           Diagnostics(SQL_HANDLE_DBC, dbc_, &last_sqlstate_));
  }
  std::string text = sql;
  SQLRETURN rc = SQLPrepare(h, reinterpret_cast<SQLCHAR*>(text.data()),
                            static_cast<SQLINTEGER>(text.size()));
  if (!SQL_SUCCEEDED(rc)) return Status::IoError(Diagnostics(SQL_HANDLE_STMT, h, &last_sqlstate_));

  std::vector<BoundParam> bound(params.size());
  for (size_t i = 0; i < params.size(); ++i) {
    const Value& v = params[i].value;
    BoundParam& b = bound[i];
    SQLSMALLINT sql_type = params[i].column != nullptr ? params[i].column->sql_type
                                                       : DefaultSqlType(v);
    SQLULEN size = params[i].column != nullptr ? params[i].column->column_size : 0;
    SQLSMALLINT digits = params[i].column != nullptr ? params[i].column->decimal_digits : 0;
    SQLSMALLINT c_type = SQL_C_CHAR;
    SQLPOINTER data = nullptr;
    SQLLEN buffer_length = 0;
    switch (v.type) {
      case ValueType::kNull:
        b.indicator = SQL_NULL_DATA;
        if (size == 0) size = 1;
        break;
      case ValueType::kInteger:
        c_type = SQL_C_SBIGINT;
        b.integer = static_cast<SQLBIGINT>(v.integer);
        data = &b.integer;
        break;
      case ValueType::kReal:
        c_type = SQL_C_DOUBLE;
        b.real = v.real;
        data = &b.real;
        break;
      case ValueType::kText:
      case ValueType::kBinary:
        c_type = v.type == ValueType::kText ? SQL_C_CHAR : SQL_C_BINARY;
        data = const_cast<char*>(v.bytes.data());
        buffer_length = static_cast<SQLLEN>(v.bytes.size());
        b.indicator = buffer_length;
        if (ValueTypeForSqlType(sql_type) == ValueType::kText ||
            ValueTypeForSqlType(sql_type) == ValueType::kBinary) {
          size = std::max<SQLULEN>({size, static_cast<SQLULEN>(v.bytes.size()), 1});
        }
        break;
      default:
        return Status::InvalidInput(std::string("a ") + ValueTypeName(v.type) +
                                    " value cannot be a SQL parameter");
    }
    if (size == 0) size = 1;
    rc = SQLBindParameter(h, static_cast<SQLUSMALLINT>(i + 1), SQL_PARAM_INPUT, c_type, sql_type,
                          size, digits, data, buffer_length, &b.indicator);
    if (!SQL_SUCCEEDED(rc)) {
      return Status::IoError("binding parameter " + std::to_string(i + 1) + ": " +
                             Diagnostics(SQL_HANDLE_STMT, h, &last_sqlstate_));
    }
  }

  OdbcResult result;
  rc = SQLExecute(h);
  if (rc == SQL_NO_DATA) {  // a searched UPDATE/DELETE that matched no row
    result.rows_affected = 0;
    return result;
  }
  if (!SQL_SUCCEEDED(rc)) return Status::IoError(Diagnostics(SQL_HANDLE_STMT, h, &last_sqlstate_));
  SQLLEN count = -1;
  if (SQL_SUCCEEDED(SQLRowCount(h, &count))) result.rows_affected = static_cast<int64_t>(count);

  SQLSMALLINT ncols = 0;
  if (!SQL_SUCCEEDED(SQLNumResultCols(h, &ncols)) || ncols <= 0) return result;
  for (SQLSMALLINT i = 1; i <= ncols; ++i) {
    SQLCHAR name[512] = {0};
    SQLSMALLINT name_length = 0, type = 0, digits = 0, nullable = 0;
    SQLULEN size = 0;
    rc = SQLDescribeCol(h, static_cast<SQLUSMALLINT>(i), name,
                        static_cast<SQLSMALLINT>(sizeof(name)), &name_length, &type, &size,
                        &digits, &nullable);
    if (!SQL_SUCCEEDED(rc)) {
      return Status::IoError("describing column " + std::to_string(i) + ": " +
                             Diagnostics(SQL_HANDLE_STMT, h, &last_sqlstate_));
    }
    result.columns.push_back(
        OdbcColumn{reinterpret_cast<char*>(name), type, static_cast<uint64_t>(size), digits});
  }
  for (;;) {
    rc = SQLFetch(h);
    if (rc == SQL_NO_DATA) break;
    if (!SQL_SUCCEEDED(rc)) {
      return Status::IoError("fetching: " + Diagnostics(SQL_HANDLE_STMT, h, &last_sqlstate_));
    }
    if (result.rows.size() >= max_rows) {
      result.more_rows = true;
      break;
    }
    std::vector<Value> row;
    row.reserve(result.columns.size());
    for (size_t c = 0; c < result.columns.size(); ++c) {
      TM_ASSIGN_OR_RETURN(Value v, GetCell(h, static_cast<SQLUSMALLINT>(c + 1),
                                           result.columns[c].sql_type, &last_sqlstate_));
      row.push_back(std::move(v));
    }
    result.rows.push_back(std::move(row));
  }
  SQLCloseCursor(h);
  return result;
}

Result<std::vector<std::string>> OdbcConnection::PrimaryKeyColumns(const std::string& schema,
                                                                   const std::string& table) {
  last_sqlstate_.clear();
  Statement stmt(static_cast<SQLHDBC>(dbc_));
  SQLHSTMT h = stmt.get();
  std::string s = schema, t = table;
  SQLRETURN rc = SQLPrimaryKeys(
      h, nullptr, 0, s.empty() ? nullptr : reinterpret_cast<SQLCHAR*>(s.data()),
      static_cast<SQLSMALLINT>(s.size()), reinterpret_cast<SQLCHAR*>(t.data()),
      static_cast<SQLSMALLINT>(t.size()));
  if (!SQL_SUCCEEDED(rc)) {
    return Status::IoError("SQLPrimaryKeys: " + Diagnostics(SQL_HANDLE_STMT, h, &last_sqlstate_));
  }
  std::vector<std::pair<int64_t, std::string>> keys;
  while (SQL_SUCCEEDED(rc = SQLFetch(h))) {
    TM_ASSIGN_OR_RETURN(Value name, GetCell(h, 4, SQL_VARCHAR, &last_sqlstate_));
    TM_ASSIGN_OR_RETURN(Value seq, GetCell(h, 5, SQL_SMALLINT, &last_sqlstate_));
    if (name.type != ValueType::kText) continue;
    keys.emplace_back(seq.type == ValueType::kInteger ? seq.integer : 0, name.bytes);
  }
  std::stable_sort(keys.begin(), keys.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string> names;
  for (auto& k : keys) names.push_back(std::move(k.second));
  return names;
}

Status OdbcConnection::Begin() {
  SQLRETURN rc = SQLSetConnectAttr(static_cast<SQLHDBC>(dbc_), SQL_ATTR_AUTOCOMMIT,
                                   reinterpret_cast<SQLPOINTER>(SQL_AUTOCOMMIT_OFF), 0);
  if (!SQL_SUCCEEDED(rc)) {
    return Status::IoError("starting a transaction: " +
                           Diagnostics(SQL_HANDLE_DBC, dbc_, &last_sqlstate_));
  }
  return Status::Ok();
}

Status OdbcConnection::EndTransaction(bool commit) {
  SQLRETURN rc = SQLEndTran(SQL_HANDLE_DBC, static_cast<SQLHDBC>(dbc_),
                            commit ? SQL_COMMIT : SQL_ROLLBACK);
  Status status;
  if (!SQL_SUCCEEDED(rc)) {
    status = Status::IoError(std::string(commit ? "commit" : "rollback") + ": " +
                             Diagnostics(SQL_HANDLE_DBC, dbc_, &last_sqlstate_));
  }
  SQLSetConnectAttr(static_cast<SQLHDBC>(dbc_), SQL_ATTR_AUTOCOMMIT,
                    reinterpret_cast<SQLPOINTER>(SQL_AUTOCOMMIT_ON), 0);
  return status;
}

Status OdbcConnection::Commit() { return EndTransaction(true); }
Status OdbcConnection::Rollback() { return EndTransaction(false); }

}  // namespace tidemark::targets
