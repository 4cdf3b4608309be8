// FileTarget: Windows path mapping under a root folder, byte-exact reads,
// compare-and-set atomic writes (temp file + fsync + rename + fsync folder).
// Temp files are named `.<file name>.tidemark-XXXXXX` next to the target.
#include "engine/targets/file_target.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <system_error>
#include <utility>

#include "engine/targets/durable_file.h"
#include "store/sha256.h"
#include "store/unicode.h"
#ifdef _WIN32
#include "store/win32_text.h"
#endif

namespace tidemark::targets {
namespace fs = std::filesystem;
namespace {

Status EcStatus(const std::string& what, const fs::path& p, const std::error_code& ec) {
  return Status::IoError(what + " " + p.string() + ": " + ec.message());
}

// A printable form of a user-given path for error messages (NUL shown as \0).
std::string Printable(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '\0') {
      out += "\\0";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

// True when `p` equals `base` or lies under it (component-wise).
bool IsWithin(const fs::path& p, const fs::path& base) {
  auto pi = p.begin();
  for (auto bi = base.begin(); bi != base.end(); ++bi, ++pi) {
    if (bi->empty() && std::next(bi) == base.end()) return true;  // trailing '/'
    if (pi == p.end() || *pi != *bi) return false;
  }
  return true;
}

// Resolves one path segment inside `dir`: the exact name when it is listed,
// else the single case-insensitive match, else `name` itself (new segment).
// The listing gives the disk's spelling also where the file system ignores
// case (NTFS), so no existence check by name decides it.
Result<std::string> MatchSegment(const fs::path& dir, const std::string& name,
                                 const std::string& windows_path) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return name;
  std::vector<std::string> matches;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::string entry = it->path().filename().string();
    if (entry == name) return name;
    if (EqualsIgnoreCase(entry, name)) matches.push_back(std::move(entry));
  }
  if (ec) return EcStatus("cannot list folder", dir, ec);
  if (matches.empty()) return name;
  if (matches.size() > 1) {
    std::sort(matches.begin(), matches.end());
    return Status::InvalidInput("path " + windows_path + ": segment '" + name +
                                "' matches several entries differing only in case in " +
                                dir.string() + " ('" + matches[0] + "', '" + matches[1] + "')");
  }
  return matches[0];
}

Value FileValue(const std::optional<std::string>& content) {
  if (!content) return Value::Absent();
  return Value::File(Sha256Hex(*content), static_cast<int64_t>(content->size()));
}

// A path as UTF-8 (on Windows its UTF-16 name converted, not the code page).
std::string PathUtf8(const fs::path& p) {
#ifdef _WIN32
  return WideToUtf8(p.wstring());
#else
  return p.string();
#endif
}

fs::path PathFromUtf8(const std::string& s) {
#ifdef _WIN32
  return fs::path(Utf8ToWide(s));
#else
  return fs::path(s);
#endif
}

// A checked absolute drive path: its upper-case drive letter and its
// segments without empty and "." ones.
struct DrivePath {
  char drive = 'C';
  std::vector<std::string> segments;
};

Result<DrivePath> ParseDrivePath(const std::string& windows_path) {
  if (windows_path.find('\0') != std::string::npos) {
    return Status::InvalidInput("path '" + Printable(windows_path) + "' contains a NUL byte");
  }
  std::string p = windows_path;
  std::replace(p.begin(), p.end(), '/', '\\');
  if (p.size() >= 2 && p[0] == '\\' && p[1] == '\\') {
    return Status::InvalidInput("path '" + windows_path +
                                "' is a UNC path: a plan names the host's own drive path "
                                "(C:\\...); the environment's `files: {native: SERVER}` "
                                "reaches it through \\\\SERVER\\C$");
  }
  const auto drive = static_cast<unsigned char>(p.empty() ? '\0' : p[0]);
  if (p.size() < 2 || p[1] != ':' || drive > 127 || !std::isalpha(drive)) {
    return Status::InvalidInput("path '" + windows_path +
                                "' is not absolute: it needs a drive letter, e.g. C:\\...");
  }
  if (p.size() == 2 || p[2] != '\\') {
    return Status::InvalidInput(
        "path '" + windows_path + "' is relative to the current folder of drive " +
        std::string(1, p[0]) + ": write " + std::string(1, p[0]) + ":\\...");
  }
  DrivePath out;
  out.drive = static_cast<char>(std::toupper(drive));
  size_t start = 3;
  while (start <= p.size()) {
    size_t end = p.find('\\', start);
    if (end == std::string::npos) end = p.size();
    std::string seg = p.substr(start, end - start);
    start = end + 1;
    if (seg.empty() || seg == ".") continue;
    if (seg == "..") {
      return Status::InvalidInput("path '" + windows_path + "' contains a '..' segment");
    }
    if (seg.find(':') != std::string::npos) {
      return Status::InvalidInput("path '" + windows_path +
                                  "' contains ':' after the drive (streams are not supported)");
    }
    out.segments.push_back(std::move(seg));
  }
  return out;
}

}  // namespace

