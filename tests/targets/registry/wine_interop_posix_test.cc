// Interop with a real reg.exe: Wine's `reg add/export/import/query` in a
// throw-away WINEPREFIX. Proves tidemark reads what reg export writes and
// writes what reg import reads (including `"x"=-` and `[-KEY]` deletions).
// Skipped when wine is not installed. Manual run of the same steps:
//   WINEPREFIX=/tmp/p WINEDEBUG=-all wine reg export 'HKCU\Software\X' Z:\\tmp\\x.reg /y
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdlib>
#include <map>

#include "engine/targets/reg_file.h"
#include "engine/targets/registry_target.h"
#include "tests/targets/registry/reg_text.h"
#include "tests/testing/temp_dir.h"

namespace tidemark::targets {
namespace {

using tidemark::testing::ReadFileBytes;
using tidemark::testing::TempDir;

constexpr const char* kKey = "HKCU\\Software\\TidemarkTest";

struct Ran {
  int exit_code = -1;
  std::string output;  // stdout + stderr
};

// Runs a shell command, capturing its output and exit code. Output goes to a
// file, not a pipe: Wine's console programs take ~3 s to exit when stdout is a pipe.
Ran RunShell(const std::string& command) {
  static int counter = 0;
  const std::filesystem::path out =
      std::filesystem::temp_directory_path() /
      ("tidemark-wine-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + ".txt");
  Ran ran;
  const int status =
      std::system((command + " >" + out.string() + " 2>&1 </dev/null").c_str());
  ran.exit_code = (status != -1 && WIFEXITED(status)) ? WEXITSTATUS(status) : -1;
  ran.output = ReadFileBytes(out);
  std::error_code ec;
  std::filesystem::remove(out, ec);
  return ran;
}

std::string ShellQuote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += "'\\''";
    else out.push_back(c);
  }
  return out + "'";
}

// Wine maps drive Z: to the Unix root.
std::string WinePath(const std::filesystem::path& p) {
  std::string out = "Z:" + p.string();
  for (char& c : out) {
    if (c == '/') c = '\\';
  }
  return out;
}

class WineInteropTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    for (const char* candidate : {"/usr/bin/wine", "/usr/bin/wine64", "/usr/lib/wine/wine64"}) {
      if (std::filesystem::exists(candidate)) {
        wine_ = new std::string(candidate);
        break;
      }
    }
    if (wine_ == nullptr) return;
    prefix_ = new TempDir();
    ::setenv("WINEPREFIX", (prefix_->path() / "prefix").c_str(), 1);
    ::setenv("WINEDEBUG", "-all", 1);
    ::setenv("WINEDLLOVERRIDES", "mscoree,mshtml=", 1);  // no Mono/Gecko install prompts
    // A persistent wineserver saves its restart on every command; killed in TearDown.
    RunShell("timeout 30 wineserver -p");
    // The first start creates the prefix (slow); do it once for the suite.
    const Ran boot = Wine("reg add 'HKCU\\Software\\TidemarkBoot' /f");
    if (boot.exit_code != 0) {
      boot_error_ = new std::string("wine failed to start: " + boot.output);
    }
  }

  static void TearDownTestSuite() {
    if (wine_ != nullptr) RunShell("timeout 60 wineserver -k");
    delete prefix_;
    delete wine_;
    delete boot_error_;
    prefix_ = nullptr;
    wine_ = nullptr;
    boot_error_ = nullptr;
  }

  void SetUp() override {
    if (wine_ == nullptr) GTEST_SKIP() << "wine is not installed (/usr/bin/wine or wine64); skipping reg.exe interop";
    if (boot_error_ != nullptr) FAIL() << *boot_error_;
  }

  // Runs `wine <args>` (args already shell-quoted as needed), with a timeout.
  static Ran Wine(const std::string& args) { return RunShell("timeout 120 " + *wine_ + " " + args); }

  static Ran RegAdd(const std::string& key, const std::string& name, const std::string& type,
                    const std::string& data) {
    std::string args = "reg add " + ShellQuote(key) +
                       (name.empty() ? " /ve" : " /v " + ShellQuote(name)) + " /t " + type +
                       " /d " + ShellQuote(data) + " /f";
    return Wine(args);
  }

  static Ran Export(const std::string& key, const std::filesystem::path& file) {
    return Wine("reg export " + ShellQuote(key) + " " + ShellQuote(WinePath(file)) + " /y");
  }

  // identity → value of every key and value at or under kKey in a hive file.
  static std::map<std::string, Value> Contents(const std::filesystem::path& file) {
    HiveRegistryTarget target("WINE", file);
    auto listed = target.Enumerate(kKey);
    EXPECT_TRUE(listed.ok()) << listed.status().ToString();
    std::map<std::string, Value> out;
    if (listed.ok()) {
      for (const auto& [res, val] : *listed) out[res.Identity()] = val;
    }
    return out;
  }

  static std::string* wine_;
  static TempDir* prefix_;
  static std::string* boot_error_;
  TempDir dir_;
};

