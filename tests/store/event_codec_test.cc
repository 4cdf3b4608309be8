// Round trips of every event kind and every value type through Cap'n Proto.
#include "store/event_codec.h"

#include <gtest/gtest.h>

#include "store/sha256.h"

namespace tidemark::store {
namespace {

std::vector<Value> AllValues() {
  return {Value::Absent(),
          Value::RegString("DRIVER={SQL Server};SERVER=SERVER2;DATABASE=Registry"),
          Value::RegString("%SystemRoot%\\x", kRegExpandSz),
          Value::RegDword(0xdeadbeef),
          Value::RegQword(0x0102030405060708ull),
          Value::RegMulti({"a", "b c", "Zürich"}),
          Value::Registry(kRegBinary, std::string("\x00\x01\xff", 3)),
          Value::Registry(kRegNone, ""),
          Value::Registry(0x4242, "raw"),
          Value::Null(),
          Value::Integer(-42),
          Value::Real(3.25),
          Value::Text("it's; -- \"quoted\" ✓"),
          Value::Binary(std::string("\0\1\2", 3)),
          Value::File(Sha256Hex("content"), 7),
          Value::Service(ServiceRun::kPaused, StartType::kDisabled),
          Value::Key(),
          Value::Row({{"ServerId", Value::Integer(1)}, {"Url", Value::Text("https://dt1")},
                      {"secureFlag", Value::Null()}})};
}

TEST(EventCodecTest, EveryValueTypeRoundTrips) {
  for (const Value& v : AllValues()) {
    auto decoded = DecodeValue(EncodeValue(v));
    ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
    EXPECT_EQ(decoded.value(), v) << v.ToDisplay();
  }
}

Event Header(EventBody body) {
  Event e;
  e.seq = 7;
  e.time_ns = 1764037800123456789;
  e.run = "r-1";
  e.step = "stop-services";
  e.host = "admin-pc";
  e.user = "alice";
  e.prev_hash = std::string(32, '\x5a');
  e.body = std::move(body);
  return e;
}

void ExpectSameHeader(const Event& a, const Event& b) {
  EXPECT_EQ(a.seq, b.seq);
  EXPECT_EQ(a.time_ns, b.time_ns);
  EXPECT_EQ(a.run, b.run);
  EXPECT_EQ(a.step, b.step);
  EXPECT_EQ(a.host, b.host);
  EXPECT_EQ(a.user, b.user);
  EXPECT_EQ(a.prev_hash, b.prev_hash);
  EXPECT_EQ(a.body.index(), b.body.index());
}

TEST(EventCodecTest, EveryEventKindRoundTrips) {
  const Resource cell = Resource::SqlCell("registry", "OutflowServices",
                                          {{"ServerId", Value::Integer(2)}}, "Url");
  const Resource reg = Resource::RegistryValue("SERVER1", "HKLM\\SOFTWARE\\Wow6432Node\\Outflow",
                                               "DB_PreferedRegistry");
  std::vector<EventBody> bodies = {
      RunStarted{"mirrored", "plans/m.yaml", Sha256Hex("plan"), {{"primary", "SERVER1"}},
                 "site.yaml", Sha256Hex("env"), "tidemark apply", {"admin_key"}},
      RunFinished{}, RunFailed{"step x failed"}, StepStarted{"Stop services", "service.stop"},
      StepFinished{}, StepFailed{"boom"}, StepSkipped{"already done"},
      Intent{reg, Value::RegString("SERVER1"), Value::RegString("SERVER2"), "registry.set", 12, true},
      Applied{9, cell, Value::Text("https://cn"), true, true},
      Failed{9, cell, "conflict"},
      Noop{reg, Value::RegString("SERVER2"), "registry.set", false},
      Observed{cell, Value::Absent(), Value::Text("new"), false},
      Checkpoint{"pre-upgrade", 40, {{"registry", "sqlite-vacuum-into", "/b/r.db", 4096,
                                      Sha256Hex("x"), true}}},
      RollbackStarted{"pre-upgrade", 40, true, false}, RollbackFinished{},
      Decision{9, "accept-current", Value::Text("other"), "changed by someone"},
      Note{"ticket CHG-1234"},
      ActionStarted{2, "exec", "setup.exe /s", Sha256Hex("scan")},
      ActionFinished{2, 1},
      ProcessStarted{2, 4242, "b0f1d2c3-boot/123456"},
      ProcessExited{2, 3, "exited with code 3"}};
  ASSERT_EQ(bodies.size(), std::variant_size_v<EventBody>);
  for (auto& body : bodies) {
    const Event e = Header(body);
    auto d = DecodeEvent(EncodeEvent(e));
    ASSERT_TRUE(d.ok()) << e.KindName() << ": " << d.status().ToString();
    ExpectSameHeader(e, d.value());
    // Re-encoding the decoded event gives the same bytes: nothing was lost.
    EXPECT_EQ(EncodeEvent(d.value()), EncodeEvent(e)) << e.KindName();
  }
  auto intent = DecodeEvent(EncodeEvent(Header(bodies[7]))).value();
  const auto& i = std::get<Intent>(intent.body);
  EXPECT_EQ(i.resource.Identity(), reg.Identity());
  EXPECT_EQ(i.after, Value::RegString("SERVER2"));
  EXPECT_EQ(i.reverses, 12u);
  EXPECT_TRUE(i.secret);
  auto applied = DecodeEvent(EncodeEvent(Header(bodies[8]))).value();
  EXPECT_TRUE(std::get<Applied>(applied.body).secret);
  EXPECT_FALSE(std::get<Applied>(applied.body).overwrote.has_value());
  // resume --reapply: the value it overwrote, even an absent one, is kept.
  for (const Value& found : {Value::Text("someone's"), Value::Absent()}) {
    auto reapplied = DecodeEvent(EncodeEvent(Header(Applied{9, cell, Value::Text("x"), false, false, found})));
    ASSERT_TRUE(reapplied.ok()) << reapplied.status().ToString();
    EXPECT_EQ(std::get<Applied>(reapplied->body).overwrote, std::optional<Value>(found));
  }
  auto started = DecodeEvent(EncodeEvent(Header(bodies[0]))).value();
  EXPECT_EQ(std::get<RunStarted>(started.body).secret_parameters, std::vector<std::string>{"admin_key"});
}

TEST(EventCodecTest, UnalignedInputIsCopiedBeforeReading) {
  const std::string bytes = EncodeEvent(Header(Note{"aligned?"}));
  std::string shifted = "x" + bytes;
  auto d = DecodeEvent(std::string_view(shifted).substr(1));
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(std::get<Note>(d->body).text, "aligned?");
}

TEST(EventCodecTest, GarbageIsCorruption) {
  auto d = DecodeEvent(std::string(24, '\xff'));
  EXPECT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), StatusCode::kCorruption);
  EXPECT_EQ(DecodeEvent("abc").status().code(), StatusCode::kCorruption);
}

TEST(EventCodecTest, UnknownBodyKindFailsClosed) {
  // A newer writer's union member: patch the body discriminant to an ordinal
  // this build does not know.
  std::string bytes = EncodeEvent(Header(Note{"n"}));
  const std::string before = bytes;
  bool patched = false;
  // The discriminant of `body` is a UInt16 in the Event struct's data section;
  // the note member is union index 16. Find and bump it.
  for (size_t i = 8; i + 1 < bytes.size(); i += 2) {
    if (static_cast<unsigned char>(bytes[i]) == 16 && bytes[i + 1] == 0) {
      bytes[i] = 99;
      auto d = DecodeEvent(bytes);
      if (!d.ok() && d.status().code() == StatusCode::kUnsupported) {
        patched = true;
        EXPECT_NE(d.status().message().find("newer"), std::string::npos);
        break;
      }
      bytes = before;
    }
  }
  EXPECT_TRUE(patched) << "could not produce an unknown union member";
}

}  // namespace
}  // namespace tidemark::store
