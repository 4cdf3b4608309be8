// Tests of RegistryTarget over a real hive file in a temp dir: reads,
// compare-and-set writes, key creation/deletion, enumeration, and bad input
// (wrong resource, unknown root, malformed hive) leaving the file untouched.
#include "engine/targets/registry_target.h"

#include <gtest/gtest.h>

#include "engine/targets/reg_file.h"
#include "tests/targets/registry/reg_text.h"
#include "tests/testing/temp_dir.h"

namespace tidemark::targets {
namespace {

using tidemark::testing::ReadFileBytes;
using tidemark::testing::TempDir;
using tidemark::testing::WriteFileBytes;
using testing::FileText;
using testing::Utf16File;

constexpr const char* kHost = "SERVER1";
constexpr const char* kSupportCenter = "HKLM\\SOFTWARE\\Wow6432Node\\SupportCenter";

constexpr const char* kHive =
    "Windows Registry Editor Version 5.00\r\n\r\n"
    "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Wow6432Node\\Outflow]\r\n"
    "\"DB_PreferedRegistry\"=\"SERVER1\"\r\n\r\n"
    "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Wow6432Node\\SupportCenter]\r\n"
    "\"RegistryConnect\"=\"DRIVER={SQL Server};SERVER=SERVER1;DATABASE=Registry\"\r\n"
    "\"Port\"=dword:00000050\r\n\r\n"
    "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Connected\\MAPI]\r\n"
    "\"PublicServerName\"=\"mapi.example\"\r\n\r\n"
    "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Connected\\MAPI\\Config]\r\n\r\n";

class RegistryTargetTest : public ::testing::Test {
 protected:
  void SetUp() override { WriteFileBytes(file_, Utf16File(kHive)); }

  Resource Val(const std::string& key, const std::string& name) const {
    return Resource::RegistryValue(kHost, key, name);
  }
  Resource Key(const std::string& key) const { return Resource::RegistryKey(kHost, key); }
  Value MustRead(const Resource& r) const {
    auto v = target_.Read(r);
    EXPECT_TRUE(v.ok()) << v.status().ToString();
    return v.ok() ? v.value() : Value::Absent();
  }

