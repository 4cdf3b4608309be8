// State snapshots in Cap'n Proto (engine/state.capnp), framed with a SHA-256
// of the message so a damaged snapshot is refused instead of read as a wrong
// state. The only file that calls capnp for snapshots; kj exceptions stop here.
#include "engine/state_codec.h"

#include <algorithm>

#include <capnp/message.h>
#include <capnp/serialize.h>
#include <kj/exception.h>

#include <cstring>

#include "engine/state.capnp.h"
#include "store/event_codec.h"
#include "store/sha256.h"

namespace tidemark::engine {
namespace {

namespace s = ::tidemark::snapshot_schema;
constexpr size_t kChecksumSize = 32;

kj::ArrayPtr<const kj::byte> Bytes(const std::string& b) {
  return kj::ArrayPtr<const kj::byte>(reinterpret_cast<const kj::byte*>(b.data()), b.size());
}
std::string Str(capnp::Text::Reader t) { return std::string(t.cStr(), t.size()); }
std::string Str(capnp::Data::Reader d) {
  return std::string(reinterpret_cast<const char*>(d.begin()), d.size());
}
unsigned Count(size_t n) { return static_cast<unsigned>(n); }

// ---- encoding ----

void PutResource(s::Resource::Builder b, const Resource& r) {
  b.setKind(static_cast<uint8_t>(r.kind));
  b.setHost(r.host);
  b.setDatabase(r.database);
  b.setPath(r.path);
  b.setName(r.name);
  auto key = b.initKey(Count(r.key.size()));
  for (unsigned i = 0; i < r.key.size(); ++i) {
    key[i].setColumn(r.key[i].column);
    key[i].setValue(Bytes(store::EncodeValue(r.key[i].value)));
  }
}

void PutIntent(s::Intent::Builder b, const Intent& in) {
  PutResource(b.initResource(), in.resource);
  b.setBefore(Bytes(store::EncodeValue(in.before)));
  b.setAfter(Bytes(store::EncodeValue(in.after)));
  b.setAction(in.action);
  b.setReverses(in.reverses);
  b.setSecret(in.secret);
  if (in.position) {
    auto p = b.initPosition();
    p.setStep(in.position->step);
    p.setAction(in.position->action);
  }
}

void PutStep(s::Step::Builder b, const StepState& st) {
  b.setId(st.id);
  b.setTitle(st.title);
  b.setStatus(static_cast<uint8_t>(st.status));
  b.setStartedSeq(st.started_seq);
  b.setEndedSeq(st.ended_seq);
  b.setStartedNs(st.started_ns);
  b.setEndedNs(st.ended_ns);
  b.setError(st.error);
  b.setLastAction(st.last_action);
  auto eff = b.initEffectiveActions(Count(st.effective_actions.size()));
  unsigned i = 0;
  for (int a : st.effective_actions) eff.set(i++, a);
  b.setHasOpenAction(st.open_action.has_value());
  if (st.open_action) {
    auto oa = b.initOpenAction();
    oa.setIndex(st.open_action->index);
    oa.setKind(st.open_action->kind);
    oa.setDetail(st.open_action->detail);
    oa.setScanBlob(st.open_action->scan_blob);
  }
  b.setAttempts(static_cast<uint32_t>(st.attempts));
  b.setHasOpenProcess(st.open_process.has_value());
  if (st.open_process) {
    b.setOpenPid(st.open_process->pid);
    b.setOpenStartId(st.open_process->start_id);
  }
  b.setHasOpenExit(st.open_exit.has_value());
  if (st.open_exit) {
    b.setOpenExitCode(st.open_exit->exit_code);
    b.setOpenFailure(st.open_exit->failure);
  }
}

void PutRun(s::Run::Builder b, const RunState& run) {
  b.setId(run.id);
  auto info = b.initInfo();
  info.setPlanName(run.info.plan_name);
  info.setPlanPath(run.info.plan_path);
  info.setPlanSha256(run.info.plan_sha256);
  auto params = info.initParameters(Count(run.info.parameters.size()));
  for (unsigned i = 0; i < run.info.parameters.size(); ++i) {
    params[i].setName(run.info.parameters[i].first);
    params[i].setValue(run.info.parameters[i].second);
  }
  info.setEnvPath(run.info.env_path);
  info.setEnvSha256(run.info.env_sha256);
  info.setCommandLine(run.info.command_line);
  info.setRunKind(run.info.kind ? static_cast<uint8_t>(*run.info.kind) : 0);
  b.setHost(run.host);
  b.setUser(run.user);
  b.setStartSeq(run.start_seq);
  b.setLastSeq(run.last_seq);
  b.setStartNs(run.start_ns);
  b.setLastNs(run.last_ns);
  b.setStatus(static_cast<uint8_t>(run.status));
  b.setError(run.error);
  auto steps = b.initSteps(Count(run.steps.size()));
  for (unsigned i = 0; i < run.steps.size(); ++i) PutStep(steps[i], run.steps[i]);
  auto doubt = b.initInDoubt(Count(run.in_doubt.size()));
  unsigned i = 0;
  for (const auto& [seq, p] : run.in_doubt) {
    doubt[i].setSeq(p.seq);
    doubt[i].setStep(p.step);
    PutIntent(doubt[i].initIntent(), p.intent);
    ++i;
  }
  auto cps = b.initCheckpoints(Count(run.checkpoints.size()));
  for (unsigned j = 0; j < run.checkpoints.size(); ++j) cps.set(j, run.checkpoints[j]);
  b.setInRollback(run.in_rollback);
  b.setHasRollback(run.rollback.has_value());
  if (run.rollback) {
    auto rb = b.initRollback();
    rb.setTarget(run.rollback->target);
    rb.setTargetSeq(run.rollback->target_seq);
    rb.setRestoreDatabases(run.rollback->restore_databases);
    rb.setForce(run.rollback->force);
  }
  b.setChanges(run.changes);
}

// ---- decoding (capnp readers throw kj::Exception on malformed input) ----

Result<Value> GetValue(capnp::Data::Reader d) { return store::DecodeValue(Str(d)); }

Result<Resource> GetResource(s::Resource::Reader r) {
  Resource out;
  if (r.getKind() > static_cast<uint8_t>(ResourceKind::kService)) {
    return Status::Corruption("unknown resource kind " + std::to_string(r.getKind()));
  }
  out.kind = static_cast<ResourceKind>(r.getKind());
  out.host = Str(r.getHost());
  out.database = Str(r.getDatabase());
  out.path = Str(r.getPath());
  out.name = Str(r.getName());
  for (auto k : r.getKey()) {
    TM_ASSIGN_OR_RETURN(Value v, GetValue(k.getValue()));
    out.key.push_back(KeyPart{Str(k.getColumn()), std::move(v)});
  }
  return out;
}

Result<Intent> GetIntent(s::Intent::Reader r) {
  Intent in;
  TM_ASSIGN_OR_RETURN(in.resource, GetResource(r.getResource()));
  TM_ASSIGN_OR_RETURN(in.before, GetValue(r.getBefore()));
  TM_ASSIGN_OR_RETURN(in.after, GetValue(r.getAfter()));
  in.action = Str(r.getAction());
  in.reverses = r.getReverses();
  in.secret = r.getSecret();
  if (r.hasPosition()) {
    in.position = ActionPosition{r.getPosition().getStep(), r.getPosition().getAction()};
  }
  return in;
}

Result<StepState> GetStep(s::Step::Reader r) {
  StepState st;
  st.id = Str(r.getId());
  st.title = Str(r.getTitle());
  if (r.getStatus() > static_cast<uint8_t>(StepStatus::kSkipped)) {
    return Status::Corruption("unknown step status");
  }
  st.status = static_cast<StepStatus>(r.getStatus());
  st.started_seq = r.getStartedSeq();
  st.ended_seq = r.getEndedSeq();
  st.started_ns = r.getStartedNs();
  st.ended_ns = r.getEndedNs();
  st.error = Str(r.getError());
  st.last_action = r.getLastAction();
  for (int32_t a : r.getEffectiveActions()) st.effective_actions.insert(a);
  st.attempts = std::max<int>(1, static_cast<int>(r.getAttempts()));
  if (r.getHasOpenAction()) {
    auto oa = r.getOpenAction();
    st.open_action = ActionStarted{oa.getIndex(), Str(oa.getKind()), Str(oa.getDetail()),
                                   Str(oa.getScanBlob())};
    if (r.getHasOpenProcess()) {
      st.open_process = ProcessStarted{oa.getIndex(), r.getOpenPid(), Str(r.getOpenStartId())};
    }
    if (r.getHasOpenExit()) {
      st.open_exit = ProcessExited{oa.getIndex(), r.getOpenExitCode(), Str(r.getOpenFailure())};
    }
  }
  return st;
}

Result<RunState> GetRun(s::Run::Reader r) {
  RunState run;
  run.id = Str(r.getId());
  auto info = r.getInfo();
  run.info.plan_name = Str(info.getPlanName());
  run.info.plan_path = Str(info.getPlanPath());
  run.info.plan_sha256 = Str(info.getPlanSha256());
  for (auto p : info.getParameters()) run.info.parameters.emplace_back(Str(p.getName()), Str(p.getValue()));
  run.info.env_path = Str(info.getEnvPath());
  run.info.env_sha256 = Str(info.getEnvSha256());
  run.info.command_line = Str(info.getCommandLine());
  switch (info.getRunKind()) {
    case 0: break;  // an older snapshot: store/event_compat.h decides
    case static_cast<uint8_t>(RunKind::kApply): run.info.kind = RunKind::kApply; break;
    case static_cast<uint8_t>(RunKind::kRollback): run.info.kind = RunKind::kRollback; break;
    default: return Status::Unsupported("snapshot holds an unknown run kind");
  }
  run.host = Str(r.getHost());
  run.user = Str(r.getUser());
  run.start_seq = r.getStartSeq();
  run.last_seq = r.getLastSeq();
  run.start_ns = r.getStartNs();
  run.last_ns = r.getLastNs();
  if (r.getStatus() > static_cast<uint8_t>(RunStatus::kFailed)) {
    return Status::Corruption("unknown run status");
  }
  run.status = static_cast<RunStatus>(r.getStatus());
  run.error = Str(r.getError());
  for (auto st : r.getSteps()) {
    TM_ASSIGN_OR_RETURN(StepState step, GetStep(st));
    run.steps.push_back(std::move(step));
  }
  for (auto p : r.getInDoubt()) {
    TM_ASSIGN_OR_RETURN(Intent in, GetIntent(p.getIntent()));
    run.in_doubt[p.getSeq()] = PendingIntent{p.getSeq(), Str(p.getStep()), std::move(in)};
  }
  for (uint64_t cp : r.getCheckpoints()) run.checkpoints.push_back(cp);
  run.in_rollback = r.getInRollback();
  if (r.getHasRollback()) {
    auto rb = r.getRollback();
    run.rollback = RollbackStarted{Str(rb.getTarget()), rb.getTargetSeq(),
                                   rb.getRestoreDatabases(), rb.getForce()};
  }
  run.changes = r.getChanges();
  return run;
}

}  // namespace

std::string StateCodec::Encode(const State& state, const std::string& head_hash,
                               uint32_t format_version) {
  capnp::MallocMessageBuilder message;
  auto snap = message.initRoot<s::Snapshot>();
  snap.setFormatVersion(format_version);
  snap.setSeq(state.seq_);
  snap.setHeadHash(Bytes(head_hash));
  snap.setTimeNs(state.time_ns_);
  auto resources = snap.initResources(Count(state.resources_.size()));
  unsigned i = 0;
  for (const auto& [identity, rs] : state.resources_) {
    auto b = resources[i++];
    b.setIdentity(identity);
    PutResource(b.initResource(), rs.resource);
    b.setValue(Bytes(store::EncodeValue(rs.value)));
    b.setSeq(rs.seq);
    b.setSecret(rs.secret);
  }
  auto runs = snap.initRuns(Count(state.runs_.size()));
  i = 0;
  for (const auto& [id, run] : state.runs_) PutRun(runs[i++], run);
  auto order = snap.initRunOrder(Count(state.run_order_.size()));
  for (unsigned j = 0; j < state.run_order_.size(); ++j) order.set(j, state.run_order_[j]);
  auto cps = snap.initCheckpoints(Count(state.checkpoints_.size()));
  i = 0;
  for (const auto& [key, cp] : state.checkpoints_) {
    auto b = cps[i++];
    b.setKey(key);
    b.setSeq(cp.seq);
    b.setRun(cp.run);
    b.setName(cp.checkpoint.name);
    b.setSnapshotSeq(cp.checkpoint.snapshot_seq);
    auto backups = b.initBackups(Count(cp.checkpoint.backups.size()));
    for (unsigned j = 0; j < cp.checkpoint.backups.size(); ++j) {
      const BackupRecord& r = cp.checkpoint.backups[j];
      backups[j].setDatabase(r.database);
      backups[j].setMethod(r.method);
      backups[j].setFile(r.file);
      backups[j].setSize(r.size);
      backups[j].setSha256(r.sha256);
      backups[j].setVerified(r.verified);
    }
  }
  kj::Array<capnp::word> words = capnp::messageToFlatArray(message);
  auto bytes = words.asBytes();
  std::string body(reinterpret_cast<const char*>(bytes.begin()), bytes.size());
  return Sha256(body) + body;
}

Result<DecodedSnapshot> StateCodec::Decode(std::string_view bytes) {
  if (bytes.size() < kChecksumSize + sizeof(capnp::word) ||
      (bytes.size() - kChecksumSize) % sizeof(capnp::word) != 0) {
    return Status::Corruption("snapshot has " + std::to_string(bytes.size()) +
                              " bytes, not a checksum and whole 8-byte words");
  }
  const std::string_view body = bytes.substr(kChecksumSize);
  if (Sha256(body) != bytes.substr(0, kChecksumSize)) {
    return Status::Corruption("snapshot does not match its checksum (damaged)");
  }
  kj::Array<capnp::word> aligned = kj::heapArray<capnp::word>(body.size() / sizeof(capnp::word));
  std::memcpy(aligned.begin(), body.data(), body.size());
  try {
    capnp::ReaderOptions options;
    options.traversalLimitInWords = 1ull << 34;
    capnp::FlatArrayMessageReader reader(aligned.asPtr(), options);
    auto snap = reader.getRoot<s::Snapshot>();
    DecodedSnapshot out;
    out.format_version = snap.getFormatVersion();
    if (out.format_version != kSnapshotFormatVersion) {
      return Status::Unsupported("snapshot format version " + std::to_string(out.format_version) +
                                 " (this build reads " + std::to_string(kSnapshotFormatVersion) +
                                 ")");
    }
    out.seq = snap.getSeq();
    out.head_hash = Str(snap.getHeadHash());
    State& st = out.state;
    st.seq_ = out.seq;
    st.time_ns_ = snap.getTimeNs();
    for (auto r : snap.getResources()) {
      ResourceState rs;
      TM_ASSIGN_OR_RETURN(rs.resource, GetResource(r.getResource()));
      TM_ASSIGN_OR_RETURN(rs.value, GetValue(r.getValue()));
      rs.seq = r.getSeq();
      rs.secret = r.getSecret();
      st.resources_.emplace_hint(st.resources_.end(), Str(r.getIdentity()), std::move(rs));
    }
    for (auto r : snap.getRuns()) {
      TM_ASSIGN_OR_RETURN(RunState run, GetRun(r));
      std::string id = run.id;
      for (const auto& [seq, p] : run.in_doubt) st.outcomes_.AddInDoubt(seq, run.id, p.step, p.intent);
      st.runs_.emplace_hint(st.runs_.end(), std::move(id), std::move(run));
    }
    for (auto id : snap.getRunOrder()) st.run_order_.push_back(Str(id));
    for (auto c : snap.getCheckpoints()) {
      CheckpointState cs;
      cs.seq = c.getSeq();
      cs.run = Str(c.getRun());
      cs.checkpoint.name = Str(c.getName());
      cs.checkpoint.snapshot_seq = c.getSnapshotSeq();
      for (auto b : c.getBackups()) {
        cs.checkpoint.backups.push_back(BackupRecord{Str(b.getDatabase()), Str(b.getMethod()),
                                                     Str(b.getFile()), b.getSize(),
                                                     Str(b.getSha256()), b.getVerified()});
      }
      st.checkpoints_.emplace_hint(st.checkpoints_.end(), Str(c.getKey()), std::move(cs));
    }
    return out;
  } catch (const kj::Exception& e) {
    return Status::Corruption(std::string("snapshot is not a valid Cap'n Proto message: ") +
                              e.getDescription().cStr());
  }
}

}  // namespace tidemark::engine