FileTarget::FileTarget(std::string host, fs::path root)
    : host_(std::move(host)), root_(std::move(root)) {}

FileTarget::FileTarget(NativeTag, std::string host, std::string machine)
    : host_(std::move(host)), native_(true), machine_(std::move(machine)) {}

FileTarget FileTarget::Native(std::string host, std::string machine) {
  return FileTarget(NativeTag{}, std::move(host), std::move(machine));
}

Result<fs::path> FileTarget::Map(const std::string& windows_path) const {
  TM_ASSIGN_OR_RETURN(DrivePath dp, ParseDrivePath(windows_path));
  if (!native_) return MapUnderRoot(windows_path, dp.drive, dp.segments);
  // The file system itself matches case (NTFS) and keeps the disk's spelling.
  std::string out = machine_.empty() ? std::string(1, dp.drive) + ":\\"
                                     : "\\\\" + machine_ + "\\" + dp.drive + "$\\";
  for (size_t i = 0; i < dp.segments.size(); ++i) {
    if (i > 0) out += '\\';
    out += dp.segments[i];
  }
  return PathFromUtf8(out);
}

Result<fs::path> FileTarget::MapUnderRoot(const std::string& windows_path, char drive,
                                          const std::vector<std::string>& segments) const {
  std::error_code ec;
  const fs::path root_canon = fs::weakly_canonical(root_, ec);
  if (ec) return EcStatus("cannot resolve file root", root_, ec);
  auto escapes = [&](const fs::path& resolved) {
    return Status::InvalidInput("path '" + windows_path + "' resolves to " + resolved.string() +
                                ", outside the file root " + root_canon.string() +
                                " (through a symbolic link)");
  };

  fs::path cur = root_;
  bool on_disk = true;  // once a segment is new, later ones are new too
  auto step = [&](const std::string& seg) -> Status {
    if (!on_disk) {
      cur /= seg;
      return Status::Ok();
    }
    TM_ASSIGN_OR_RETURN(std::string matched, MatchSegment(cur, seg, windows_path));
    cur /= matched;
    std::error_code sec;
    const fs::file_status st = fs::symlink_status(cur, sec);
    if (!fs::exists(st)) {
      on_disk = false;
    } else if (fs::is_symlink(st)) {
      // Checked link by link so that dangling links are caught too.
      const fs::path target = fs::read_symlink(cur, sec);
      if (sec) return EcStatus("cannot read symbolic link", cur, sec);
      const fs::path resolved =
          fs::weakly_canonical(target.is_absolute() ? target : cur.parent_path() / target, sec);
      if (sec) return EcStatus("cannot resolve symbolic link", cur, sec);
      if (!IsWithin(resolved, root_canon)) return escapes(resolved);
    }
    return Status::Ok();
  };
  TM_RETURN_IF_ERROR(step(std::string(1, drive)));
  for (const std::string& seg : segments) TM_RETURN_IF_ERROR(step(seg));

  const fs::path cur_canon = fs::weakly_canonical(cur, ec);
  if (ec) return EcStatus("cannot resolve path '" + windows_path + "' as", cur, ec);
  if (!IsWithin(cur_canon, root_canon)) return escapes(cur_canon);
  return cur;
}

Result<fs::path> FileTarget::MapResource(const Resource& r) const {
  if (r.kind != ResourceKind::kFile) {
    return Status::InvalidInput(r.Display() + " is a " + ResourceKindName(r.kind) + ", not a file");
  }
  if (!EqualsIgnoreCase(r.host, host_)) {
    return Status::InvalidInput(r.Display() + " is on host " + r.host + ", this file target is " +
                                host_);
  }
  auto mapped = Map(r.path);
  if (!mapped.ok()) return mapped.status().Prefix(r.Display());
  return mapped;
}

std::string FileTarget::WindowsPathOf(const fs::path& p) const {
  if (native_) {
    std::string s = PathUtf8(p);
    std::replace(s.begin(), s.end(), '/', '\\');
    if (machine_.empty()) return s;
    // \\machine\X$\rest → X:\rest
    const std::string prefix = "\\\\" + machine_ + "\\";
    if (s.size() >= prefix.size() + 2 && EqualsIgnoreCase(s.substr(0, prefix.size()), prefix) &&
        s[prefix.size() + 1] == '$') {
      std::string out = s.substr(prefix.size(), 1) + ":" + s.substr(prefix.size() + 2);
      if (out.size() == 2) out += "\\";
      return out;
    }
    return s;
  }
  const fs::path rel = p.lexically_relative(root_);
  std::string out;
  bool first = true;
  for (const fs::path& part : rel) {
    if (part.empty() || part == ".") continue;
    if (first) {
      out = part.string() + ":";
      first = false;
    } else {
      out += "\\" + part.string();
    }
  }
  if (out.size() == 2) out += "\\";
  return out;
}

