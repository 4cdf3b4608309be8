// ServiceTarget: resource checks and compare-and-set on top of a
// ServiceBackend (start type first, then run state).
#include "engine/targets/service_target.h"

#include "store/unicode.h"

namespace tidemark::targets {

ServiceTarget::ServiceTarget(std::string host, std::unique_ptr<ServiceBackend> backend,
                             std::chrono::milliseconds stop_timeout)
    : host_(std::move(host)), backend_(std::move(backend)), stop_timeout_(stop_timeout) {}

Status ServiceTarget::CheckResource(const Resource& r) const {
  if (r.kind != ResourceKind::kService) {
    return Status::InvalidInput(r.Display() + " is a " + ResourceKindName(r.kind) +
                                ", not a service");
  }
  if (!EqualsIgnoreCase(r.host, host_)) {
    return Status::InvalidInput(r.Display() + " is on host " + r.host +
                                ", this service target is " + host_);
  }
  if (r.name.empty()) return Status::InvalidInput(r.Display() + ": empty service name");
  return Status::Ok();
}

Result<Value> ServiceTarget::Read(const Resource& r) {
  TM_RETURN_IF_ERROR(CheckResource(r));
  auto v = backend_->Read(r.name);
  if (!v.ok()) return v.status().Prefix(r.Display());
  return v;
}

Status ServiceTarget::Write(const Resource& r, const Value& expected, const Value& after) {
  TM_RETURN_IF_ERROR(CheckResource(r));
  if (after.absent()) {
    return Status::InvalidInput(r.Display() +
                                ": removing a service is not supported (after value is absent)");
  }
  if (after.type != ValueType::kService) {
    return Status::InvalidInput(r.Display() + ": after value " + after.ToDisplay() +
                                " is not a service state");
  }
  TM_ASSIGN_OR_RETURN(Value current, Read(r));
  if (current != expected) {
    return Status::Conflict(r.Display() + ": expected " + expected.ToDisplay() + ", current " +
                            current.ToDisplay());
  }
  if (current.absent()) {
    return Status::NotFound(r.Display() + ": the service is not installed");
  }
  if (after.start != StartType::kUnknown && after.start != current.start) {
    TM_RETURN_IF_ERROR(backend_->SetStartType(r.name, after.start).Prefix(r.Display()));
  }
  if (after.run != ServiceRun::kUnknown && after.run != current.run) {
    TM_RETURN_IF_ERROR(backend_->SetRun(r.name, after.run, stop_timeout_).Prefix(r.Display()));
  }
  return Status::Ok();
}

Result<std::vector<std::pair<Resource, Value>>> ServiceTarget::Enumerate(
    const std::vector<std::string>& names) {
  std::vector<std::string> wanted = names;
  if (wanted.empty()) {
    TM_ASSIGN_OR_RETURN(wanted, backend_->List());
  }
  std::vector<std::pair<Resource, Value>> out;
  out.reserve(wanted.size());
  for (const std::string& name : wanted) {
    Resource r = Resource::Service(host_, name);
    TM_ASSIGN_OR_RETURN(Value v, Read(r));
    out.emplace_back(std::move(r), std::move(v));
  }
  return out;
}

}  // namespace tidemark::targets
