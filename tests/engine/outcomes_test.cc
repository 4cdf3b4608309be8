// The outcome fold (engine/outcomes.h): every way an intent ends, observed
// changes and no-ops, intents read through the lookup and its errors.
#include "engine/outcomes.h"

#include <gtest/gtest.h>

namespace tidemark::engine {
namespace {

const Resource kPref = Resource::RegistryValue("S1", "HKLM\\SOFTWARE\\Outflow", "Pref");

Event At(uint64_t seq, EventBody body, const std::string& step = "s1") {
  Event e;
  e.seq = seq;
  e.run = "R";
  e.step = step;
  e.body = std::move(body);
  return e;
}

Intent SetPref(const std::string& from, const std::string& to, uint64_t reverses = 0) {
  return Intent{kPref, Value::RegString(from), Value::RegString(to), "registry.set@0", reverses,
                false};
}

const RecordedChange& Folded(OutcomeFold& fold, const Event& e) {
  auto r = fold.Apply(e);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_NE(r.value(), nullptr);
  return *r.value();
}

TEST(OutcomeFoldTest, EveryWayAnIntentEnds) {
  OutcomeFold fold;
  EXPECT_EQ(Folded(fold, At(1, SetPref("a", "b"))).outcome, Outcome::kInDoubt);
  Folded(fold, At(2, SetPref("b", "c")));
  Folded(fold, At(3, SetPref("c", "d")));
  Folded(fold, At(4, SetPref("d", "e")));
  const RecordedChange& applied =
      Folded(fold, At(5, Applied{1, kPref, Value::RegString("b"), false, true}));
  EXPECT_EQ(applied.outcome, Outcome::kApplied);
  EXPECT_EQ(applied.outcome_seq, 5u);
  EXPECT_TRUE(applied.secret) << "a secret outcome makes the change secret";
  EXPECT_EQ(Folded(fold, At(6, Applied{2, kPref, Value::RegString("c"), true, false})).outcome,
            Outcome::kRecovered);
  const RecordedChange& failed = Folded(fold, At(7, Failed{3, kPref, "access denied"}));
  EXPECT_EQ(failed.outcome, Outcome::kFailed);
  EXPECT_EQ(failed.error, "access denied");
  EXPECT_FALSE(failed.effective());
  const RecordedChange& accepted =
      Folded(fold, At(8, Decision{4, "accept-current", Value::RegString("x"), ""}));
  EXPECT_EQ(accepted.outcome, Outcome::kAccepted);
  EXPECT_EQ(accepted.after, Value::RegString("x"));
  EXPECT_TRUE(accepted.effective());
  EXPECT_EQ(fold.changes().size(), 4u);
}

// resume --reapply overwrote what someone else wrote: that value is the
// change's before (what rollback restores), not the run's original.
TEST(OutcomeFoldTest, ReapplyMakesTheOverwrittenValueTheChangesBefore) {
  OutcomeFold fold;
  Folded(fold, At(1, SetPref("a", "b", 0)));
  auto decided = fold.Apply(At(2, Decision{1, "reapply", Value::RegString("someone"), "overwrote"}));
  ASSERT_TRUE(decided.ok());
  EXPECT_EQ(decided.value(), nullptr) << "reapply settles nothing by itself";
  const RecordedChange& c = Folded(
      fold, At(3, Applied{1, kPref, Value::RegString("b"), false, false, Value::RegString("someone")}));
  EXPECT_EQ(c.before, Value::RegString("someone"));
  EXPECT_EQ(c.after, Value::RegString("b"));
  EXPECT_EQ(c.outcome, Outcome::kApplied);
}

TEST(OutcomeFoldTest, ObservedNoopAndOtherEvents) {
  OutcomeFold fold;
  const RecordedChange& o =
      Folded(fold, At(1, Observed{kPref, Value::Absent(), Value::RegString("z"), false}));
  EXPECT_EQ(o.outcome, Outcome::kObserved);
  EXPECT_EQ(o.outcome_seq, 1u);
  EXPECT_TRUE(o.effective());
  EXPECT_FALSE(Folded(fold, At(2, Noop{kPref, Value::RegString("z"), "registry.set@1", false}))
                   .effective());
  auto other = fold.Apply(At(3, StepFinished{}));
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(other.value(), nullptr);
  auto reapply = fold.Apply(At(4, Decision{1, "reapply", Value::Absent(), ""}));
  ASSERT_TRUE(reapply.ok());
  EXPECT_EQ(reapply.value(), nullptr) << "only accept-current settles an intent";
  auto unknown = fold.Apply(At(5, Applied{99, kPref, Value::RegString("b"), false, false}));
  ASSERT_TRUE(unknown.ok());
  EXPECT_EQ(unknown.value(), nullptr) << "without a lookup an unknown intent is no change";
}

TEST(OutcomeFoldTest, ReadsAnEarlierIntentThroughTheLookupAndStopsOnItsErrors) {
  OutcomeFold fold([](uint64_t seq) -> Result<Event> {
    if (seq == 1) return At(1, SetPref("a", "b", 0), "early");
    if (seq == 2) return At(2, StepFinished{});
    return Status::Corruption("event " + std::to_string(seq) + " does not decode");
  });
  const RecordedChange& c = Folded(fold, At(10, Applied{1, kPref, Value::RegString("b"), false, false}));
  EXPECT_EQ(c.seq, 1u);
  EXPECT_EQ(c.step, "early");
  EXPECT_EQ(c.before, Value::RegString("a"));
  EXPECT_EQ(c.outcome, Outcome::kApplied);
  auto not_intent = fold.Apply(At(11, Applied{2, kPref, Value::RegString("b"), false, false}));
  EXPECT_EQ(not_intent.status().code(), StatusCode::kCorruption);
  auto unreadable = fold.Apply(At(12, Failed{3, kPref, "x"}));
  EXPECT_EQ(unreadable.status().code(), StatusCode::kCorruption);
  EXPECT_NE(unreadable.status().message().find("event 3"), std::string::npos);
}

TEST(OutcomeFoldTest, AnIntentFromASnapshotIsSettledLater) {
  OutcomeFold fold;
  fold.AddInDoubt(7, "R", "s2", SetPref("a", "b", 3));
  const RecordedChange& c = Folded(fold, At(9, Applied{7, kPref, Value::RegString("b"), false, false}));
  EXPECT_EQ(c.reverses, 3u);
  EXPECT_EQ(c.AsIntent().after, Value::RegString("b"));
  EXPECT_EQ(std::string(OutcomeName(c.outcome)), "applied");
}

}  // namespace
}  // namespace tidemark::engine
