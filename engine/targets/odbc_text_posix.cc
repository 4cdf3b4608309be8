// OdbcText on Linux: the narrow ODBC functions; text is UTF-8 bytes, passed
// through unchanged (the SQLite3 and PostgreSQL Unicode drivers speak UTF-8).
#include "engine/targets/odbc_text.h"

namespace tidemark::targets::odbc_text {
namespace {

SQLCHAR* Chars(std::string& s) { return reinterpret_cast<SQLCHAR*>(s.data()); }

}  // namespace

const TextEncoding& Encoding() {
  static const TextEncoding kNarrow{SQL_C_CHAR, 1, SQL_VARCHAR, SQL_LONGVARCHAR};
  return kNarrow;
}

Result<std::string> EncodeText(std::string_view utf8) { return std::string(utf8); }
Result<std::string> DecodeText(std::string bytes) { return bytes; }

SQLRETURN DriverConnect(SQLHDBC dbc, const std::string& connection_string) {
  std::string in = connection_string;
  SQLCHAR out[2048];
  SQLSMALLINT out_length = 0;
  return SQLDriverConnect(dbc, nullptr, Chars(in), static_cast<SQLSMALLINT>(in.size()), out,
                          static_cast<SQLSMALLINT>(sizeof(out)), &out_length,
                          SQL_DRIVER_NOPROMPT);
}

SQLRETURN Prepare(SQLHSTMT stmt, const std::string& sql) {
  std::string text = sql;
  return SQLPrepare(stmt, Chars(text), static_cast<SQLINTEGER>(text.size()));
}

bool DiagRecord(SQLSMALLINT handle_type, SQLHANDLE handle, SQLSMALLINT i, std::string* state,
                std::string* message) {
  SQLCHAR state_buf[6] = {0};
  SQLCHAR message_buf[1024] = {0};
  SQLINTEGER native = 0;
  SQLSMALLINT length = 0;
  SQLRETURN rc = SQLGetDiagRec(handle_type, handle, i, state_buf, &native, message_buf,
                               static_cast<SQLSMALLINT>(sizeof(message_buf)), &length);
  if (rc != SQL_SUCCESS && rc != SQL_SUCCESS_WITH_INFO) return false;
  *state = reinterpret_cast<char*>(state_buf);
  *message = reinterpret_cast<char*>(message_buf);
  return true;
}

SQLRETURN DescribeColumn(SQLHSTMT stmt, SQLUSMALLINT col, std::string* name, SQLSMALLINT* sql_type,
                         SQLULEN* size, SQLSMALLINT* digits) {
  SQLCHAR buf[512] = {0};
  SQLSMALLINT length = 0, nullable = 0;
  SQLRETURN rc = SQLDescribeCol(stmt, col, buf, static_cast<SQLSMALLINT>(sizeof(buf)), &length,
                                sql_type, size, digits, &nullable);
  if (SQL_SUCCEEDED(rc)) *name = reinterpret_cast<char*>(buf);
  return rc;
}

SQLRETURN PrimaryKeys(SQLHSTMT stmt, const std::string& schema, const std::string& table) {
  std::string s = schema, t = table;
  return SQLPrimaryKeys(stmt, nullptr, 0, s.empty() ? nullptr : Chars(s),
                        static_cast<SQLSMALLINT>(s.size()), Chars(t),
                        static_cast<SQLSMALLINT>(t.size()));
}

SQLRETURN InfoString(SQLHDBC dbc, SQLUSMALLINT item, std::string* value) {
  SQLCHAR buf[256] = {0};
  SQLSMALLINT length = 0;
  SQLRETURN rc = SQLGetInfo(dbc, item, buf, static_cast<SQLSMALLINT>(sizeof(buf)), &length);
  if (SQL_SUCCEEDED(rc)) *value = reinterpret_cast<char*>(buf);
  return rc;
}

std::string DriverFilePath(const std::filesystem::path& local) { return local.string(); }

std::filesystem::path LocalFilePath(const std::string& driver_path) { return driver_path; }

}  // namespace tidemark::targets::odbc_text
