// OutputSink: where a child's output goes while it runs — a log file
// (appended), an in-memory capture, the last lines kept for error messages,
// and a per-line callback. Platform-independent; fed by the runners.
#pragma once

#include <deque>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <string_view>

#include "store/status.h"

namespace tidemark::process {

class OutputSink {
 public:
  // Lines longer than this are cut for the tail and the callback (the log
  // file and the capture keep every byte).
  static constexpr size_t kMaxLine = 64 * 1024;

  OutputSink(size_t tail_lines, bool capture,
             std::function<void(std::string_view line)> on_line);

  // Opens `path` for appending (its folder created if missing). IoError naming it.
  Status OpenLog(const std::filesystem::path& path);
  // Takes the next bytes of output. Not thread-safe: one writer at a time.
  void Write(std::string_view bytes);
  // Ends the output: a last line without '\n' is delivered and the log
  // flushed. IoError naming the log file when any write to it failed.
  Status Finish();

  std::string TakeCaptured() { return std::move(captured_); }
  // The last `tail_lines` lines, each ending in '\n' ("\r\n" becomes "\n").
  std::string Tail() const;

 private:
  void EndLine();

  size_t tail_lines_;
  bool capture_;
  std::function<void(std::string_view)> on_line_;
  std::filesystem::path log_path_;
  std::ofstream log_;
  bool log_failed_ = false;
  std::string captured_;
  std::string line_;  // the current, unfinished line (cut at kMaxLine)
  std::deque<std::string> tail_;
};

}  // namespace tidemark::process