Result<std::optional<std::string>> FileTarget::ReadMapped(const fs::path& path,
                                                          const Resource& r) const {
  TM_ASSIGN_OR_RETURN(std::optional<std::string> content, ReadFileBytes(path, r.Display()));
  if (content || !native_ || machine_.empty()) return content;
  // Absent, or the other computer is out of reach? Its share root tells.
  const std::string share = "\\\\" + machine_ + "\\" + r.path.substr(0, 1) + "$\\";
  std::error_code ec;
  if (!fs::is_directory(PathFromUtf8(share), ec)) {
    return Status::IoError(r.Display() + ": cannot reach " + share + " (the admin share of " +
                           machine_ + "): check the name, that " + machine_ +
                           " is running, that its firewall allows File and Printer Sharing, "
                           "and that this account is an administrator there");
  }
  return content;
}

Result<std::optional<std::string>> FileTarget::ReadContent(const Resource& r) const {
  TM_ASSIGN_OR_RETURN(fs::path path, MapResource(r));
  return ReadMapped(path, r);
}

Result<Value> FileTarget::Read(const Resource& r) const {
  TM_ASSIGN_OR_RETURN(std::optional<std::string> content, ReadContent(r));
  return FileValue(content);
}

Result<FileTarget::Space> FileTarget::SpaceOf(const Resource& r) const {
  TM_ASSIGN_OR_RETURN(fs::path path, MapResource(r));
  std::error_code ec;
  const bool regular = fs::is_regular_file(path, ec);
  if (!regular) {
    if (ec && ec != std::errc::no_such_file_or_directory) {
      return Status::IoError(r.Display() + ": " + ec.message());
    }
    return Status::NotFound(r.Display() + " does not exist");
  }
  Space out;
  out.file_size = fs::file_size(path, ec);
  if (ec) return Status::IoError(r.Display() + ": cannot read its size: " + ec.message());
  const fs::space_info info = fs::space(path.parent_path(), ec);
  if (ec) return Status::IoError(r.Display() + ": cannot read the free space of its volume: " + ec.message());
  out.available = info.available;
  return out;
}

Status FileTarget::WriteContent(const Resource& r, const Value& expected,
                                const std::optional<std::string>& content) {
  if (expected.type != ValueType::kFile && !expected.absent()) {
    return Status::InvalidInput(r.Display() + ": expected value must be a file or absent, got " +
                                expected.ToDisplay());
  }
  TM_ASSIGN_OR_RETURN(fs::path path, MapResource(r));
  TM_ASSIGN_OR_RETURN(std::optional<std::string> current_content, ReadMapped(path, r));
  const Value current = FileValue(current_content);
  if (current != expected) {
    return Status::Conflict(r.Display() + ": expected " + expected.ToDisplay() + ", current " +
                            current.ToDisplay());
  }
  const fs::path dir = path.parent_path();

  if (!content) {  // delete
    if (!current_content) return Status::Ok();
    return RemoveFileDurably(path);
  }

  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return EcStatus("cannot create folder", dir, ec);
  return ReplaceFileDurably(path, *content);
}

Result<std::vector<FileEntry>> FileTarget::Enumerate(const std::string& windows_folder) const {
  TM_ASSIGN_OR_RETURN(fs::path top, Map(windows_folder));
  std::vector<FileEntry> out;
  std::error_code ec;
  const fs::file_status top_status = fs::status(top, ec);
  if (ec || !fs::exists(top_status)) return out;

  auto add = [&](const fs::path& p) -> Status {
    const std::string wp = WindowsPathOf(p);
    Resource r = Resource::File(host_, wp);
    TM_ASSIGN_OR_RETURN(std::optional<std::string> content, ReadFileBytes(p, r.Display()));
    if (!content) return Status::Ok();  // vanished while listing
    Value v = FileValue(content);
    out.push_back(FileEntry{std::move(r), std::move(v), std::move(*content)});
    return Status::Ok();
  };

  if (fs::is_regular_file(top_status)) {
    TM_RETURN_IF_ERROR(add(top));
    return out;
  }
  if (!fs::is_directory(top_status)) return out;
  for (fs::recursive_directory_iterator it(top, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->symlink_status(ec).type() == fs::file_type::regular) {
      TM_RETURN_IF_ERROR(add(it->path()));
    }
    if (ec) break;
  }
  if (ec) return EcStatus("cannot list folder", top, ec);
  std::sort(out.begin(), out.end(), [](const FileEntry& a, const FileEntry& b) {
    return a.resource.path < b.resource.path;
  });
  return out;
}

size_t ReplaceAll(std::string& content, std::string_view from, std::string_view to) {
  if (from.empty()) return 0;
  size_t count = 0;
  size_t pos = content.find(from);
  if (pos == std::string::npos) return 0;
  std::string out;
  out.reserve(content.size());
  size_t last = 0;
  while (pos != std::string::npos) {
    out.append(content, last, pos - last);
    out.append(to);
    last = pos + from.size();
    ++count;
    pos = content.find(from, last);
  }
  out.append(content, last, std::string::npos);
  content = std::move(out);
  return count;
}

}  // namespace tidemark::targets
