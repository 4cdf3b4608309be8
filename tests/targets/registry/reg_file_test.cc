// Tests of the .reg file model (engine/targets/reg_file.h): parsing every
// value type, escapes, continuation lines, deletions, REGEDIT4 and UTF-8
// input, the regedit-exact writer, errors naming file:line, and parse speed.
#include "engine/targets/reg_file.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "tests/targets/registry/reg_text.h"
#include "tests/testing/temp_dir.h"

namespace tidemark::targets {
namespace {

using namespace std::string_literals;
using testing::FileText;
using testing::Utf16File;
using testing::Wide;

// What `wine reg export HKCU\Software\TidemarkTest` wrote (captured from Wine 8).
constexpr const char* kWineExport =
    "Windows Registry Editor Version 5.00\r\n"
    "\r\n"
    "[HKEY_CURRENT_USER\\Software\\TidemarkTest]\r\n"
    "\"Bin\"=hex:00,11,22,33,44,55,66,77,88,99,aa,bb,cc,dd,ee,ff,00,11,22,33,44,55,66,\\\r\n"
    "  77,88,99,aa,bb,cc,dd,ee,ff,00,11,22,33,44,55,66,77,88,99\r\n"
    "\"Dw\"=dword:12345678\r\n"
    "\"Exp\"=hex(2):25,00,50,00,41,00,54,00,48,00,25,00,3b,00,78,00,00,00\r\n"
    "\"Multi\"=hex(7):61,00,00,00,62,00,62,00,00,00,63,00,63,00,63,00,00,00,00,00\r\n"
    "\"None\"=hex(0):00,00\r\n"
    "\"Qw\"=hex(b):f0,de,bc,9a,78,56,34,12\r\n"
    "\"Str\"=\"hello \\\"q\\\" \\\\back\"\r\n"
    "\r\n"
    "[HKEY_CURRENT_USER\\Software\\TidemarkTest\\Sub]\r\n"
    "@=\"def\"\r\n"
    "\r\n";

Hive MustParse(const std::string& bytes, const std::string& origin = "test.reg") {
  auto hive = Hive::Parse(bytes, origin);
  EXPECT_TRUE(hive.ok()) << hive.status().ToString();
  return hive.ok() ? std::move(hive).value() : Hive();
}

std::string MustSerialize(const Hive& hive) {
  auto bytes = hive.Serialize();
  EXPECT_TRUE(bytes.ok()) << bytes.status().ToString();
  return bytes.ok() ? bytes.value() : std::string();
}

std::string Hex(const std::string& bytes) {
  std::string out;
  char buf[4];
  for (char c : bytes) {
    std::snprintf(buf, sizeof buf, "%02x", static_cast<unsigned char>(c));
    out += buf;
  }
  return out;
}

TEST(RegFileTest, ParsesEveryTypeOfAWineExport) {
  Hive hive = MustParse(Utf16File(kWineExport));
  ASSERT_EQ(hive.keys().size(), 2u);
  const std::string key = "HKEY_CURRENT_USER\\Software\\TidemarkTest";
  EXPECT_EQ(hive.keys()[0].path, key);
  EXPECT_EQ(hive.GetValue(key, "Str").AsRegString(), "hello \"q\" \\back");
  EXPECT_EQ(hive.GetValue(key, "Str").bytes, Wide("hello \"q\" \\back"));
  EXPECT_EQ(hive.GetValue(key, "Dw"), Value::RegDword(0x12345678));
  EXPECT_EQ(hive.GetValue(key, "Exp"), Value::Registry(kRegExpandSz, Wide("%PATH%;x")));
  EXPECT_EQ(hive.GetValue(key, "Multi"), Value::RegMulti({"a", "bb", "ccc"}));
  EXPECT_EQ(hive.GetValue(key, "None"), Value::Registry(kRegNone, std::string(2, '\0')));
  EXPECT_EQ(hive.GetValue(key, "Qw"), Value::RegQword(0x123456789abcdef0ULL));
  const Value bin = hive.GetValue(key, "Bin");
  EXPECT_EQ(bin.reg_type, kRegBinary);
  EXPECT_EQ(Hex(bin.bytes),
            "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff0011223344556677"
            "8899");
  EXPECT_EQ(hive.GetValue(key + "\\Sub", ""), Value::RegString("def"));
  EXPECT_TRUE(hive.GetValue(key, "Missing").absent());
}

TEST(RegFileTest, WritesExactlyWhatWindowsWrites) {
  const std::string input = Utf16File(kWineExport);
  Hive hive = MustParse(input);
  const std::string output = MustSerialize(hive);
  EXPECT_EQ(FileText(output), kWineExport);
  EXPECT_EQ(output, input);  // BOM, UTF-16LE, CRLF, hex wrapping: byte for byte
}

TEST(RegFileTest, RoundTripsEveryTypeBuiltThroughTheApi) {
  Hive hive;
  const std::string k = "HKLM\\SOFTWARE\\Wow6432Node\\SupportCenter";
  std::string big;
  for (int i = 0; i < 300; ++i) big.push_back(static_cast<char>(i * 7));
  const std::vector<std::pair<std::string, Value>> values = {
      {"", Value::RegString("default")},
      {"RegistryConnect",
       Value::RegString("DRIVER={SQL Server};SERVER=SERVER2;DATABASE=Registry;Trusted_Connection=Yes")},
      {"Quote\"And\\Slash", Value::RegString("a\\\"b\"\\")},
      {"Unicode", Value::RegString("Grüße 日本 \xF0\x9F\x98\x80")},
      {"Empty", Value::RegString("")},
      {"Embedded", Value::Registry(kRegSz, Wide("a") + Wide("b"))},
      {"NoNul", Value::Registry(kRegSz, "a\0"s)},
      {"Lines", Value::RegString("one\r\ntwo")},
      {"Expand", Value::RegString("%SystemRoot%\\x", kRegExpandSz)},
      {"Multi", Value::RegMulti({"x", "", "zz"})},
      {"Dword", Value::RegDword(0xdeadbeef)},
      {"ShortDword", Value::Registry(kRegDword, "\x01\x02"s)},
      {"Qword", Value::RegQword(1)},
      {"Binary", Value::Registry(kRegBinary, big)},
      {"EmptyBinary", Value::Registry(kRegBinary, "")},
      {"None", Value::Registry(kRegNone, "")},
      {"Odd", Value::Registry(0x12345678, "\xff"s)},
  };
  for (const auto& [name, value] : values) ASSERT_TRUE(hive.SetValue(k, name, value).ok()) << name;
  const std::string bytes = MustSerialize(hive);
  Hive again = MustParse(bytes);
  for (const auto& [name, value] : values) {
    EXPECT_EQ(again.GetValue(k, name), value) << name << ": " << again.GetValue(k, name).ToDisplay();
  }
  EXPECT_EQ(MustSerialize(again), bytes);
  const std::string text = FileText(bytes);
  EXPECT_NE(text.find("\r\n\"Embedded\"=hex(1):61,00,00,00,62,00,00,00\r\n"), std::string::npos);
  EXPECT_NE(text.find("\r\n\"Dword\"=dword:deadbeef\r\n"), std::string::npos);
  EXPECT_NE(text.find("\r\n\"ShortDword\"=hex(4):01,02\r\n"), std::string::npos);
  EXPECT_NE(text.find("\r\n\"Odd\"=hex(12345678):ff\r\n"), std::string::npos);
  EXPECT_NE(text.find("\r\n\"Quote\\\"And\\\\Slash\"=\"a\\\\\\\"b\\\"\\\\\"\r\n"), std::string::npos);
  EXPECT_NE(text.find("\r\n@=\"default\"\r\n"), std::string::npos);
  EXPECT_NE(text.find("\r\n\"Empty\"=\"\"\r\n"), std::string::npos);
  EXPECT_NE(text.find("\r\n\"EmptyBinary\"=hex:\r\n"), std::string::npos);
  // Every physical line stays within 80 columns, as regedit wraps hex data.
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find("\r\n", start);
    if (end == std::string::npos) end = text.size();
    const std::string line = text.substr(start, end - start);
    if (line.find("=hex") != std::string::npos || line.rfind("  ", 0) == 0) {
      EXPECT_LE(line.size(), 80u) << line;
    }
    start = end + 2;
  }
  // Parents were created as sections, the root abbreviation spelled out.
  ASSERT_EQ(again.keys().size(), 3u);
  EXPECT_EQ(again.keys()[0].path, "HKEY_LOCAL_MACHINE\\SOFTWARE");
  EXPECT_EQ(again.keys()[1].path, "HKEY_LOCAL_MACHINE\\SOFTWARE\\Wow6432Node");
  EXPECT_EQ(again.keys()[2].path, "HKEY_LOCAL_MACHINE\\SOFTWARE\\Wow6432Node\\SupportCenter");
}

TEST(RegFileTest, ParsesContinuationLinesWithLooseSpacing) {
  const std::string text =
      "Windows Registry Editor Version 5.00\r\n\r\n"
      "[HKEY_LOCAL_MACHINE\\SOFTWARE\\X]\r\n"
      "\"a\"=hex:01,02,\\\r\n"
      "  03,04,\\\r\n"
      "\t05 , 6,\\\r\n"
      "07\r\n"
      "\"b\" = dword:1f\r\n"
      "\"c\"=hex(7):41,00,00,00,\\\r\n"
      "    00,00\r\n";
  Hive hive = MustParse(Utf16File(text));
  EXPECT_EQ(hive.GetValue("HKLM\\SOFTWARE\\X", "a"),
            Value::Registry(kRegBinary, "\x01\x02\x03\x04\x05\x06\x07"));
  EXPECT_EQ(hive.GetValue("HKLM\\SOFTWARE\\X", "b"), Value::RegDword(0x1f));
  EXPECT_EQ(hive.GetValue("HKLM\\SOFTWARE\\X", "c"), Value::RegMulti({"A"}));
}

TEST(RegFileTest, DeletionLinesRemoveEarlierDataAndSurviveRoundTrip) {
  const std::string text =
      "Windows Registry Editor Version 5.00\r\n\r\n"
      "[HKEY_CURRENT_USER\\Software\\Gone]\r\n\"v\"=\"1\"\r\n\r\n"
      "[HKEY_CURRENT_USER\\Software\\Gone\\Child]\r\n\r\n"
      "[HKEY_CURRENT_USER\\Software\\Keep]\r\n\"x\"=\"1\"\r\n\"y\"=\"2\"\r\n\r\n"
      "[-HKEY_CURRENT_USER\\Software\\Gone]\r\n\r\n"
      "[HKEY_CURRENT_USER\\Software\\Keep]\r\n\"x\"=-\r\n\r\n";
  Hive hive = MustParse(Utf16File(text));
  EXPECT_FALSE(hive.KeyExists("HKCU\\Software\\Gone"));
  EXPECT_FALSE(hive.KeyExists("HKCU\\Software\\Gone\\Child"));
  EXPECT_TRUE(hive.GetValue("HKCU\\Software\\Keep", "x").absent());
  EXPECT_EQ(hive.GetValue("HKCU\\Software\\Keep", "y"), Value::RegString("2"));
  // The deletion took the place of the first removed section; Keep was merged.
  EXPECT_EQ(FileText(MustSerialize(hive)),
            "Windows Registry Editor Version 5.00\r\n\r\n"
            "[-HKEY_CURRENT_USER\\Software\\Gone]\r\n\r\n"
            "[HKEY_CURRENT_USER\\Software\\Keep]\r\n\"x\"=-\r\n\"y\"=\"2\"\r\n\r\n");
  // A key re-created after its deletion exists again, and the deletion stays first.
  ASSERT_TRUE(hive.SetValue("HKCU\\Software\\Gone", "n", Value::RegDword(1)).ok());
  Hive again = MustParse(MustSerialize(hive));
  EXPECT_EQ(again.GetValue("HKCU\\Software\\Gone", "n"), Value::RegDword(1));
  EXPECT_TRUE(again.GetValue("HKCU\\Software\\Gone", "v").absent());
  EXPECT_TRUE(again.keys()[0].deleted);
}

// As `reg export` shows the registry after the deletion: the subtree is gone,
// no `[-KEY]` line; new keys sit among their siblings by name.
TEST(RegFileTest, DeleteKeyRemovesTheSubtreeWithoutADeletionLine) {
  Hive hive;
  ASSERT_TRUE(hive.SetValue("HKLM\\SOFTWARE\\A", "a", Value::RegDword(1)).ok());
  ASSERT_TRUE(hive.SetValue("HKLM\\SOFTWARE\\Connected\\MAPI", "PublicServerName",
                            Value::RegString("srv")).ok());
  ASSERT_TRUE(hive.SetValue("HKLM\\SOFTWARE\\Connected\\MAPI\\Sub", "z", Value::RegDword(2)).ok());
  ASSERT_TRUE(hive.SetValue("HKLM\\SOFTWARE\\B", "b", Value::RegDword(3)).ok());
  EXPECT_TRUE(hive.KeyHasContent("HKLM\\SOFTWARE\\Connected\\MAPI"));
  ASSERT_TRUE(hive.DeleteKey("hklm\\software\\connected\\mapi").ok());
  EXPECT_FALSE(hive.KeyExists("HKLM\\SOFTWARE\\Connected\\MAPI\\Sub"));
  EXPECT_TRUE(hive.KeyExists("HKLM\\SOFTWARE\\Connected"));
  std::vector<std::string> paths;
  for (const RegKey& k : hive.keys()) paths.push_back((k.deleted ? "-" : "") + k.path);
  EXPECT_EQ(paths, (std::vector<std::string>{
                       "HKEY_LOCAL_MACHINE\\SOFTWARE", "HKEY_LOCAL_MACHINE\\SOFTWARE\\A",
                       "HKEY_LOCAL_MACHINE\\SOFTWARE\\B",
                       "HKEY_LOCAL_MACHINE\\SOFTWARE\\Connected"}));
  EXPECT_FALSE(hive.DeleteKey("HKLM").ok());
}

TEST(RegFileTest, ReadsRegedit4WithEightBitStrings) {
  // REGEDIT4 is ANSI: "café" in Latin-1, hex(2)/hex(7) hold 8-bit text.
  const std::string text =
      "REGEDIT4\r\n\r\n"
      "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Old]\r\n"
      "\"s\"=\"caf\xE9\"\r\n"
      "\"e\"=hex(2):25,50,41,54,48,25,00\r\n"
      "\"m\"=hex(7):61,00,62,63,00,00\r\n"
      "\"b\"=hex:25,50\r\n"
      "\"d\"=dword:00000010\r\n";
  Hive hive = MustParse(text);
  const std::string k = "HKLM\\SOFTWARE\\Old";
  EXPECT_EQ(hive.GetValue(k, "s"), Value::RegString("caf\xC3\xA9"));
  EXPECT_EQ(hive.GetValue(k, "e"), Value::Registry(kRegExpandSz, Wide("%PATH%")));
  EXPECT_EQ(hive.GetValue(k, "m"), Value::RegMulti({"a", "bc"}));
  EXPECT_EQ(hive.GetValue(k, "b"), Value::Registry(kRegBinary, "%P"));  // binary is not text
  EXPECT_EQ(hive.GetValue(k, "d"), Value::RegDword(16));
  // Written back in the version 5 format, Unicode hex(2).
  const std::string out = FileText(MustSerialize(hive));
  EXPECT_EQ(out.rfind("Windows Registry Editor Version 5.00\r\n", 0), 0u);
  EXPECT_NE(out.find("\"e\"=hex(2):25,00,50,00,41,00,54,00,48,00,25,00,00,00\r\n"), std::string::npos);
}

TEST(RegFileTest, ReadsUtf8WithAndWithoutBom) {
  const std::string body =
      "Windows Registry Editor Version 5.00\n\n"
      "[HKEY_CURRENT_USER\\Software\\Ünï]\n"
      "\"Name\"=\"Grüße\"\n";
  for (const std::string& bytes : {body, "\xEF\xBB\xBF" + body}) {
    Hive hive = MustParse(bytes);
    EXPECT_EQ(hive.GetValue("HKCU\\Software\\Ünï", "name"), Value::RegString("Grüße"));
    ASSERT_EQ(hive.keys().size(), 1u);
    EXPECT_EQ(hive.keys()[0].path, "HKEY_CURRENT_USER\\Software\\Ünï");
  }
}

TEST(RegFileTest, LooksUpCaseInsensitivelyAndKeepsSpelling) {
  const std::string text =
      "Windows Registry Editor Version 5.00\r\n\r\n"
      "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Wow6432Node\\Outflow]\r\n"
      "\"DB_PreferedRegistry\"=\"SERVER1\"\r\n";
  Hive hive = MustParse(Utf16File(text));
  const RegKey* key = hive.FindKey("hklm\\software\\WOW6432NODE\\outflow\\");
  ASSERT_NE(key, nullptr);
  EXPECT_EQ(key->path, "HKEY_LOCAL_MACHINE\\SOFTWARE\\Wow6432Node\\Outflow");
  EXPECT_EQ(hive.GetValue("HKEY_local_machine\\Software\\wow6432node\\OUTFLOW",
                          "db_preferedregistry"),
            Value::RegString("SERVER1"));
  ASSERT_TRUE(hive.SetValue("HKLM\\software\\wow6432node\\outflow", "DB_PREFEREDREGISTRY",
                            Value::RegString("SERVER2")).ok());
  ASSERT_EQ(hive.keys().size(), 1u);
  ASSERT_EQ(hive.keys()[0].values.size(), 1u);
  EXPECT_EQ(hive.keys()[0].values[0].name, "DB_PreferedRegistry");
  EXPECT_EQ(hive.keys()[0].values[0].value, Value::RegString("SERVER2"));
  EXPECT_FALSE(hive.FindKey("HKEY_FOO\\SOFTWARE"));
  EXPECT_TRUE(hive.SetValue("HKEY_FOO\\SOFTWARE", "x", Value::RegDword(1)).Is(StatusCode::kInvalidInput));
}

TEST(RegFileTest, MutationKeepsOrderOfUntouchedKeysAndValues) {
  std::string text = "Windows Registry Editor Version 5.00\r\n\r\n";
  for (const char* k : {"Zeta", "Alpha", "Mid"}) {
    text += std::string("[HKEY_LOCAL_MACHINE\\SOFTWARE\\") + k + "]\r\n";
    text += "\"z\"=dword:00000001\r\n\"a\"=dword:00000002\r\n\r\n";
  }
  Hive hive = MustParse(Utf16File(text));
  ASSERT_TRUE(hive.SetValue("HKLM\\SOFTWARE\\Alpha", "z", Value::RegDword(9)).ok());
  ASSERT_TRUE(hive.SetValue("HKLM\\SOFTWARE\\Alpha", "new", Value::RegDword(3)).ok());
  std::string expected = text;
  const std::string old_alpha =
      "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Alpha]\r\n\"z\"=dword:00000001\r\n\"a\"=dword:00000002\r\n";
  expected.replace(expected.find(old_alpha), old_alpha.size(),
                   "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Alpha]\r\n\"z\"=dword:00000009\r\n"
                   "\"a\"=dword:00000002\r\n\"new\"=dword:00000003\r\n");
  EXPECT_EQ(FileText(MustSerialize(hive)), expected);
}

TEST(RegFileTest, MalformedInputNamesFileAndLine) {
  const std::string head = "Windows Registry Editor Version 5.00\r\n\r\n[HKEY_CURRENT_USER\\Software\\X]\r\n";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {head + "\"a\"=\"ok\"\r\n\"b\"=bogus:12\r\n", "bad.reg:5: expected value data"},
      {head + "\"a\"=hex:01,zz\r\n", "bad.reg:4: expected a hex byte, got 'zz'"},
      {head + "\"a\"=hex:01,02,\\\r\n", "bad.reg:4: expected a continuation line"},
      // Cut off inside a value: a trailing ',' or '\' with nothing after it.
      {head + "\"DigitalProductId\"=hex:a4,00,", "bad.reg:4: expected more hex bytes after ','"},
      {head + "\"a\"=hex:a4,00,\r\n", "bad.reg:4: expected more hex bytes after ','"},
      {head + "\"a\"=hex:01,\\\r\n  02,", "bad.reg:5: expected more hex bytes after ','"},
      {head + "\"a\"=hex:01,02,\\", "bad.reg:4: expected a continuation line"},
      {head + "\"a\"=\"unterminated\r\n", "bad.reg:4: expected closing '\"' of the string"},
      {head + "\"a\"=dword:123456789\r\n", "bad.reg:4: expected 1 to 8 hex digits"},
      {head + "\"a\"\"=1\r\n", "bad.reg:4: expected '=' after the value name"},
      {head + "[HKEY_CURRENT_USER\\Software\\Y\r\n", "bad.reg:4: expected ']'"},
      {head + "\r\n[HKEY_FOO\\Software]\r\n", "bad.reg:5: expected a key path with a known root, got '[HKEY_FOO\\Software]'"},
      {"Windows Registry Editor Version 5.00\r\n\"a\"=\"x\"\r\n", "bad.reg:2: expected a key line"},
      {"Windows Registry Editor Version 4.00\r\n", "bad.reg:1: expected header"},
      {head + "[-HKEY_CURRENT_USER\\Software\\X]\r\n\"a\"=\"x\"\r\n", "bad.reg:5: expected a key line after a [-KEY] line"},
  };
  for (const auto& [text, message] : cases) {
    for (const std::string& bytes : {Utf16File(text), text}) {
      auto hive = Hive::Parse(bytes, "bad.reg");
      ASSERT_FALSE(hive.ok()) << text;
      EXPECT_TRUE(hive.status().Is(StatusCode::kInvalidInput));
      EXPECT_NE(hive.status().message().find(message), std::string::npos)
          << hive.status().message() << "\nwanted: " << message;
    }
  }
  // An unpaired surrogate in a UTF-16 file is reported with its line.
  std::string bytes = Utf16File(head);
  bytes += "\x00\xD8"s + Utf8ToUtf16Le("\"=1\r\n").value();
  auto hive = Hive::Parse(bytes, "bad.reg");
  ASSERT_FALSE(hive.ok());
  EXPECT_NE(hive.status().message().find("bad.reg:4:"), std::string::npos) << hive.status().message();
}

