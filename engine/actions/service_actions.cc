// The service action kinds — service.stop, service.start, service.pause,
// service.set_start_type: their fields, their resource and the change they
// expand to (each sets one part of the service value; ChangeWriter keeps the
// other). A stop expands to the stops of its running dependents first.
#include "engine/actions/kinds.h"
#include "engine/targets/service_target.h"

namespace tidemark::engine {
namespace {

Status ParseService(const FieldParser& p, const YAML::Node& f, ServiceAddress& out) {
  TM_ASSIGN_OR_RETURN(out.host, p.Text(f, "host", true));
  TM_ASSIGN_OR_RETURN(out.name, p.Text(f, "name", true));
  TM_ASSIGN_OR_RETURN(out.if_exists, p.ctx().Bool(f, "if_exists", false));
  return p.NeedHost(f["host"], out.host, Facility::kServices);
}

template <typename T>
Status ParseRunChange(const FieldParser& p, const YAML::Node& f, T& out) {
  TM_RETURN_IF_ERROR(p.ctx().OnlyKeys(f, {"host", "name", "if_exists", "allow_failure"},
                                      std::string(T::kKind)));
  return ParseService(p, f, out);
}

// `if_exists`: true when the service is not installed, so the action has
// nothing to do (said in the note).
Result<bool> SkippedAsAbsent(const ServiceAddress& a, ExpandContext& ctx) {
  if (!a.if_exists) return false;
  TM_ASSIGN_OR_RETURN(Value now, ctx.targets.Read(Resource::Service(a.host, a.name)));
  if (!now.absent()) return false;
  ctx.note = "service " + a.name + " is not installed on " + a.host + "; skipped (if_exists)";
  return true;
}

Status AddServiceChange(const ServiceAddress& a, ServiceRun run, StartType start,
                        ExpandContext& ctx) {
  TM_ASSIGN_OR_RETURN(bool skipped, SkippedAsAbsent(a, ctx));
  if (!skipped) ctx.Add(Resource::Service(a.host, a.name), Value::Service(run, start));
  return Status::Ok();
}

}  // namespace

Status Parse(const FieldParser& p, const YAML::Node& f, ServiceStop& out) {
  return ParseRunChange(p, f, out);
}
Status Parse(const FieldParser& p, const YAML::Node& f, ServiceStart& out) {
  return ParseRunChange(p, f, out);
}
Status Parse(const FieldParser& p, const YAML::Node& f, ServicePause& out) {
  return ParseRunChange(p, f, out);
}
Status Parse(const FieldParser& p, const YAML::Node& f, ServiceSetStartType& out) {
  TM_RETURN_IF_ERROR(p.ctx().OnlyKeys(f, {"host", "name", "start", "if_exists", "allow_failure"},
                                      "service.set_start_type"));
  TM_RETURN_IF_ERROR(ParseService(p, f, out));
  TM_ASSIGN_OR_RETURN(std::string s, p.Text(f, "start", true));
  auto start = ParseStartType(s);
  if (!start) {
    return p.ctx().Error(f["start"],
                         std::string("start must be ") + kStartTypeChoices + ", not '" + s + "'");
  }
  out.start = *start;
  return Status::Ok();
}

std::optional<Resource> ResourceOf(const ServiceStop& a) { return Resource::Service(a.host, a.name); }
std::optional<Resource> ResourceOf(const ServiceStart& a) { return Resource::Service(a.host, a.name); }
std::optional<Resource> ResourceOf(const ServicePause& a) { return Resource::Service(a.host, a.name); }
std::optional<Resource> ResourceOf(const ServiceSetStartType& a) {
  return Resource::Service(a.host, a.name);
}

// Services still running that depend on this one are stopped first, each its
// own change (so rollback starts them again), in the order the backend gives.
Status Expand(const ServiceStop& a, ExpandContext& ctx) {
  TM_ASSIGN_OR_RETURN(targets::ServiceTarget * services, ctx.targets.Services(a.host));
  TM_ASSIGN_OR_RETURN(Value self, services->Read(Resource::Service(a.host, a.name)));
  if (self.absent() && a.if_exists) return AddServiceChange(a, ServiceRun::kStopped, StartType::kUnknown, ctx);
  if (self.absent() || self.run == ServiceRun::kStopped) {  // nothing can depend on it running
    return AddServiceChange(a, ServiceRun::kStopped, StartType::kUnknown, ctx);
  }
  TM_ASSIGN_OR_RETURN(std::vector<std::string> dependents,
                      services->backend().RunningDependents(a.name));
  for (const std::string& name : dependents) {
    const Resource r = Resource::Service(a.host, name);
    TM_ASSIGN_OR_RETURN(Value now, services->Read(r));
    ctx.Add(r, Value::Service(ServiceRun::kStopped, StartType::kUnknown), now);
  }
  return AddServiceChange(a, ServiceRun::kStopped, StartType::kUnknown, ctx);
}
Status Expand(const ServiceStart& a, ExpandContext& ctx) {
  return AddServiceChange(a, ServiceRun::kRunning, StartType::kUnknown, ctx);
}
Status Expand(const ServicePause& a, ExpandContext& ctx) {
  return AddServiceChange(a, ServiceRun::kPaused, StartType::kUnknown, ctx);
}
Status Expand(const ServiceSetStartType& a, ExpandContext& ctx) {
  return AddServiceChange(a, ServiceRun::kUnknown, a.start, ctx);
}

}  // namespace tidemark::engine
