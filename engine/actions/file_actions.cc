// The file action kinds — file.replace (text in a file's content) and
// file.write (the whole content): their fields, their resource and the
// change they expand to.
#include "engine/actions/kinds.h"
#include "store/sha256.h"

namespace tidemark::engine {
namespace {

Status ParsePath(const FieldParser& p, const YAML::Node& f, std::string& host, std::string& path) {
  TM_ASSIGN_OR_RETURN(host, p.Text(f, "host", true));
  TM_ASSIGN_OR_RETURN(path, p.Text(f, "path", true));
  TM_RETURN_IF_ERROR(p.NeedHost(f["host"], host, Facility::kFiles));
  return p.CheckWindowsPath(f["path"], path);
}

Value FileValue(const std::string& content) {
  return Value::File(Sha256Hex(content), static_cast<int64_t>(content.size()));
}

}  // namespace

Status Parse(const FieldParser& p, const YAML::Node& f, FileReplace& out) {
  TM_RETURN_IF_ERROR(p.ctx().OnlyKeys(f, {"host", "path", "from", "to", "secret"}, "file.replace"));
  TM_RETURN_IF_ERROR(ParsePath(p, f, out.host, out.path));
  TM_ASSIGN_OR_RETURN(out.from, p.Text(f, "from", true));
  TM_ASSIGN_OR_RETURN(out.to, p.Text(f, "to", true));
  if (out.from.empty()) return p.ctx().Error(f["from"], "'from' must not be empty");
  return Status::Ok();
}

Status Parse(const FieldParser& p, const YAML::Node& f, FileWrite& out) {
  TM_RETURN_IF_ERROR(p.ctx().OnlyKeys(f, {"host", "path", "content", "secret"}, "file.write"));
  TM_RETURN_IF_ERROR(ParsePath(p, f, out.host, out.path));
  TM_ASSIGN_OR_RETURN(out.content, p.Text(f, "content", true));
  return Status::Ok();
}

std::optional<Resource> ResourceOf(const FileReplace& a) { return Resource::File(a.host, a.path); }
std::optional<Resource> ResourceOf(const FileWrite& a) { return Resource::File(a.host, a.path); }

// The content read here is the change's before (value and bytes).
Status Expand(const FileReplace& a, ExpandContext& ctx) {
  const Resource r = Resource::File(a.host, a.path);
  TM_ASSIGN_OR_RETURN(auto content, ctx.targets.ReadContent(r));
  if (!content) return Status::Failed(r.Display() + " does not exist");
  std::string updated = *content;
  const size_t n = targets::ReplaceAll(updated, a.from, a.to);
  if (n == 0) {
    if (ctx.lenient) return Status::Ok();
    return Status::Failed("'" + a.from + "' does not occur in " + r.Display());
  }
  ctx.note = r.Display() + ": " + std::to_string(n) + " occurrence(s) of '" + a.from + "'";
  Change& c = ctx.Add(r, FileValue(updated), FileValue(*content));
  c.before_content = std::move(content);
  c.after_content = std::move(updated);
  return Status::Ok();
}

Status Expand(const FileWrite& a, ExpandContext& ctx) {
  ctx.Add(Resource::File(a.host, a.path), FileValue(a.content)).after_content = a.content;
  return Status::Ok();
}

}  // namespace tidemark::engine
