// OdbcConnection: ODBC handles, parameter binding and typed fetching.
// Text travels in the system's text encoding (odbc_text.h: UTF-8 SQL_C_CHAR on
// Linux, UTF-16 SQL_C_WCHAR on Windows), binary as SQL_C_BINARY, both fetched
// in chunks.
#include "engine/targets/odbc_connection.h"

#include <algorithm>
#include <utility>

#include "engine/targets/odbc_text.h"

namespace tidemark::targets {
namespace {

constexpr SQLLEN kChunk = 8192;

// All diagnostic records of a handle as "[SQLSTATE] message; ...".
std::string Diagnostics(SQLSMALLINT handle_type, SQLHANDLE handle, std::string* first_state) {
  std::string out;
  for (SQLSMALLINT i = 1; i <= 20; ++i) {
    std::string state, message;
    if (!odbc_text::DiagRecord(handle_type, handle, i, &state, &message)) break;
    if (first_state != nullptr && first_state->empty()) *first_state = state;
    if (!out.empty()) out += "; ";
    out += "[" + state + "] " + message;
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

// Reads a variable-length cell in chunks: text in the system's encoding
// (decoded to UTF-8), or binary.
Result<Value> GetLongData(SQLHSTMT stmt, SQLUSMALLINT col, bool text, std::string* state) {
  const odbc_text::TextEncoding& encoding = odbc_text::Encoding();
  const SQLSMALLINT c_type = text ? encoding.c_type : SQL_C_BINARY;
  const SQLLEN terminator = text ? encoding.unit : 0;
  std::string data;
  std::string buffer(static_cast<size_t>(kChunk), '\0');
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
  if (!text) return Value::Binary(std::move(data));
  auto utf8 = odbc_text::DecodeText(std::move(data));
  if (!utf8.ok()) {
    return Status::IoError("reading column " + std::to_string(col) + ": " +
                           utf8.status().message());
  }
  return Value::Text(std::move(utf8).value());
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
    case ValueType::kBinary: return GetLongData(stmt, col, /*text=*/false, state);
    default: return GetLongData(stmt, col, /*text=*/true, state);
  }
}

// Storage that must stay put while a statement executes with bound parameters.
struct BoundParam {
  SQLBIGINT integer = 0;
  SQLDOUBLE real = 0;
  std::string text;  // a text value in the system's encoding
  SQLLEN indicator = 0;
};

// `length` is in bytes for binary, in code units of the encoding for text.
SQLSMALLINT DefaultSqlType(ValueType type, size_t length) {
  const odbc_text::TextEncoding& encoding = odbc_text::Encoding();
  switch (type) {
    case ValueType::kInteger: return SQL_BIGINT;
    case ValueType::kReal: return SQL_DOUBLE;
    case ValueType::kBinary: return length > 8000 ? SQL_LONGVARBINARY : SQL_VARBINARY;
    default: return length > 4000 ? encoding.long_type : encoding.var_type;
  }
}

// Binds `p` as parameter `n` of `h`; `b` holds what the driver reads at
// execution and must stay put until then.
Status BindParam(SQLHSTMT h, SQLUSMALLINT n, const OdbcParam& p, BoundParam* b,
                 std::string* state) {
  const Value& v = p.value;
  SQLSMALLINT c_type = SQL_C_CHAR;
  SQLPOINTER data = nullptr;
  SQLLEN buffer_length = 0;
  size_t length = 0;  // of a text or binary value, as DefaultSqlType counts it
  switch (v.type) {
    case ValueType::kNull:
      b->indicator = SQL_NULL_DATA;
      break;
    case ValueType::kInteger:
      c_type = SQL_C_SBIGINT;
      b->integer = static_cast<SQLBIGINT>(v.integer);
      data = &b->integer;
      break;
    case ValueType::kReal:
      c_type = SQL_C_DOUBLE;
      b->real = v.real;
      data = &b->real;
      break;
    case ValueType::kText: {
      auto encoded = odbc_text::EncodeText(v.bytes);
      if (!encoded.ok()) {
        return Status::InvalidInput("parameter " + std::to_string(n) + ": " +
                                    encoded.status().message());
      }
      b->text = std::move(encoded).value();
      c_type = odbc_text::Encoding().c_type;
      data = b->text.data();
      buffer_length = static_cast<SQLLEN>(b->text.size());
      b->indicator = buffer_length;
      length = b->text.size() / static_cast<size_t>(odbc_text::Encoding().unit);
      break;
    }
    case ValueType::kBinary:
      c_type = SQL_C_BINARY;
      data = const_cast<char*>(v.bytes.data());
      buffer_length = static_cast<SQLLEN>(v.bytes.size());
      b->indicator = buffer_length;
      length = v.bytes.size();
      break;
    default:
      return Status::InvalidInput(std::string("a ") + ValueTypeName(v.type) +
                                  " value cannot be a SQL parameter");
  }
  SQLSMALLINT sql_type = p.column != nullptr ? p.column->sql_type : DefaultSqlType(v.type, length);
  SQLULEN size = p.column != nullptr ? p.column->column_size : 0;
  SQLSMALLINT digits = p.column != nullptr ? p.column->decimal_digits : 0;
  const ValueType column_type = ValueTypeForSqlType(sql_type);
  if (length > 0 && (column_type == ValueType::kText || column_type == ValueType::kBinary)) {
    size = std::max<SQLULEN>(size, static_cast<SQLULEN>(length));
  }
  if (size == 0) size = 1;
  SQLRETURN rc = SQLBindParameter(h, n, SQL_PARAM_INPUT, c_type, sql_type, size, digits, data,
                                  buffer_length, &b->indicator);
  if (!SQL_SUCCEEDED(rc)) {
    return Status::IoError("binding parameter " + std::to_string(n) + ": " +
                           Diagnostics(SQL_HANDLE_STMT, h, state));
  }
  return Status::Ok();
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
  SQLRETURN rc = odbc_text::DriverConnect(dbc, connection_string);
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
  std::string name;
  SQLRETURN rc = odbc_text::InfoString(static_cast<SQLHDBC>(dbc_), SQL_DBMS_NAME, &name);
  if (!SQL_SUCCEEDED(rc)) {
    return Status::IoError("SQLGetInfo(SQL_DBMS_NAME): " +
                           Diagnostics(SQL_HANDLE_DBC, dbc_, &last_sqlstate_));
  }
  return name;
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
  SQLRETURN rc = odbc_text::Prepare(h, sql);
  if (!SQL_SUCCEEDED(rc)) return Status::IoError(Diagnostics(SQL_HANDLE_STMT, h, &last_sqlstate_));

  std::vector<BoundParam> bound(params.size());
  for (size_t i = 0; i < params.size(); ++i) {
    TM_RETURN_IF_ERROR(BindParam(h, static_cast<SQLUSMALLINT>(i + 1), params[i], &bound[i],
                                 &last_sqlstate_));
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
    std::string name;
    SQLSMALLINT type = 0, digits = 0;
    SQLULEN size = 0;
    rc = odbc_text::DescribeColumn(h, static_cast<SQLUSMALLINT>(i), &name, &type, &size, &digits);
    if (!SQL_SUCCEEDED(rc)) {
      return Status::IoError("describing column " + std::to_string(i) + ": " +
                             Diagnostics(SQL_HANDLE_STMT, h, &last_sqlstate_));
    }
    result.columns.push_back(OdbcColumn{std::move(name), type, static_cast<uint64_t>(size), digits});
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
  SQLRETURN rc = odbc_text::PrimaryKeys(h, schema, table);
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