  TempDir dir_;
  std::filesystem::path file_ = dir_ / "server1.reg";
  HiveRegistryTarget target_{kHost, file_};
};

TEST_F(RegistryTargetTest, ReadsValuesAndKeysWithAnySpelling) {
  EXPECT_EQ(target_.host(), "SERVER1");
  EXPECT_EQ(MustRead(Val("hklm\\software\\wow6432node\\outflow", "db_preferedregistry")),
            Value::RegString("SERVER1"));
  EXPECT_EQ(MustRead(Val(kSupportCenter, "Port")), Value::RegDword(80));
  EXPECT_TRUE(MustRead(Val(kSupportCenter, "Missing")).absent());
  EXPECT_TRUE(MustRead(Val("HKLM\\SOFTWARE\\Nope", "x")).absent());
  EXPECT_EQ(MustRead(Key("HKEY_LOCAL_MACHINE\\SOFTWARE\\Connected\\MAPI\\")), Value::Key());
  EXPECT_EQ(MustRead(Key("HKLM\\SOFTWARE\\Connected")), Value::Key());  // implied by MAPI
  EXPECT_EQ(MustRead(Key("HKLM")), Value::Key());
  EXPECT_TRUE(MustRead(Key("HKLM\\SOFTWARE\\Connected\\SSWS")).absent());
  // Host names compare case-insensitively.
  EXPECT_TRUE(target_.Read(Resource::RegistryKey("server1", "HKLM\\SOFTWARE")).ok());
}

TEST_F(RegistryTargetTest, ReReadsTheFileOnEveryCall) {
  EXPECT_EQ(MustRead(Val(kSupportCenter, "Port")), Value::RegDword(80));
  std::string text = kHive;
  text.replace(text.find("dword:00000050"), 14, "dword:00000051");
  WriteFileBytes(file_, Utf16File(text));
  EXPECT_EQ(MustRead(Val(kSupportCenter, "Port")), Value::RegDword(81));
}

TEST_F(RegistryTargetTest, SetsValueWithCompareAndSetAndKeepsOtherBytes) {
  const Resource r = Val("HKLM\\SOFTWARE\\Wow6432Node\\Outflow", "DB_PreferedRegistry");
  ASSERT_TRUE(target_.Write(r, Value::RegString("SERVER1"), Value::RegString("SERVER2")).ok());
  EXPECT_EQ(MustRead(r), Value::RegString("SERVER2"));
  std::string expected = kHive;
  expected.replace(expected.find("=\"SERVER1\""), 10, "=\"SERVER2\"");
  EXPECT_EQ(ReadFileBytes(file_), Utf16File(expected));
}

TEST_F(RegistryTargetTest, RefusesChangedValueAndChangesNothing) {
  const Resource r = Val(kSupportCenter, "RegistryConnect");
  const std::string before = ReadFileBytes(file_);
  Status s = target_.Write(r, Value::RegString("DRIVER={SQL Server};SERVER=OTHER;DATABASE=Registry"),
                           Value::RegString("x"));
  ASSERT_TRUE(s.Is(StatusCode::kConflict)) << s.ToString();
  EXPECT_NE(s.message().find("SERVER1 " + std::string(kSupportCenter) + "\\RegistryConnect"),
            std::string::npos) << s.message();
  EXPECT_NE(s.message().find("SERVER=OTHER"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("current REG_SZ \"DRIVER={SQL Server};SERVER=SERVER1"), std::string::npos)
      << s.message();
  // Expecting absent for an existing value is a conflict too.
  EXPECT_TRUE(target_.Write(r, Value::Absent(), Value::RegString("x")).Is(StatusCode::kConflict));
  // Same text but another type is a different value.
  EXPECT_TRUE(target_.Write(Val(kSupportCenter, "Port"), Value::RegQword(80), Value::RegDword(1))
                  .Is(StatusCode::kConflict));
  EXPECT_EQ(ReadFileBytes(file_), before);
}

TEST_F(RegistryTargetTest, CreatesValueKeyAndParents) {
  const Resource r = Val("HKLM\\SOFTWARE\\Connected\\SSWS", "com.connected.ssw.downloadStagingDir");
  ASSERT_TRUE(target_.Write(r, Value::Absent(), Value::RegString("D:\\staging")).ok());
  EXPECT_EQ(MustRead(r), Value::RegString("D:\\staging"));
  EXPECT_EQ(MustRead(Key("HKLM\\SOFTWARE\\Connected\\SSWS")), Value::Key());
  const std::string text = FileText(ReadFileBytes(file_));
  // Connected exists (implied by Connected\MAPI), so only SSWS gets a section.
  EXPECT_NE(text.find("\r\n\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\Connected\\MAPI\\Config]\r\n\r\n"
                      "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Connected\\SSWS]\r\n"
                      "\"com.connected.ssw.downloadStagingDir\"=\"D:\\\\staging\"\r\n\r\n"),
            std::string::npos)
      << text;
  // The untouched part of the file is unchanged and first.
  EXPECT_EQ(text.rfind(kHive, 0), 0u);
  // Missing parents below the root get their own sections, as reg export lists them.
  ASSERT_TRUE(target_.Write(Val("HKCU\\Software\\Vendor\\App", "v"), Value::Absent(),
                            Value::RegDword(1)).ok());
  EXPECT_NE(FileText(ReadFileBytes(file_))
                .find("\r\n\r\n[HKEY_CURRENT_USER\\Software]\r\n\r\n"
                      "[HKEY_CURRENT_USER\\Software\\Vendor]\r\n\r\n"
                      "[HKEY_CURRENT_USER\\Software\\Vendor\\App]\r\n\"v\"=dword:00000001\r\n\r\n"),
            std::string::npos);
}

// A deleted value leaves its key as `reg export` would show it: no line at all.
TEST_F(RegistryTargetTest, DeletesValueFromItsKey) {
  const Resource r = Val(kSupportCenter, "Port");
  ASSERT_TRUE(target_.Write(r, Value::RegDword(80), Value::Absent()).ok());
  EXPECT_TRUE(MustRead(r).absent());
  EXPECT_EQ(FileText(ReadFileBytes(file_)).find("\"Port\""), std::string::npos);
  // Deleting again expects absent; the value can come back.
  EXPECT_TRUE(target_.Write(r, Value::RegDword(80), Value::Absent()).Is(StatusCode::kConflict));
  ASSERT_TRUE(target_.Write(r, Value::Absent(), Value::RegDword(443)).ok());
  EXPECT_EQ(MustRead(r), Value::RegDword(443));
}

TEST_F(RegistryTargetTest, CreatesAndDeletesKeys) {
  const Resource k = Key("HKCU\\Software\\Tidemark\\Deep\\Key");
  ASSERT_TRUE(target_.Write(k, Value::Absent(), Value::Key()).ok());
  EXPECT_EQ(MustRead(k), Value::Key());
  EXPECT_EQ(MustRead(Key("HKCU\\Software\\Tidemark")), Value::Key());
  EXPECT_TRUE(target_.Write(k, Value::Absent(), Value::Key()).Is(StatusCode::kConflict));
  ASSERT_TRUE(target_.Write(k, Value::Key(), Value::Absent()).ok());
  EXPECT_TRUE(MustRead(k).absent());
  EXPECT_EQ(MustRead(Key("HKCU\\Software\\Tidemark\\Deep")), Value::Key());
  const std::string text = FileText(ReadFileBytes(file_));
  EXPECT_EQ(text.find("Deep\\Key]"), std::string::npos) << text;
  EXPECT_EQ(text.find("[-"), std::string::npos) << text;
}

// Every kind of change, then each undone as rollback would (newest first):
// the file is byte-identical to the export it started as.
TEST_F(RegistryTargetTest, ChangesUndoneGiveTheOriginalBytesBack) {
  const std::string sorted =
      "Windows Registry Editor Version 5.00\r\n\r\n"
      "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Wow6432Node]\r\n\r\n"
      "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Wow6432Node\\Connected]\r\n\r\n"
      "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Wow6432Node\\Connected\\MAPI]\r\n"
      "\"PublicServerName\"=\"mapi.example\"\r\n\r\n"
      "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Wow6432Node\\Connected\\MAPI\\Config]\r\n"
      "\"Level\"=dword:00000002\r\n\r\n"
      "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Wow6432Node\\Outflow]\r\n"
      "\"DB_PreferedRegistry\"=\"SERVER1\"\r\n"
      "\"AllowBackups\"=dword:00000001\r\n\r\n"
      "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Wow6432Node\\SupportCenter]\r\n"
      "\"Port\"=dword:00000050\r\n\r\n";
  const std::string original = Utf16File(sorted);
  WriteFileBytes(file_, original);
  const std::string wow = "HKLM\\SOFTWARE\\Wow6432Node";
  const Resource pref = Val(wow + "\\Outflow", "DB_PreferedRegistry");
  const Resource added = Val(wow + "\\Outflow", "Added");
  const Resource deep = Val(wow + "\\Connected\\SSWS\\Inner", "Dir");
  const Resource mapi = Key(wow + "\\Connected\\MAPI");
  ASSERT_TRUE(target_.Write(pref, Value::RegString("SERVER1"), Value::RegString("SERVER2")).ok());
  ASSERT_TRUE(target_.Write(added, Value::Absent(), Value::RegString("x")).ok());
  ASSERT_TRUE(target_.Write(deep, Value::Absent(), Value::RegString("D:\\s")).ok());
  ASSERT_TRUE(target_.Write(mapi, Value::Key(), Value::Absent(), /*recursive=*/true).ok());
  EXPECT_NE(ReadFileBytes(file_), original);
  // Undone, newest first: the deleted subtree comes back in its place.
  const Resource config = Key(wow + "\\Connected\\MAPI\\Config");
  ASSERT_TRUE(target_.Write(mapi, Value::Absent(), Value::Key()).ok());
  ASSERT_TRUE(target_.Write(Val(wow + "\\Connected\\MAPI", "PublicServerName"), Value::Absent(),
                            Value::RegString("mapi.example")).ok());
  ASSERT_TRUE(target_.Write(config, Value::Absent(), Value::Key()).ok());
  ASSERT_TRUE(target_.Write(Val(wow + "\\Connected\\MAPI\\Config", "Level"), Value::Absent(),
                            Value::RegDword(2)).ok());
  ASSERT_TRUE(target_.Write(deep, Value::RegString("D:\\s"), Value::Absent()).ok());
  ASSERT_TRUE(target_.Write(Key(wow + "\\Connected\\SSWS\\Inner"), Value::Key(), Value::Absent()).ok());
  ASSERT_TRUE(target_.Write(Key(wow + "\\Connected\\SSWS"), Value::Key(), Value::Absent()).ok());
  ASSERT_TRUE(target_.Write(added, Value::RegString("x"), Value::Absent()).ok());
  ASSERT_TRUE(target_.Write(pref, Value::RegString("SERVER2"), Value::RegString("SERVER1")).ok());
  EXPECT_EQ(FileText(ReadFileBytes(file_)), FileText(original));
  EXPECT_EQ(ReadFileBytes(file_), original);
}

TEST_F(RegistryTargetTest, RefusesToDeleteNonEmptyKeyUnlessRecursive) {
  const Resource mapi = Key("HKLM\\SOFTWARE\\Connected\\MAPI");
  const std::string before = ReadFileBytes(file_);
  Status s = target_.Write(mapi, Value::Key(), Value::Absent());
  EXPECT_TRUE(s.Is(StatusCode::kConflict)) << s.ToString();
  EXPECT_NE(s.message().find("values or subkeys"), std::string::npos);
  EXPECT_EQ(ReadFileBytes(file_), before);
  // A key with only a subkey (no values) is not empty either.
  ASSERT_TRUE(target_.Write(Val("HKLM\\SOFTWARE\\Connected\\MAPI", "PublicServerName"),
                            Value::RegString("mapi.example"), Value::Absent()).ok());
  EXPECT_TRUE(target_.Write(mapi, Value::Key(), Value::Absent()).Is(StatusCode::kConflict));
  ASSERT_TRUE(target_.Write(mapi, Value::Key(), Value::Absent(), /*recursive=*/true).ok());
  EXPECT_TRUE(MustRead(mapi).absent());
  EXPECT_TRUE(MustRead(Key("HKLM\\SOFTWARE\\Connected\\MAPI\\Config")).absent());
  EXPECT_EQ(MustRead(Val("HKLM\\SOFTWARE\\Wow6432Node\\Outflow", "DB_PreferedRegistry")),
            Value::RegString("SERVER1"));
  // An empty key is deleted without `recursive`.
  const Resource empty = Key("HKLM\\SOFTWARE\\Empty");
  ASSERT_TRUE(target_.Write(empty, Value::Absent(), Value::Key()).ok());
  EXPECT_TRUE(target_.Write(empty, Value::Key(), Value::Absent()).ok());
  // Roots are never deleted.
  EXPECT_TRUE(target_.Write(Key("HKLM"), Value::Key(), Value::Absent(), true).Is(StatusCode::kInvalidInput));
}

TEST_F(RegistryTargetTest, MissingHiveFileIsAnEmptyRegistryCreatedOnWrite) {
  HiveRegistryTarget fresh(kHost, dir_ / "new.reg");
  auto v = fresh.Read(Val(kSupportCenter, "RegistryConnect"));
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->absent());
  auto listed = fresh.Enumerate("HKLM\\SOFTWARE");
  ASSERT_TRUE(listed.ok());
  EXPECT_TRUE(listed->empty());
  ASSERT_TRUE(fresh.Write(Val(kSupportCenter, "RegistryConnect"), Value::Absent(),
                          Value::RegString("x")).ok());
  EXPECT_EQ(FileText(ReadFileBytes(dir_ / "new.reg")).rfind("Windows Registry Editor Version 5.00\r\n\r\n"
                                                          "[HKEY_LOCAL_MACHINE\\SOFTWARE]\r\n", 0), 0u);
}

TEST_F(RegistryTargetTest, NoChangeWritesNothing) {
  WriteFileBytes(file_, kHive);  // UTF-8: any rewrite would turn it into UTF-16
  ASSERT_TRUE(target_.Write(Val(kSupportCenter, "Port"), Value::RegDword(80), Value::RegDword(80)).ok());
  ASSERT_TRUE(target_.Write(Key("HKLM\\SOFTWARE\\X"), Value::Absent(), Value::Absent()).ok());
  EXPECT_EQ(ReadFileBytes(file_), kHive);
}

TEST_F(RegistryTargetTest, BadInputChangesNothing) {
  const std::string before = ReadFileBytes(file_);
  // Unknown root.
  Status s = target_.Write(Val("HKEY_NOWHERE\\X", "v"), Value::Absent(), Value::RegDword(1));
  EXPECT_TRUE(s.Is(StatusCode::kInvalidInput)) << s.ToString();
  EXPECT_NE(s.message().find("HKEY_NOWHERE"), std::string::npos);
  EXPECT_TRUE(target_.Read(Key("HKXX\\X")).status().Is(StatusCode::kInvalidInput));
  EXPECT_TRUE(target_.Enumerate("HKXX").status().Is(StatusCode::kInvalidInput));
  // Another host, another kind, a value of the wrong type.
  EXPECT_TRUE(target_.Read(Resource::RegistryValue("SERVER2", kSupportCenter, "Port"))
                  .status().Is(StatusCode::kInvalidInput));
  EXPECT_TRUE(target_.Read(Resource::File(kHost, "C:\\x.txt")).status().Is(StatusCode::kInvalidInput));
  EXPECT_TRUE(target_.Write(Val(kSupportCenter, "Port"), Value::RegDword(80), Value::Text("80"))
                  .Is(StatusCode::kInvalidInput));
  EXPECT_TRUE(target_.Write(Key("HKLM\\SOFTWARE\\New"), Value::Absent(), Value::RegDword(1))
                  .Is(StatusCode::kInvalidInput));
  EXPECT_EQ(ReadFileBytes(file_), before);
  // A malformed hive: reads and writes fail naming file:line, the file stays as it is.
  std::string text = kHive;
  text.replace(text.find("\"Port\"=dword:00000050"), 21, "\"Port\"=dword:xyz");
  const std::string bad = Utf16File(text);
  WriteFileBytes(file_, bad);
  auto r = target_.Read(Val(kSupportCenter, "Port"));
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().Is(StatusCode::kInvalidInput));
  EXPECT_NE(r.status().message().find(file_.string() + ":8: expected hex digits after dword:"),
            std::string::npos) << r.status().message();
  EXPECT_TRUE(target_.Write(Val(kSupportCenter, "New"), Value::Absent(), Value::RegDword(1))
                  .Is(StatusCode::kInvalidInput));
  EXPECT_EQ(ReadFileBytes(file_), bad);
}

TEST_F(RegistryTargetTest, EnumeratesKeysAndValuesInFileOrder) {
  auto listed = target_.Enumerate("hklm\\software");
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  std::vector<std::string> seen;
  for (const auto& [res, val] : *listed) {
    EXPECT_EQ(res.host, kHost);
    seen.push_back(std::string(res.kind == ResourceKind::kRegistryKey ? "K " : "V ") + res.path +
                   (res.kind == ResourceKind::kRegistryValue ? "|" + res.name : "") + " " +
                   val.ToDisplay());
    EXPECT_EQ(target_.Read(res).value(), val) << res.Display();
  }
  EXPECT_EQ(seen, (std::vector<std::string>{
                      "K HKEY_LOCAL_MACHINE\\software <key>",
                      "K HKEY_LOCAL_MACHINE\\SOFTWARE\\Wow6432Node <key>",
                      "K HKEY_LOCAL_MACHINE\\SOFTWARE\\Wow6432Node\\Outflow <key>",
                      "V HKEY_LOCAL_MACHINE\\SOFTWARE\\Wow6432Node\\Outflow|DB_PreferedRegistry "
                      "REG_SZ \"SERVER1\"",
                      "K HKEY_LOCAL_MACHINE\\SOFTWARE\\Wow6432Node\\SupportCenter <key>",
                      "V HKEY_LOCAL_MACHINE\\SOFTWARE\\Wow6432Node\\SupportCenter|RegistryConnect "
                      "REG_SZ \"DRIVER={SQL Server};SERVER=SERVER1;DATABASE=Registry\"",
                      "V HKEY_LOCAL_MACHINE\\SOFTWARE\\Wow6432Node\\SupportCenter|Port "
                      "REG_DWORD 0x00000050 (80)",
                      "K HKEY_LOCAL_MACHINE\\SOFTWARE\\Connected <key>",
                      "K HKEY_LOCAL_MACHINE\\SOFTWARE\\Connected\\MAPI <key>",
                      "V HKEY_LOCAL_MACHINE\\SOFTWARE\\Connected\\MAPI|PublicServerName "
                      "REG_SZ \"mapi.example\"",
                      "K HKEY_LOCAL_MACHINE\\SOFTWARE\\Connected\\MAPI\\Config <key>",
                  }));
  auto sub = target_.Enumerate("HKLM\\SOFTWARE\\Connected\\MAPI\\Config");
  ASSERT_TRUE(sub.ok());
  EXPECT_EQ(sub->size(), 1u);
  auto missing = target_.Enumerate("HKLM\\SOFTWARE\\Nothing");
  ASSERT_TRUE(missing.ok());
  EXPECT_TRUE(missing->empty());
  // Deleted values are not listed.
  ASSERT_TRUE(target_.Write(Val("HKLM\\SOFTWARE\\Connected\\MAPI", "PublicServerName"),
                            Value::RegString("mapi.example"), Value::Absent()).ok());
  EXPECT_EQ(target_.Enumerate("HKLM\\SOFTWARE\\Connected\\MAPI")->size(), 2u);
}

TEST_F(RegistryTargetTest, LeavesNoTempFilesBehind) {
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(target_.Write(Val(kSupportCenter, "Port"), Value::RegDword(80 + static_cast<uint32_t>(i)),
                              Value::RegDword(81 + static_cast<uint32_t>(i))).ok());
  }
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(dir_.path())) {
    names.push_back(e.path().filename().string());
  }
  EXPECT_EQ(names, std::vector<std::string>{"server1.reg"});
}

}  // namespace
}  // namespace tidemark::targets
