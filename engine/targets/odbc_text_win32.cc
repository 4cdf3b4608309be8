// OdbcText on Windows: the W functions of odbc32, text as UTF-16 (SQL_C_WCHAR).
// Wine's odbc32 has no narrow SQLDriverConnect; SQL Server needs N types for
// anything outside its code page. Names and messages convert leniently.
#include "engine/targets/odbc_text.h"

#include <iterator>

#include "store/unicode.h"
#include "store/win32_text.h"

namespace tidemark::targets::odbc_text {
namespace {

SQLWCHAR* Wide(std::wstring& s) { return reinterpret_cast<SQLWCHAR*>(s.data()); }
std::string Narrow(const SQLWCHAR* s) { return WideToUtf8(reinterpret_cast<const wchar_t*>(s)); }
template <typename T>
T Units(const std::wstring& s) { return static_cast<T>(s.size()); }

}  // namespace

const TextEncoding& Encoding() {
  static const TextEncoding kWide{SQL_C_WCHAR, sizeof(SQLWCHAR), SQL_WVARCHAR, SQL_WLONGVARCHAR};
  return kWide;
}

Result<std::string> EncodeText(std::string_view utf8) { return Utf8ToUtf16Le(utf8); }
Result<std::string> DecodeText(std::string bytes) { return Utf16LeToUtf8(bytes); }

SQLRETURN DriverConnect(SQLHDBC dbc, const std::string& connection_string) {
  std::wstring in = Utf8ToWide(connection_string);
  SQLWCHAR out[2048];
  SQLSMALLINT out_length = 0;
  return SQLDriverConnectW(dbc, nullptr, Wide(in), Units<SQLSMALLINT>(in), out,
                           static_cast<SQLSMALLINT>(std::size(out)), &out_length,
                           SQL_DRIVER_NOPROMPT);
}

SQLRETURN Prepare(SQLHSTMT stmt, const std::string& sql) {
  std::wstring text = Utf8ToWide(sql);
  return SQLPrepareW(stmt, Wide(text), Units<SQLINTEGER>(text));
}

bool DiagRecord(SQLSMALLINT handle_type, SQLHANDLE handle, SQLSMALLINT i, std::string* state,
                std::string* message) {
  SQLWCHAR state_buf[6] = {0};
  SQLWCHAR message_buf[1024] = {0};
  SQLINTEGER native = 0;
  SQLSMALLINT length = 0;
  SQLRETURN rc = SQLGetDiagRecW(handle_type, handle, i, state_buf, &native, message_buf,
                                static_cast<SQLSMALLINT>(std::size(message_buf)), &length);
  if (rc != SQL_SUCCESS && rc != SQL_SUCCESS_WITH_INFO) return false;
  *state = Narrow(state_buf);
  *message = Narrow(message_buf);
  return true;
}

SQLRETURN DescribeColumn(SQLHSTMT stmt, SQLUSMALLINT col, std::string* name, SQLSMALLINT* sql_type,
                         SQLULEN* size, SQLSMALLINT* digits) {
  SQLWCHAR buf[512] = {0};
  SQLSMALLINT length = 0, nullable = 0;
  SQLRETURN rc = SQLDescribeColW(stmt, col, buf, static_cast<SQLSMALLINT>(std::size(buf)),
                                 &length, sql_type, size, digits, &nullable);
  if (SQL_SUCCEEDED(rc)) *name = Narrow(buf);
  return rc;
}

SQLRETURN PrimaryKeys(SQLHSTMT stmt, const std::string& schema, const std::string& table) {
  std::wstring s = Utf8ToWide(schema), t = Utf8ToWide(table);
  return SQLPrimaryKeysW(stmt, nullptr, 0, s.empty() ? nullptr : Wide(s), Units<SQLSMALLINT>(s),
                         Wide(t), Units<SQLSMALLINT>(t));
}

SQLRETURN InfoString(SQLHDBC dbc, SQLUSMALLINT item, std::string* value) {
  SQLWCHAR buf[256] = {0};
  SQLSMALLINT length = 0;
  SQLRETURN rc = SQLGetInfoW(dbc, item, buf, static_cast<SQLSMALLINT>(sizeof(buf)), &length);
  if (SQL_SUCCEEDED(rc)) *value = Narrow(buf);
  return rc;
}

}  // namespace tidemark::targets::odbc_text
