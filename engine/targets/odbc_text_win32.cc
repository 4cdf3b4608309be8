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

namespace {

// Wine's own path conversions (kernel32 exports them only under Wine); both
// return memory from the process heap.
using UnixNameOf = char*(__cdecl*)(const wchar_t*);
using DosNameOf = wchar_t*(__cdecl*)(const char*);

template <typename F>
F WineFunction(const char* name) {
  HMODULE kernel32 = GetModuleHandleW(L"kernel32.dll");
  return kernel32 == nullptr ? nullptr : reinterpret_cast<F>(reinterpret_cast<void*>(GetProcAddress(kernel32, name)));
}

}  // namespace

std::string DriverFilePath(const std::filesystem::path& local) {
  static const auto unix_name_of = WineFunction<UnixNameOf>("wine_get_unix_file_name");
  if (unix_name_of == nullptr) return local.string();
  char* name = unix_name_of(std::filesystem::absolute(local).wstring().c_str());
  if (name == nullptr) return local.string();
  std::string unix_path(name);
  HeapFree(GetProcessHeap(), 0, name);
  return unix_path;
}

std::filesystem::path LocalFilePath(const std::string& driver_path) {
  static const auto dos_name_of = WineFunction<DosNameOf>("wine_get_dos_file_name");
  if (dos_name_of == nullptr || driver_path.empty() || driver_path[0] != '/') return driver_path;
  wchar_t* name = dos_name_of(driver_path.c_str());
  if (name == nullptr) return driver_path;
  std::filesystem::path dos_path(name);
  HeapFree(GetProcessHeap(), 0, name);
  return dos_path;
}

}  // namespace tidemark::targets::odbc_text
