# Journal event schema (DESIGN.md §4). One Event per entry of the `events`
# column family, serialized flat (unpacked) as a single-segment message.
# Evolution: add fields and union members only at the next ordinal; a reader
# that meets an unknown body kind fails closed (EventCodec returns Unsupported).
@0x914f7c2a7baf3e17;

$import "/capnp/c++.capnp".namespace("tidemark::schema");

struct RowField {
  column @0 :Text;
  value @1 :Value;
}

struct Value {
  union {
    absent @0 :Void;
    registry :group {
      regType @1 :UInt32;
      data @2 :Data;
    }
    null @3 :Void;
    integer @4 :Int64;
    real @5 :Float64;
    text @6 :Text;
    binary @7 :Data;
    file :group {
      sha256 @8 :Text;
      size @9 :Int64;
    }
    service :group {
      run @10 :UInt8;
      start @11 :UInt8;
    }
    key @12 :Void;
    row @13 :List(RowField);
  }
}

struct KeyPart {
  column @0 :Text;
  value @1 :Value;
}

struct Resource {
  kind @0 :UInt8;      # ResourceKind
  host @1 :Text;
  database @2 :Text;
  path @3 :Text;
  name @4 :Text;
  key @5 :List(KeyPart);
}

enum RunKind {
  unknown @0;    # journals written before runKind existed
  apply @1;
  rollback @2;
}

struct ActionPosition {
  step @0 :UInt32;     # step index in the plan
  action @1 :UInt32;   # action index in the step
}

struct Parameter {
  name @0 :Text;
  value @1 :Text;
}

struct Backup {
  database @0 :Text;
  method @1 :Text;
  file @2 :Text;
  size @3 :UInt64;
  sha256 @4 :Text;
  verified @5 :Bool;
}

struct Event {
  seq @0 :UInt64;
  timeNs @1 :Int64;
  run @2 :Text;
  step @3 :Text;
  host @4 :Text;
  user @5 :Text;
  prevHash @6 :Data;

  body :union {
    runStarted :group {
      planName @7 :Text;
      planPath @8 :Text;
      planSha256 @9 :Text;
      parameters @10 :List(Parameter);
      envPath @11 :Text;
      envSha256 @12 :Text;
      commandLine @13 :Text;
      secretParameters @62 :List(Text);  # names of parameters declared secret
      runKind @63 :RunKind;              # unknown in older journals
    }
    runFinished @14 :Void;
    runFailed @15 :Text;            # error
    stepStarted :group {
      title @16 :Text;
      actionKinds @17 :Text;
    }
    stepFinished @18 :Void;
    stepFailed @19 :Text;           # error
    stepSkipped @20 :Text;          # reason
    intent :group {
      resource @21 :Resource;
      before @22 :Value;
      after @23 :Value;
      action @24 :Text;
      reverses @25 :UInt64;
      secret @26 :Bool;
      position @64 :ActionPosition;      # unset: reverse action or older journal
    }
    applied :group {
      intentSeq @27 :UInt64;
      resource @28 :Resource;
      readBack @29 :Value;
      recovered @30 :Bool;
      secret @61 :Bool;        # derived from a secret (absent in older journals = false)
      reapplied @72 :Bool;     # resume --reapply overwrote a value found: `overwrote`
      overwrote @73 :Value;
    }
    failed :group {
      intentSeq @31 :UInt64;
      resource @32 :Resource;
      error @33 :Text;
    }
    noop :group {
      resource @34 :Resource;
      value @35 :Value;
      action @36 :Text;
      secret @37 :Bool;
      position @65 :ActionPosition;      # as in intent
    }
    observed :group {
      resource @38 :Resource;
      before @39 :Value;
      after @40 :Value;
      secret @41 :Bool;
    }
    checkpoint :group {
      name @42 :Text;
      snapshotSeq @43 :UInt64;
      backups @44 :List(Backup);
    }
    rollbackStarted :group {
      target @45 :Text;
      targetSeq @46 :UInt64;
      restoreDatabases @47 :Bool;
      force @48 :Bool;
    }
    rollbackFinished @49 :Void;
    decision :group {
      intentSeq @50 :UInt64;
      choice @51 :Text;
      current @52 :Value;
      detail @53 :Text;
    }
    note @54 :Text;
    # Opaque actions (exec, manual, checkpoint) are bracketed so that resume
    # can tell an interrupted one from one that never began.
    actionStarted :group {
      index @55 :UInt32;       # action index within the step
      kind @56 :Text;          # "exec", "manual", "checkpoint"
      detail @57 :Text;        # command line / prompt / checkpoint name
      scanBlob @58 :Text;      # SHA-256 of the pre-action watch scan (a blob), "" = none
    }
    actionFinished :group {
      index @59 :UInt32;
      exitCode @60 :Int32;
    }
    # An exec's program, between actionStarted and actionFinished: recorded
    # when it has started (so a later tidemark can tell whether it still runs)
    # and when it has ended (before the changes observed, so resume can finish
    # the step by itself).
    processStarted :group {
      index @66 :UInt32;
      pid @67 :Int64;          # also its process group on POSIX
      startId @68 :Text;       # which process that pid was (process/process_identity.h)
    }
    processExited :group {
      index @69 :UInt32;
      exitCode @70 :Int32;
      failure @71 :Text;       # why the action failed ("" = it succeeded)
    }
  }
}
