// OutputSink: splits a child's output into lines for the tail and the line
// callback while copying every byte to the log file and the capture.
#include "engine/process/output_sink.h"

#include <system_error>

namespace tidemark::process {

OutputSink::OutputSink(size_t tail_lines, bool capture,
                       std::function<void(std::string_view line)> on_line)
    : tail_lines_(tail_lines), capture_(capture), on_line_(std::move(on_line)) {}

Status OutputSink::OpenLog(const std::filesystem::path& path) {
  std::error_code ec;
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), ec);
  log_.open(path, std::ios::binary | std::ios::app);
  if (!log_) return Status::IoError("cannot open log file " + path.string());
  log_path_ = path;
  return Status::Ok();
}

void OutputSink::Write(std::string_view bytes) {
  if (log_.is_open() && !log_failed_) {
    log_.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    log_.flush();  // a reader (or a crash) sees the output as it comes
    if (!log_) log_failed_ = true;
  }
  if (capture_) captured_.append(bytes);
  for (char c : bytes) {
    if (c == '\n') {
      EndLine();
    } else if (line_.size() < kMaxLine) {
      line_ += c;
    }
  }
}

void OutputSink::EndLine() {
  if (!line_.empty() && line_.back() == '\r') line_.pop_back();
  if (on_line_) on_line_(line_);
  if (tail_lines_ > 0) {
    tail_.push_back(std::move(line_));
    if (tail_.size() > tail_lines_) tail_.pop_front();
  }
  line_.clear();
}

Status OutputSink::Finish() {
  if (!line_.empty()) EndLine();
  if (log_.is_open()) {
    log_.flush();
    if (!log_) log_failed_ = true;
    log_.close();
  }
  if (log_failed_) return Status::IoError("cannot write log file " + log_path_.string());
  return Status::Ok();
}

std::string OutputSink::Tail() const {
  std::string out;
  for (const std::string& line : tail_) out += line + "\n";
  return out;
}

}  // namespace tidemark::process