TEST(RegFileTest, LoadAndSaveAreAtomicFileOperations) {
  tidemark::testing::TempDir dir;
  const auto file = dir / "hive.reg";
  EXPECT_TRUE(Hive::Load(file).status().Is(StatusCode::kNotFound));
  Hive hive = MustParse(Utf16File(kWineExport));
  ASSERT_TRUE(hive.Save(file).ok());
  EXPECT_EQ(tidemark::testing::ReadFileBytes(file), Utf16File(kWineExport));
  auto loaded = Hive::Load(file);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->GetValue("HKCU\\Software\\TidemarkTest", "Dw"), Value::RegDword(0x12345678));
  size_t entries = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir.path())) {
    (void)e;
    ++entries;
  }
  EXPECT_EQ(entries, 1u);  // no temp file left behind
  // Saving into a directory that does not exist fails and creates nothing.
  EXPECT_TRUE(hive.Save(dir / "missing" / "hive.reg").Is(StatusCode::kIoError));
}

TEST(RegFileTest, ParsesFiftyThousandValuesWellUnderASecond) {
  std::string text = "Windows Registry Editor Version 5.00\r\n\r\n";
  text.reserve(8 << 20);
  for (int k = 0; k < 500; ++k) {
    text += "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Vendor\\Product\\Key" + std::to_string(k) + "]\r\n";
    for (int v = 0; v < 100; ++v) {
      const std::string n = std::to_string(v);
      switch (v % 4) {
        case 0: text += "\"String" + n + "\"=\"some value text " + n + "\"\r\n"; break;
        case 1: text += "\"Dword" + n + "\"=dword:0000" + (v < 10 ? "000" : "00") + n + "\r\n"; break;
        case 2:
          text += "\"Binary" + n +
                  "\"=hex:00,11,22,33,44,55,66,77,88,99,aa,bb,cc,dd,ee,ff,00,11,22,33,44,\\\r\n"
                  "  55,66,77,88,99\r\n";  // regedit wraps after 21 bytes here
          break;
        default: text += "\"Expand" + n + "\"=hex(2):25,00,41,00,25,00,00,00\r\n";
      }
    }
    text += "\r\n";
  }
  const std::string bytes = Utf16File(text);
  const auto start = std::chrono::steady_clock::now();
  auto hive = Hive::Parse(bytes, "big.reg");
  const auto parsed = std::chrono::steady_clock::now();
  ASSERT_TRUE(hive.ok()) << hive.status().ToString();
  auto out = hive->Serialize();
  const auto written = std::chrono::steady_clock::now();
  ASSERT_TRUE(out.ok());
  const auto [diff, unused] = std::mismatch(out->begin(), out->end(), bytes.begin(), bytes.end());
  (void)unused;
  const size_t at = static_cast<size_t>(diff - out->begin());
  EXPECT_TRUE(out.value() == bytes)
      << "written differs from input at byte " << at << ": "
      << FileText("\xFF\xFE" + out->substr(at & ~size_t{1}, 120)) << "\nvs\n"
      << FileText("\xFF\xFE" + bytes.substr(at & ~size_t{1}, 120));
  const auto parse_ms = std::chrono::duration_cast<std::chrono::milliseconds>(parsed - start).count();
  const auto write_ms = std::chrono::duration_cast<std::chrono::milliseconds>(written - parsed).count();
  EXPECT_LT(parse_ms, 500) << "parse of 50,000 values took " << parse_ms << " ms";
  EXPECT_LT(write_ms, 500) << "serialize of 50,000 values took " << write_ms << " ms";
  EXPECT_EQ(hive->GetValue("HKLM\\SOFTWARE\\Vendor\\Product\\Key499", "dword97"), Value::RegDword(0x97));
}