std::string* WineInteropTest::wine_ = nullptr;
TempDir* WineInteropTest::prefix_ = nullptr;
std::string* WineInteropTest::boot_error_ = nullptr;

TEST_F(WineInteropTest, ReadsRegExportAndWineImportsWhatTidemarkWrites) {
  const std::string sub = std::string(kKey) + "\\Sub";
  const std::string doomed = std::string(kKey) + "\\Doomed";
  // 1. Values of every type, made by reg.exe itself.
  const std::string bin =
      "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b";
  for (const auto& [name, type, data] : std::vector<std::array<std::string, 3>>{
           {"Str", "REG_SZ", "DRIVER={SQL Server};SERVER=SERVER1 \"q\" \\x"},
           {"Exp", "REG_EXPAND_SZ", "%SystemRoot%\\tidemark"},
           {"Multi", "REG_MULTI_SZ", "one\\0two\\0three"},
           {"Dw", "REG_DWORD", "3735928559"},
           {"Qw", "REG_QWORD", "0x123456789abcdef0"},
           {"Bin", "REG_BINARY", bin},
           {"Nothing", "REG_NONE", ""},
           {"Keep", "REG_SZ", "unchanged"},
       }) {
    const Ran add = RegAdd(kKey, name, type, data);
    ASSERT_EQ(add.exit_code, 0) << name << ": " << add.output;
  }
  ASSERT_EQ(RegAdd(sub, "", "REG_SZ", "default text").exit_code, 0);
  ASSERT_EQ(RegAdd(doomed, "Gone", "REG_DWORD", "1").exit_code, 0);
  ASSERT_EQ(RegAdd(doomed + "\\Deeper", "AlsoGone", "REG_SZ", "x").exit_code, 0);

  // 2. reg export, read by tidemark.
  const auto file = dir_ / "export.reg";
  const Ran exported = Export(kKey, file);
  ASSERT_EQ(exported.exit_code, 0) << exported.output;
  const std::string exported_bytes = ReadFileBytes(file);
  HiveRegistryTarget target("WINE", file);
  auto read = [&](const std::string& key, const std::string& name) {
    auto v = target.Read(Resource::RegistryValue("WINE", key, name));
    EXPECT_TRUE(v.ok()) << v.status().ToString();
    return v.ok() ? v.value() : Value::Absent();
  };
  EXPECT_EQ(read(kKey, "Str"), Value::RegString("DRIVER={SQL Server};SERVER=SERVER1 \"q\" \\x"));
  EXPECT_EQ(read(kKey, "Exp"), Value::RegString("%SystemRoot%\\tidemark", kRegExpandSz));
  EXPECT_EQ(read(kKey, "Multi"), Value::RegMulti({"one", "two", "three"}));
  EXPECT_EQ(read(kKey, "Dw"), Value::RegDword(0xDEADBEEF));
  EXPECT_EQ(read(kKey, "Qw"), Value::RegQword(0x123456789abcdef0ULL));
  std::string bin_bytes;
  for (size_t i = 0; i < bin.size(); i += 2) {
    bin_bytes.push_back(static_cast<char>(std::stoi(bin.substr(i, 2), nullptr, 16)));
  }
  EXPECT_EQ(read(kKey, "Bin"), Value::Registry(kRegBinary, bin_bytes));
  const Value nothing = read(kKey, "Nothing");
  EXPECT_EQ(nothing.type, ValueType::kRegistry);
  EXPECT_EQ(nothing.reg_type, kRegNone);
  EXPECT_EQ(read(sub, ""), Value::RegString("default text"));
  EXPECT_EQ(read(doomed + "\\Deeper", "AlsoGone"), Value::RegString("x"));
  // tidemark writes reg export's bytes back unchanged (encoding, order, wrapping).
  auto hive = Hive::Load(file);
  ASSERT_TRUE(hive.ok()) << hive.status().ToString();
  auto reserialized = hive->Serialize();
  ASSERT_TRUE(reserialized.ok());
  EXPECT_EQ(testing::FileText(*reserialized), testing::FileText(exported_bytes));
  EXPECT_EQ(*reserialized, exported_bytes);

  // 3. Change, add and delete with RegistryTarget.
  auto value = [](const std::string& key, const std::string& name) {
    return Resource::RegistryValue("WINE", key, name);
  };
  ASSERT_TRUE(target.Write(value(kKey, "Str"), read(kKey, "Str"),
                           Value::RegString("DRIVER={SQL Server};SERVER=SERVER2")).ok());
  ASSERT_TRUE(target.Write(value(kKey, "Dw"), Value::RegDword(0xDEADBEEF), Value::RegDword(7)).ok());
  ASSERT_TRUE(target.Write(value(kKey, "Multi"), read(kKey, "Multi"),
                           Value::RegMulti({"alpha", "beta"})).ok());
  ASSERT_TRUE(target.Write(value(kKey, "Bin"), read(kKey, "Bin"), Value::Absent()).ok());
  ASSERT_TRUE(target.Write(value(kKey, "Added"), Value::Absent(), Value::RegString("new value")).ok());
  ASSERT_TRUE(target.Write(value(std::string(kKey) + "\\NewKey\\Inner", "Big"), Value::Absent(),
                           Value::RegQword(42)).ok());
  ASSERT_TRUE(target.Write(Resource::RegistryKey("WINE", std::string(kKey) + "\\EmptyKey"),
                           Value::Absent(), Value::Key()).ok());
  ASSERT_TRUE(target.Write(Resource::RegistryKey("WINE", doomed), Value::Key(), Value::Absent(),
                           /*recursive=*/true).ok());
  const std::map<std::string, Value> intended = Contents(file);

  // 4. tidemark's file is the registry as reg export writes it (no deletion
  // lines): imported into Wine in place of the key, Wine must hold exactly
  // the intended state.
  const Ran removed = Wine("reg delete " + ShellQuote(kKey) + " /f");
  ASSERT_EQ(removed.exit_code, 0) << removed.output;
  ASSERT_NE(Wine("reg query " + ShellQuote(kKey)).exit_code, 0) << "reg delete left " << kKey;
  const Ran imported = Wine("reg import " + ShellQuote(WinePath(file)));
  ASSERT_EQ(imported.exit_code, 0) << imported.output;
  const auto again = dir_ / "again.reg";
  ASSERT_EQ(Export(kKey, again).exit_code, 0);
  const std::map<std::string, Value> actual = Contents(again);
  EXPECT_EQ(actual.size(), intended.size());
  for (const auto& [id, v] : intended) {
    auto it = actual.find(id);
    if (it == actual.end()) {
      ADD_FAILURE() << "Wine lacks " << id;
    } else {
      EXPECT_EQ(it->second, v) << id;
    }
  }
  for (const auto& [id, v] : actual) {
    EXPECT_TRUE(intended.count(id)) << "Wine has unexpected " << id << " = " << v.ToDisplay();
  }

  // 5. reg query agrees on individual values and keys.
  const Ran str = Wine("reg query " + ShellQuote(kKey) + " /v Str");
  EXPECT_EQ(str.exit_code, 0) << str.output;
  EXPECT_NE(str.output.find("REG_SZ"), std::string::npos) << str.output;
  EXPECT_NE(str.output.find("SERVER=SERVER2"), std::string::npos) << str.output;
  const Ran dw = Wine("reg query " + ShellQuote(kKey) + " /v Dw");
  EXPECT_NE(dw.output.find("0x7"), std::string::npos) << dw.output;
  const Ran added = Wine("reg query " + ShellQuote(kKey) + " /v Added");
  EXPECT_NE(added.output.find("new value"), std::string::npos) << added.output;
  const Ran keep = Wine("reg query " + ShellQuote(kKey) + " /v Keep");
  EXPECT_NE(keep.output.find("unchanged"), std::string::npos) << keep.output;
  EXPECT_NE(Wine("reg query " + ShellQuote(kKey) + " /v Bin").exit_code, 0);
  EXPECT_NE(Wine("reg query " + ShellQuote(doomed)).exit_code, 0);
  EXPECT_EQ(Wine("reg query " + ShellQuote(std::string(kKey) + "\\EmptyKey")).exit_code, 0);
  const Ran big = Wine("reg query " + ShellQuote(std::string(kKey) + "\\NewKey\\Inner") + " /v Big");
  // Wine's reg query prints QWORD data as "(null)"; the bytes were checked via export above.
  EXPECT_NE(big.output.find("REG_QWORD"), std::string::npos) << big.output;
}

}  // namespace
}  // namespace tidemark::targets
