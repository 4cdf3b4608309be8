// Cap'n Proto encoding of events. kj exceptions from malformed input are
// caught here and returned as Corruption.
#include "store/event_codec.h"

#include <capnp/message.h>
#include <capnp/serialize.h>
#include <kj/exception.h>

#include <algorithm>
#include <cstring>

#include "store/event.capnp.h"

namespace tidemark::store {
namespace {

namespace s = ::tidemark::schema;

kj::ArrayPtr<const kj::byte> Bytes(const std::string& b) {
  return kj::ArrayPtr<const kj::byte>(reinterpret_cast<const kj::byte*>(b.data()), b.size());
}
std::string FromData(capnp::Data::Reader d) {
  return std::string(reinterpret_cast<const char*>(d.begin()), d.size());
}
std::string FromText(capnp::Text::Reader t) { return std::string(t.cStr(), t.size()); }

void PutValue(s::Value::Builder b, const Value& v);

void PutRow(s::Value::Builder b, const std::vector<RowField>& row) {
  auto list = b.initRow(static_cast<unsigned>(row.size()));
  for (unsigned i = 0; i < row.size(); ++i) {
    list[i].setColumn(row[i].column);
    PutValue(list[i].initValue(), row[i].value);
  }
}

void PutValue(s::Value::Builder b, const Value& v) {
  switch (v.type) {
    case ValueType::kAbsent: b.setAbsent(); break;
    case ValueType::kRegistry: {
      auto g = b.initRegistry();
      g.setRegType(v.reg_type);
      g.setData(Bytes(v.bytes));
      break;
    }
    case ValueType::kNull: b.setNull(); break;
    case ValueType::kInteger: b.setInteger(v.integer); break;
    case ValueType::kReal: b.setReal(v.real); break;
    case ValueType::kText: b.setText(v.bytes); break;
    case ValueType::kBinary: b.setBinary(Bytes(v.bytes)); break;
    case ValueType::kFile: {
      auto g = b.initFile();
      g.setSha256(v.bytes);
      g.setSize(v.integer);
      break;
    }
    case ValueType::kService: {
      auto g = b.initService();
      g.setRun(static_cast<uint8_t>(v.run));
      g.setStart(static_cast<uint8_t>(v.start));
      break;
    }
    case ValueType::kKey: b.setKey(); break;
    case ValueType::kRow: PutRow(b, v.row); break;
  }
}

Result<Value> GetValue(s::Value::Reader r) {
  switch (r.which()) {
    case s::Value::ABSENT: return Value::Absent();
    case s::Value::REGISTRY:
      return Value::Registry(r.getRegistry().getRegType(), FromData(r.getRegistry().getData()));
    case s::Value::NULL_: return Value::Null();
    case s::Value::INTEGER: return Value::Integer(r.getInteger());
    case s::Value::REAL: return Value::Real(r.getReal());
    case s::Value::TEXT: return Value::Text(FromText(r.getText()));
    case s::Value::BINARY: return Value::Binary(FromData(r.getBinary()));
    case s::Value::FILE:
      return Value::File(FromText(r.getFile().getSha256()), r.getFile().getSize());
    case s::Value::SERVICE: {
      auto g = r.getService();
      if (g.getRun() > 3 || g.getStart() > 4) {
        return Status::Unsupported("service value with unknown state code");
      }
      return Value::Service(static_cast<ServiceRun>(g.getRun()),
                            static_cast<StartType>(g.getStart()));
    }
    case s::Value::KEY: return Value::Key();
    case s::Value::ROW: {
      std::vector<RowField> row;
      for (auto f : r.getRow()) {
        TM_ASSIGN_OR_RETURN(Value v, GetValue(f.getValue()));
        row.push_back(RowField{FromText(f.getColumn()), std::move(v)});
      }
      return Value::Row(std::move(row));
    }
  }
  return Status::Unsupported("value of a kind this tidemark does not know (written by a newer "
                             "version?)");
}

void PutResource(s::Resource::Builder b, const Resource& r) {
  b.setKind(static_cast<uint8_t>(r.kind));
  b.setHost(r.host);
  b.setDatabase(r.database);
  b.setPath(r.path);
  b.setName(r.name);
  auto key = b.initKey(static_cast<unsigned>(r.key.size()));
  for (unsigned i = 0; i < r.key.size(); ++i) {
    key[i].setColumn(r.key[i].column);
    PutValue(key[i].initValue(), r.key[i].value);
  }
}

Result<Resource> GetResource(s::Resource::Reader b) {
  if (b.getKind() > static_cast<uint8_t>(ResourceKind::kService)) {
    return Status::Unsupported("resource of unknown kind " + std::to_string(b.getKind()));
  }
  Resource r;
  r.kind = static_cast<ResourceKind>(b.getKind());
  r.host = FromText(b.getHost());
  r.database = FromText(b.getDatabase());
  r.path = FromText(b.getPath());
  r.name = FromText(b.getName());
  for (auto k : b.getKey()) {
    TM_ASSIGN_OR_RETURN(Value v, GetValue(k.getValue()));
    r.key.push_back(KeyPart{FromText(k.getColumn()), std::move(v)});
  }
  return r;
}

void PutPosition(s::ActionPosition::Builder b, const ActionPosition& p) {
  b.setStep(p.step);
  b.setAction(p.action);
}

ActionPosition GetPosition(s::ActionPosition::Reader r) {
  return ActionPosition{r.getStep(), r.getAction()};
}

s::RunKind PutRunKind(const std::optional<RunKind>& kind) {
  if (!kind) return s::RunKind::UNKNOWN;
  return *kind == RunKind::kRollback ? s::RunKind::ROLLBACK : s::RunKind::APPLY;
}

Result<std::optional<RunKind>> GetRunKind(s::RunKind kind) {
  switch (kind) {
    case s::RunKind::UNKNOWN: return std::optional<RunKind>();
    case s::RunKind::APPLY: return std::optional<RunKind>(RunKind::kApply);
    case s::RunKind::ROLLBACK: return std::optional<RunKind>(RunKind::kRollback);
  }
  return Status::Unsupported("run kind " + std::to_string(static_cast<int>(kind)) +
                             " is unknown to this tidemark (journal written by a newer version?)");
}

// The newest body kind: every kind up to it is one of EventBody's alternatives.
constexpr auto kNewestBodyKind = s::Event::Body::PROCESS_EXITED;
static_assert(static_cast<size_t>(kNewestBodyKind) + 1 == std::variant_size_v<EventBody>,
              "a new event kind is decoded here and named in kNewestBodyKind");

struct BodyWriter {
  s::Event::Body::Builder b;
  void operator()(const RunStarted& x) {
    auto g = b.initRunStarted();
    g.setPlanName(x.plan_name);
    g.setPlanPath(x.plan_path);
    g.setPlanSha256(x.plan_sha256);
    auto ps = g.initParameters(static_cast<unsigned>(x.parameters.size()));
    for (unsigned i = 0; i < x.parameters.size(); ++i) {
      ps[i].setName(x.parameters[i].first);
      ps[i].setValue(x.parameters[i].second);
    }
    g.setEnvPath(x.env_path);
    g.setEnvSha256(x.env_sha256);
    g.setCommandLine(x.command_line);
    auto names = g.initSecretParameters(static_cast<unsigned>(x.secret_parameters.size()));
    for (unsigned i = 0; i < x.secret_parameters.size(); ++i) names.set(i, x.secret_parameters[i]);
    g.setRunKind(PutRunKind(x.kind));
  }
  void operator()(const RunFinished&) { b.setRunFinished(); }
  void operator()(const RunFailed& x) { b.setRunFailed(x.error); }
  void operator()(const StepStarted& x) {
    auto g = b.initStepStarted();
    g.setTitle(x.title);
    g.setActionKinds(x.action_kinds);
  }
  void operator()(const StepFinished&) { b.setStepFinished(); }
  void operator()(const StepFailed& x) { b.setStepFailed(x.error); }
  void operator()(const StepSkipped& x) { b.setStepSkipped(x.reason); }
  void operator()(const Intent& x) {
    auto g = b.initIntent();
    PutResource(g.initResource(), x.resource);
    PutValue(g.initBefore(), x.before);
    PutValue(g.initAfter(), x.after);
    g.setAction(x.action);
    g.setReverses(x.reverses);
    g.setSecret(x.secret);
    if (x.position) PutPosition(g.initPosition(), *x.position);
  }
  void operator()(const Applied& x) {
    auto g = b.initApplied();
    g.setIntentSeq(x.intent_seq);
    PutResource(g.initResource(), x.resource);
    PutValue(g.initReadBack(), x.read_back);
    g.setRecovered(x.recovered);
    g.setSecret(x.secret);
    g.setReapplied(x.overwrote.has_value());
    if (x.overwrote) PutValue(g.initOverwrote(), *x.overwrote);
  }
  void operator()(const Failed& x) {
    auto g = b.initFailed();
    g.setIntentSeq(x.intent_seq);
    PutResource(g.initResource(), x.resource);
    g.setError(x.error);
  }
  void operator()(const Noop& x) {
    auto g = b.initNoop();
    PutResource(g.initResource(), x.resource);
    PutValue(g.initValue(), x.value);
    g.setAction(x.action);
    g.setSecret(x.secret);
    if (x.position) PutPosition(g.initPosition(), *x.position);
  }
  void operator()(const Observed& x) {
    auto g = b.initObserved();
    PutResource(g.initResource(), x.resource);
    PutValue(g.initBefore(), x.before);
    PutValue(g.initAfter(), x.after);
    g.setSecret(x.secret);
  }
  void operator()(const Checkpoint& x) {
    auto g = b.initCheckpoint();
    g.setName(x.name);
    g.setSnapshotSeq(x.snapshot_seq);
    auto list = g.initBackups(static_cast<unsigned>(x.backups.size()));
    for (unsigned i = 0; i < x.backups.size(); ++i) {
      const auto& k = x.backups[i];
      list[i].setDatabase(k.database);
      list[i].setMethod(k.method);
      list[i].setFile(k.file);
      list[i].setSize(k.size);
      list[i].setSha256(k.sha256);
      list[i].setVerified(k.verified);
    }
  }
  void operator()(const RollbackStarted& x) {
    auto g = b.initRollbackStarted();
    g.setTarget(x.target);
    g.setTargetSeq(x.target_seq);
    g.setRestoreDatabases(x.restore_databases);
    g.setForce(x.force);
  }
  void operator()(const RollbackFinished&) { b.setRollbackFinished(); }
  void operator()(const Decision& x) {
    auto g = b.initDecision();
    g.setIntentSeq(x.intent_seq);
    g.setChoice(x.choice);
    PutValue(g.initCurrent(), x.current);
    g.setDetail(x.detail);
  }
  void operator()(const Note& x) { b.setNote(x.text); }
  void operator()(const ActionStarted& x) {
    auto g = b.initActionStarted();
    g.setIndex(x.index);
    g.setKind(x.kind);
    g.setDetail(x.detail);
    g.setScanBlob(x.scan_blob);
  }
  void operator()(const ActionFinished& x) {
    auto g = b.initActionFinished();
    g.setIndex(x.index);
    g.setExitCode(x.exit_code);
  }
  void operator()(const ProcessStarted& x) {
    auto g = b.initProcessStarted();
    g.setIndex(x.index);
    g.setPid(x.pid);
    g.setStartId(x.start_id);
  }
  void operator()(const ProcessExited& x) {
    auto g = b.initProcessExited();
    g.setIndex(x.index);
    g.setExitCode(x.exit_code);
    g.setFailure(x.failure);
  }
};

Result<EventBody> GetBody(s::Event::Body::Reader b) {
  switch (b.which()) {
    case s::Event::Body::RUN_STARTED: {
      auto g = b.getRunStarted();
      RunStarted x;
      x.plan_name = FromText(g.getPlanName());
      x.plan_path = FromText(g.getPlanPath());
      x.plan_sha256 = FromText(g.getPlanSha256());
      for (auto p : g.getParameters()) {
        x.parameters.emplace_back(FromText(p.getName()), FromText(p.getValue()));
      }
      x.env_path = FromText(g.getEnvPath());
      x.env_sha256 = FromText(g.getEnvSha256());
      x.command_line = FromText(g.getCommandLine());
      for (auto n : g.getSecretParameters()) x.secret_parameters.push_back(FromText(n));
      TM_ASSIGN_OR_RETURN(x.kind, GetRunKind(g.getRunKind()));
      return EventBody(std::move(x));
    }
    case s::Event::Body::RUN_FINISHED: return EventBody(RunFinished{});
    case s::Event::Body::RUN_FAILED: return EventBody(RunFailed{FromText(b.getRunFailed())});
    case s::Event::Body::STEP_STARTED: {
      auto g = b.getStepStarted();
      return EventBody(StepStarted{FromText(g.getTitle()), FromText(g.getActionKinds())});
    }
    case s::Event::Body::STEP_FINISHED: return EventBody(StepFinished{});
    case s::Event::Body::STEP_FAILED: return EventBody(StepFailed{FromText(b.getStepFailed())});
    case s::Event::Body::STEP_SKIPPED:
      return EventBody(StepSkipped{FromText(b.getStepSkipped())});
    case s::Event::Body::INTENT: {
      auto g = b.getIntent();
      Intent x;
      TM_ASSIGN_OR_RETURN(x.resource, GetResource(g.getResource()));
      TM_ASSIGN_OR_RETURN(x.before, GetValue(g.getBefore()));
      TM_ASSIGN_OR_RETURN(x.after, GetValue(g.getAfter()));
      x.action = FromText(g.getAction());
      x.reverses = g.getReverses();
      x.secret = g.getSecret();
      if (g.hasPosition()) x.position = GetPosition(g.getPosition());
      return EventBody(std::move(x));
    }
    case s::Event::Body::APPLIED: {
      auto g = b.getApplied();
      Applied x;
      x.intent_seq = g.getIntentSeq();
      TM_ASSIGN_OR_RETURN(x.resource, GetResource(g.getResource()));
      TM_ASSIGN_OR_RETURN(x.read_back, GetValue(g.getReadBack()));
      x.recovered = g.getRecovered();
      x.secret = g.getSecret();
      if (g.getReapplied()) {
        TM_ASSIGN_OR_RETURN(Value found, GetValue(g.getOverwrote()));
        x.overwrote = std::move(found);
      }
      return EventBody(std::move(x));
    }
    case s::Event::Body::FAILED: {
      auto g = b.getFailed();
      Failed x;
      x.intent_seq = g.getIntentSeq();
      TM_ASSIGN_OR_RETURN(x.resource, GetResource(g.getResource()));
      x.error = FromText(g.getError());
      return EventBody(std::move(x));
    }
    case s::Event::Body::NOOP: {
      auto g = b.getNoop();
      Noop x;
      TM_ASSIGN_OR_RETURN(x.resource, GetResource(g.getResource()));
      TM_ASSIGN_OR_RETURN(x.value, GetValue(g.getValue()));
      x.action = FromText(g.getAction());
      x.secret = g.getSecret();
      if (g.hasPosition()) x.position = GetPosition(g.getPosition());
      return EventBody(std::move(x));
    }
    case s::Event::Body::OBSERVED: {
      auto g = b.getObserved();
      Observed x;
      TM_ASSIGN_OR_RETURN(x.resource, GetResource(g.getResource()));
      TM_ASSIGN_OR_RETURN(x.before, GetValue(g.getBefore()));
      TM_ASSIGN_OR_RETURN(x.after, GetValue(g.getAfter()));
      x.secret = g.getSecret();
      return EventBody(std::move(x));
    }
    case s::Event::Body::CHECKPOINT: {
      auto g = b.getCheckpoint();
      Checkpoint x;
      x.name = FromText(g.getName());
      x.snapshot_seq = g.getSnapshotSeq();
      for (auto k : g.getBackups()) {
        x.backups.push_back(BackupRecord{FromText(k.getDatabase()), FromText(k.getMethod()),
                                         FromText(k.getFile()), k.getSize(),
                                         FromText(k.getSha256()), k.getVerified()});
      }
      return EventBody(std::move(x));
    }
    case s::Event::Body::ROLLBACK_STARTED: {
      auto g = b.getRollbackStarted();
      return EventBody(RollbackStarted{FromText(g.getTarget()), g.getTargetSeq(),
                                       g.getRestoreDatabases(), g.getForce()});
    }
    case s::Event::Body::ROLLBACK_FINISHED: return EventBody(RollbackFinished{});
    case s::Event::Body::DECISION: {
      auto g = b.getDecision();
      Decision x;
      x.intent_seq = g.getIntentSeq();
      x.choice = FromText(g.getChoice());
      TM_ASSIGN_OR_RETURN(x.current, GetValue(g.getCurrent()));
      x.detail = FromText(g.getDetail());
      return EventBody(std::move(x));
    }
    case s::Event::Body::NOTE: return EventBody(Note{FromText(b.getNote())});
    case s::Event::Body::ACTION_STARTED: {
      auto g = b.getActionStarted();
      return EventBody(ActionStarted{g.getIndex(), FromText(g.getKind()), FromText(g.getDetail()),
                                     FromText(g.getScanBlob())});
    }
    case s::Event::Body::ACTION_FINISHED: {
      auto g = b.getActionFinished();
      return EventBody(ActionFinished{g.getIndex(), g.getExitCode()});
    }
    case s::Event::Body::PROCESS_STARTED: {
      auto g = b.getProcessStarted();
      return EventBody(ProcessStarted{g.getIndex(), g.getPid(), FromText(g.getStartId())});
    }
    case s::Event::Body::PROCESS_EXITED: {
      auto g = b.getProcessExited();
      return EventBody(ProcessExited{g.getIndex(), g.getExitCode(), FromText(g.getFailure())});
    }
  }
  return Status::Unsupported("event body kind " + std::to_string(static_cast<int>(b.which())) +
                             " is unknown to this tidemark (journal written by a newer "
                             "version?); refusing to read on");
}

// Copies `bytes` into word-aligned storage and runs `fn` on a reader over it.
template <typename Root, typename Fn>
auto WithReader(std::string_view bytes, Fn fn) -> decltype(fn(typename Root::Reader())) {
  if (bytes.empty() || bytes.size() % sizeof(capnp::word) != 0) {
    return Status::Corruption("encoded message has " + std::to_string(bytes.size()) +
                              " bytes, not a whole number of 8-byte words");
  }
  kj::Array<capnp::word> aligned = kj::heapArray<capnp::word>(bytes.size() / sizeof(capnp::word));
  std::memcpy(aligned.begin(), bytes.data(), bytes.size());
  try {
    capnp::ReaderOptions options;
    // Bound the traversal by the message's own size: a corrupt list length
    // must not make the reader allocate or walk far beyond the bytes given.
    options.traversalLimitInWords = std::max<uint64_t>(aligned.size() * 8, 1024);
    capnp::FlatArrayMessageReader reader(aligned.asPtr(), options);
    return fn(reader.getRoot<Root>());
  } catch (const kj::Exception& e) {
    return Status::Corruption(std::string("malformed Cap'n Proto message: ") +
                              e.getDescription().cStr());
  }
}

std::string Flatten(capnp::MallocMessageBuilder& message) {
  kj::Array<capnp::word> words = capnp::messageToFlatArray(message);
  auto bytes = words.asBytes();
  return std::string(reinterpret_cast<const char*>(bytes.begin()), bytes.size());
}

}  // namespace

std::string EncodeEvent(const Event& e) {
  capnp::MallocMessageBuilder message;
  auto root = message.initRoot<s::Event>();
  root.setSeq(e.seq);
  root.setTimeNs(e.time_ns);
  root.setRun(e.run);
  root.setStep(e.step);
  root.setHost(e.host);
  root.setUser(e.user);
  root.setPrevHash(Bytes(e.prev_hash));
  std::visit(BodyWriter{root.initBody()}, e.body);
  return Flatten(message);
}

Result<Event> DecodeEvent(std::string_view bytes) {
  return WithReader<s::Event>(bytes, [](s::Event::Reader r) -> Result<Event> {
    Event e;
    e.seq = r.getSeq();
    e.time_ns = r.getTimeNs();
    e.run = FromText(r.getRun());
    e.step = FromText(r.getStep());
    e.host = FromText(r.getHost());
    e.user = FromText(r.getUser());
    e.prev_hash = FromData(r.getPrevHash());
    TM_ASSIGN_OR_RETURN(e.body, GetBody(r.getBody()));
    return e;
  });
}

Result<EventHeader> DecodeEventHeader(std::string_view bytes) {
  return WithReader<s::Event>(bytes, [](s::Event::Reader r) -> Result<EventHeader> {
    if (static_cast<unsigned>(r.getBody().which()) > static_cast<unsigned>(kNewestBodyKind)) {
      return Status::Unsupported("event body kind " +
                                 std::to_string(static_cast<int>(r.getBody().which())) +
                                 " is unknown to this tidemark (journal written by a newer version?)");
    }
    return EventHeader{r.getSeq(), FromData(r.getPrevHash())};
  });
}

std::string EncodeValue(const Value& v) {
  capnp::MallocMessageBuilder message;
  PutValue(message.initRoot<s::Value>(), v);
  return Flatten(message);
}

Result<Value> DecodeValue(std::string_view bytes) {
  return WithReader<s::Value>(bytes, [](s::Value::Reader r) { return GetValue(r); });
}

}  // namespace tidemark::store