TEST(RegFileTest, CanonicalPathsExpandRootAbbreviations) {
  EXPECT_EQ(CanonicalKeyPath("HKLM\\Software\\X\\").value(), "HKEY_LOCAL_MACHINE\\Software\\X");
  EXPECT_EQ(CanonicalKeyPath("hkcu").value(), "HKEY_CURRENT_USER");
  EXPECT_EQ(CanonicalKeyPath("HKU\\.DEFAULT").value(), "HKEY_USERS\\.DEFAULT");
  EXPECT_EQ(CanonicalKeyPath("HKCR\\.txt").value(), "HKEY_CLASSES_ROOT\\.txt");
  EXPECT_EQ(CanonicalKeyPath("HKCC\\System").value(), "HKEY_CURRENT_CONFIG\\System");
  EXPECT_EQ(FoldedKeyPath("HKLM\\SOFTWARE\\X").value(), "hkey_local_machine\\software\\x");
  EXPECT_TRUE(CanonicalKeyPath("HKXX\\Software").status().Is(StatusCode::kInvalidInput));
  EXPECT_NE(CanonicalKeyPath("HKXX\\Software").status().message().find("HKXX"), std::string::npos);
  EXPECT_TRUE(CanonicalKeyPath("").status().Is(StatusCode::kInvalidInput));
  EXPECT_TRUE(IsRootKeyPath("HKLM\\"));
  EXPECT_FALSE(IsRootKeyPath("HKLM\\SOFTWARE"));
}

}  // namespace
}  // namespace tidemark::targets
