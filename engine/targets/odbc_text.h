// OdbcText: the ODBC calls that carry text, with UTF-8 strings on tidemark's
// side. Linux calls the narrow functions (unixODBC drivers take UTF-8 bytes as
// SQL_C_CHAR); Windows calls the W functions with UTF-16 (SQL_C_WCHAR).
#pragma once

#ifdef _WIN32
#include <windows.h>  // odbc32's sql.h needs the Windows types first
#endif
#include <sql.h>
#include <sqlext.h>

#include <filesystem>
#include <string>
#include <string_view>

#include "store/status.h"

namespace tidemark::targets::odbc_text {

// How text cells and parameters travel on this system.
struct TextEncoding {
  SQLSMALLINT c_type;     // SQL_C_CHAR (UTF-8) or SQL_C_WCHAR (UTF-16)
  SQLLEN unit;            // bytes per code unit: the size of the terminator
  SQLSMALLINT var_type;   // SQL type of a text parameter without a column
  SQLSMALLINT long_type;  // ... longer than 4000 code units
};
const TextEncoding& Encoding();

// A text value as the bytes bound with Encoding().c_type, and back.
// InvalidInput when the value is not valid UTF-8 (or, fetched, UTF-16).
Result<std::string> EncodeText(std::string_view utf8);
Result<std::string> DecodeText(std::string bytes);

// SQLDriverConnect (no prompt) with the full connection string.
SQLRETURN DriverConnect(SQLHDBC dbc, const std::string& connection_string);
// SQLPrepare.
SQLRETURN Prepare(SQLHSTMT stmt, const std::string& sql);
// Diagnostic record `i` (1-based) of a handle; false when there is none.
bool DiagRecord(SQLSMALLINT handle_type, SQLHANDLE handle, SQLSMALLINT i, std::string* state,
                std::string* message);
// SQLDescribeCol of result column `col` (1-based).
SQLRETURN DescribeColumn(SQLHSTMT stmt, SQLUSMALLINT col, std::string* name, SQLSMALLINT* sql_type,
                         SQLULEN* size, SQLSMALLINT* digits);
// SQLPrimaryKeys of `table`, in `schema` unless it is empty.
SQLRETURN PrimaryKeys(SQLHSTMT stmt, const std::string& schema, const std::string& table);
// SQLGetInfo of a string-valued item such as SQL_DBMS_NAME.
SQLRETURN InfoString(SQLHDBC dbc, SQLUSMALLINT item, std::string* value);

// A local file as the ODBC driver names it (in Database= or VACUUM INTO), and
// a name from the driver as a local path. The same string on Linux and on
// Windows; under Wine, whose odbc32 hands every call to the host's unixODBC
// drivers, a driver names files by their host (Unix) path (the folder must
// exist for the conversion; otherwise the path is passed unchanged).
std::string DriverFilePath(const std::filesystem::path& local);
std::filesystem::path LocalFilePath(const std::string& driver_path);

}  // namespace tidemark::targets::odbc_text
