// The per-change apply protocol and the resume reconciliation table.
#include "engine/change_writer.h"

#include "store/sha256.h"
#include "store/unicode.h"

namespace tidemark::engine {

Result<uint64_t> ChangeWriter::Append(EventBody body, const std::vector<std::string>& blobs) {
  Event e;
  e.run = run_;
  e.step = step_;
  e.body = std::move(body);
  secrets_.Mark(e.body, blobs);
  auto seq = log_.Append(std::move(e), blobs);
  if (!seq.ok()) {
    journal_failed_ = true;
    return Status::IoError("could not record to the journal (" + seq.status().message() +
                           "); the outcome of the last append is unknown — stop here and run "
                           "`tidemark resume` once the problem is fixed");
  }
  return seq;
}

Result<uint64_t> ChangeWriter::AppendBatch(std::vector<EventBody> bodies,
                                           const std::vector<std::string>& blobs) {
  std::vector<Event> events;
  for (auto& b : bodies) {
    Event e;
    e.run = run_;
    e.step = step_;
    e.body = std::move(b);
    secrets_.Mark(e.body, blobs);
    events.push_back(std::move(e));
  }
  auto seq = log_.AppendBatch(std::move(events), blobs);
  if (!seq.ok()) {
    journal_failed_ = true;
    return Status::IoError("could not record to the journal (" + seq.status().message() +
                           "); run `tidemark resume` once the problem is fixed");
  }
  return seq;
}

Result<std::optional<std::string>> ChangeWriter::ContentFor(const Value& v) {
  if (v.type != ValueType::kFile) return std::optional<std::string>();
  TM_ASSIGN_OR_RETURN(auto blob, log_.GetBlob(v.bytes));
  if (!blob) {
    return Status::Corruption("the journal has no content blob " + v.bytes +
                              " for a recorded file value");
  }
  return blob;
}

Status ChangeWriter::WriteAndConfirm(uint64_t intent_seq, const Resource& r,
                                     const Value& expected, const Value& after,
                                     const std::optional<std::string>& content, bool recursive,
                                     bool secret, std::optional<Value> overwrote) {
  Status st = targets_.Write(r, expected, after, content, recursive);
  if (!st.ok()) {
    TM_RETURN_IF_ERROR(Append(Failed{intent_seq, r, st.message()}).status());
    return Status::RunStopped(r.Display() + ": " + st.message());
  }
  auto back = targets_.Read(r);
  if (!back.ok()) {
    // The write went through but cannot be confirmed: leave the intent in
    // doubt for resume rather than guessing.
    in_doubt_ = true;
    return Status::RunStopped(r.Display() + ": written but could not be read back (" +
                              back.status().message() + "); `tidemark resume` will check it");
  }
  TM_RETURN_IF_ERROR(
      Append(Applied{intent_seq, r, back.value(), false, secret, std::move(overwrote)}).status());
  ++applied_;
  if (!Matches(back.value(), after)) {
    return Status::RunStopped(r.Display() + ": read back " +
                              store::ShowValue(back.value(), &r, secret, false) + " instead of " +
                              store::ShowValue(after, &r, secret, false));
  }
  return Status::Ok();
}

Status ChangeWriter::ReadBefore(const Change& c, Value& before,
                               std::optional<std::string>& content) {
  const bool file = c.resource.kind == ResourceKind::kFile;
  if (c.before && (!file || c.before_content)) {
    before = *c.before;
    content = c.before_content;
    return Status::Ok();
  }
  if (!file) {
    TM_ASSIGN_OR_RETURN(before, targets_.Read(c.resource));
    return Status::Ok();
  }
  // A file's value is its content's hash: one read gives both.
  TM_ASSIGN_OR_RETURN(content, targets_.ReadContent(c.resource));
  const Value read = content ? Value::File(Sha256Hex(*content), static_cast<int64_t>(content->size()))
                             : Value::Absent();
  before = c.before ? *c.before : read;
  if (!(read == before)) return Status::Conflict(c.resource.Display() + " changed while being read");
  return Status::Ok();
}

Status ChangeWriter::Apply(const Change& c, const std::optional<Value>& expected) {
  Value before;
  std::optional<std::string> old_content;
  TM_RETURN_IF_ERROR(ReadBefore(c, before, old_content));
  last_before_ = before;
  if (expected && !Matches(before, *expected)) {
    return Status::Conflict(c.resource.Display() + " is " +
                            store::ShowValue(before, &c.resource, c.secret, false) + ", expected " +
                            store::ShowValue(*expected, &c.resource, c.secret, false));
  }
  Value after = c.after;
  if (after.type == ValueType::kService && before.type == ValueType::kService) {
    // Parts the action does not set stay as they are.
    if (after.run == ServiceRun::kUnknown) after.run = before.run;
    if (after.start == StartType::kUnknown) after.start = before.start;
  }
  last_after_ = after;
  if (Matches(before, after)) {
    TM_RETURN_IF_ERROR(Append(Noop{c.resource, before, c.action, c.secret, c.position}).status());
    ++noops_;
    return Status::Ok();
  }
  std::vector<std::string> blobs;
  if (c.resource.kind == ResourceKind::kFile) {
    if (old_content) {
      if (Sha256Hex(*old_content) != before.bytes) {
        return Status::Conflict(c.resource.Display() + " changed while being read");
      }
      blobs.push_back(*old_content);
    }
    if (c.after_content) blobs.push_back(*c.after_content);
  }
  Intent intent{c.resource, before, after, c.action, c.reverses, c.secret, c.position};
  TM_ASSIGN_OR_RETURN(uint64_t intent_seq, Append(std::move(intent), blobs));
  return WriteAndConfirm(intent_seq, c.resource, before, after, c.after_content, c.recursive,
                         c.secret);
}

Status ChangeWriter::Reconcile(const PendingIntent& p, ResumeChoice choice,
                               ConflictInfo* conflict) {
  const Intent& i = p.intent;
  TM_ASSIGN_OR_RETURN(Value current, targets_.Read(i.resource));
  if (Matches(current, i.after)) {
    TM_RETURN_IF_ERROR(Append(Applied{p.seq, i.resource, current, true, i.secret}).status());
    ++applied_;
    return Status::Ok();
  }
  TM_ASSIGN_OR_RETURN(auto content, ContentFor(i.after));
  if (current == i.before) {
    return WriteAndConfirm(p.seq, i.resource, current, i.after, content, false, i.secret);
  }
  if (choice == ResumeChoice::kAcceptCurrent) {
    TM_RETURN_IF_ERROR(Append(Decision{p.seq, "accept-current", current,
                                       "kept the value found on resume"})
                           .status());
    return Status::Ok();
  }
  if (choice == ResumeChoice::kReapply) {
    TM_RETURN_IF_ERROR(
        Append(Decision{p.seq, "reapply", current, "overwrote the value found on resume"})
            .status());
    return WriteAndConfirm(p.seq, i.resource, current, i.after, content, false, i.secret, current);
  }
  if (conflict) *conflict = ConflictInfo{p.seq, i.resource, i.before, i.after, current, i.secret};
  auto show = [&](const Value& v) { return store::ShowValue(v, &i.resource, i.secret, false); };
  return Status::Conflict(i.resource.Display() + " is neither the value before (" +
                          show(i.before) + ") nor after (" + show(i.after) +
                          ") the interrupted change: it is " + show(current));
}

}  // namespace tidemark::engine
