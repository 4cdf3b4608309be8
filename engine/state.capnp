# State snapshot schema (engine/state_codec.h): the whole fold (engine::State)
# at one seq, stored in the journal's `snapshots` CF (key = seq, 8-byte BE).
# Values are nested as store::EncodeValue bytes (store/event.capnp Value), so
# the value encoding has one owner. A reader refuses any formatVersion but its own.
@0xc7a3e0d25b9f4a61;

$import "/capnp/c++.capnp".namespace("tidemark::snapshot_schema");

struct KeyPart {
  column @0 :Text;
  value @1 :Data;          # store::EncodeValue
}

struct Resource {
  kind @0 :UInt8;
  host @1 :Text;
  database @2 :Text;
  path @3 :Text;
  name @4 :Text;
  key @5 :List(KeyPart);
}

struct ResourceState {
  identity @0 :Text;
  resource @1 :Resource;
  value @2 :Data;          # store::EncodeValue
  seq @3 :UInt64;
  secret @4 :Bool;
}

struct ActionStarted {
  index @0 :UInt32;
  kind @1 :Text;
  detail @2 :Text;
  scanBlob @3 :Text;
}

struct Step {
  id @0 :Text;
  title @1 :Text;
  status @2 :UInt8;        # engine::StepStatus
  startedSeq @3 :UInt64;
  endedSeq @4 :UInt64;
  startedNs @5 :Int64;
  endedNs @6 :Int64;
  error @7 :Text;
  lastAction @8 :Int32;
  effectiveActions @9 :List(Int32);
  hasOpenAction @10 :Bool;
  openAction @11 :ActionStarted;
  hasOpenProcess @12 :Bool;     # the open exec's program had started
  openPid @13 :Int64;
  openStartId @14 :Text;
  hasOpenExit @15 :Bool;        # ... and had ended
  openExitCode @16 :Int32;
  openFailure @17 :Text;
  attempts @18 :UInt32;         # 0 in older snapshots = 1
}

struct ActionPosition {
  step @0 :UInt32;
  action @1 :UInt32;
}

struct Intent {
  resource @0 :Resource;
  before @1 :Data;
  after @2 :Data;
  action @3 :Text;
  reverses @4 :UInt64;
  secret @5 :Bool;
  position @6 :ActionPosition;   # unset: reverse action or older snapshot
}

struct PendingIntent {
  seq @0 :UInt64;
  step @1 :Text;
  intent @2 :Intent;
}

struct Parameter {
  name @0 :Text;
  value @1 :Text;
}

struct RunStarted {
  planName @0 :Text;
  planPath @1 :Text;
  planSha256 @2 :Text;
  parameters @3 :List(Parameter);
  envPath @4 :Text;
  envSha256 @5 :Text;
  commandLine @6 :Text;
  runKind @7 :UInt8;             # store RunKind; 0 = older snapshot (not recorded)
}

struct RollbackStarted {
  target @0 :Text;
  targetSeq @1 :UInt64;
  restoreDatabases @2 :Bool;
  force @3 :Bool;
}

struct Run {
  id @0 :Text;
  info @1 :RunStarted;
  host @2 :Text;
  user @3 :Text;
  startSeq @4 :UInt64;
  lastSeq @5 :UInt64;
  startNs @6 :Int64;
  lastNs @7 :Int64;
  status @8 :UInt8;        # engine::RunStatus
  error @9 :Text;
  steps @10 :List(Step);
  inDoubt @11 :List(PendingIntent);
  checkpoints @12 :List(UInt64);
  inRollback @13 :Bool;
  hasRollback @14 :Bool;
  rollback @15 :RollbackStarted;
  changes @16 :UInt64;
}

struct Backup {
  database @0 :Text;
  method @1 :Text;
  file @2 :Text;
  size @3 :UInt64;
  sha256 @4 :Text;
  verified @5 :Bool;
}

struct CheckpointState {
  key @0 :Text;            # the name it is filed under in State::checkpoints()
  seq @1 :UInt64;
  run @2 :Text;
  name @3 :Text;
  snapshotSeq @4 :UInt64;
  backups @5 :List(Backup);
}

struct Snapshot {
  formatVersion @0 :UInt32;
  seq @1 :UInt64;          # last event folded in
  headHash @2 :Data;       # chain hash of event `seq` (32 raw bytes)
  timeNs @3 :Int64;
  resources @4 :List(ResourceState);
  runs @5 :List(Run);
  runOrder @6 :List(Text);
  checkpoints @7 :List(CheckpointState);
}
