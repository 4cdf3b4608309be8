// Value helpers: registry encodings, equality, display.
#include "store/value.h"

#include <gtest/gtest.h>

namespace tidemark {
namespace {

TEST(ValueTest, RegStringRoundTripsThroughUtf16) {
  Value v = Value::RegString("SERVER2 — Zürich");
  EXPECT_EQ(v.reg_type, kRegSz);
  EXPECT_EQ(v.bytes.size() % 2, 0u);
  EXPECT_EQ(v.bytes.substr(v.bytes.size() - 2), std::string(2, '\0'));
  EXPECT_EQ(v.AsRegString().value(), "SERVER2 — Zürich");
}

TEST(ValueTest, AbsentDiffersFromEmpty) {
  EXPECT_NE(Value::Absent(), Value::RegString(""));
  EXPECT_NE(Value::Null(), Value::Text(""));
  EXPECT_EQ(Value::Absent(), Value::Absent());
}

TEST(ValueTest, DwordQwordMulti) {
  EXPECT_EQ(Value::RegDword(0x01020304).bytes, std::string("\x04\x03\x02\x01", 4));
  EXPECT_EQ(Value::RegQword(5).AsRegQword().value(), 5u);
  auto m = Value::RegMulti({"a", "bc"});
  EXPECT_EQ(m.AsRegMulti().value(), (std::vector<std::string>{"a", "bc"}));
  EXPECT_EQ(Value::RegDword(1).ToDisplay(), "REG_DWORD 0x00000001 (1)");
}

}  // namespace
}  // namespace tidemark
