// Typed event fields (run kind, action position) round-trip through the
// codec, and events written before they existed still read: the fallbacks
// of store/event_compat.h apply only when a field is absent.
#include "store/event_compat.h"

#include <gtest/gtest.h>

#include "store/event_codec.h"

namespace tidemark::store {
namespace {

template <typename Body>
Body RoundTrip(Body body) {
  Event e;
  e.seq = 7;
  e.body = std::move(body);
  auto decoded = DecodeEvent(EncodeEvent(e));
  EXPECT_TRUE(decoded.ok()) << decoded.status().ToString();
  return std::get<Body>(decoded->body);
}

const Resource kValue = Resource::RegistryValue("S1", "HKLM\\SOFTWARE\\Outflow", "V");

TEST(EventCompatTest, TypedFieldsRoundTrip) {
  RunStarted started;
  started.kind = RunKind::kRollback;
  started.plan_name = "anything";
  EXPECT_EQ(RoundTrip(started).kind, RunKind::kRollback);
  started.kind = RunKind::kApply;
  started.plan_name = "rollback";
  EXPECT_EQ(KindOfRun(RoundTrip(started)), RunKind::kApply);  // the name does not decide

  Intent intent{kValue, Value::Absent(), Value::RegString("x"), "registry.set", 0, false,
                ActionPosition{2, 5}};
  const Intent back = RoundTrip(intent);
  ASSERT_TRUE(back.position.has_value());
  EXPECT_EQ(*back.position, (ActionPosition{2, 5}));
  EXPECT_EQ(ActionIndexOf(back), 5);
  Noop noop{kValue, Value::RegString("x"), "registry.set", false, ActionPosition{0, 3}};
  EXPECT_EQ(ActionIndexOf(RoundTrip(noop)), 3);
}

TEST(EventCompatTest, OlderEventsFallBackToNameAndLabel) {
  RunStarted old_rollback;  // written before runKind: no kind
  old_rollback.plan_name = "rollback";
  EXPECT_FALSE(RoundTrip(old_rollback).kind.has_value());
  EXPECT_EQ(KindOfRun(RoundTrip(old_rollback)), RunKind::kRollback);
  RunStarted old_apply;
  old_apply.plan_name = "mirrored";
  EXPECT_EQ(KindOfRun(RoundTrip(old_apply)), RunKind::kApply);

  const Intent old_intent = RoundTrip(
      Intent{kValue, Value::Absent(), Value::RegString("x"), "registry.set@3", 0, false, {}});
  EXPECT_FALSE(old_intent.position.has_value());
  EXPECT_EQ(ActionIndexOf(old_intent), 3);
  EXPECT_EQ(ActionIndexOf(RoundTrip(Noop{kValue, Value::Absent(), "sql.update@12", false, {}})),
            12);
  // A reverse action (or a damaged label) has no position.
  EXPECT_FALSE(ActionIndexOf(Intent{kValue, {}, {}, "rollback", 4, false, {}}).has_value());
  EXPECT_FALSE(ActionIndexOf(Intent{kValue, {}, {}, "registry.set@x", 0, false, {}}).has_value());
}

}  // namespace
}  // namespace tidemark::store
