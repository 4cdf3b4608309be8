// Table: aligned text columns for human output (widths in UTF-8 code points).
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace tidemark::commands {

class Table {
 public:
  explicit Table(std::vector<std::string> header) : header_(std::move(header)) {}
  // Cells are escaped for the terminal (store::EscapeForTerminal): control
  // characters and line breaks from targets and plans are shown visibly.
  void Add(std::vector<std::string> row);
  bool empty() const { return rows_.empty(); }
  // Columns separated by two spaces; the last column is not padded.
  void Print(std::ostream& out) const;

 private:
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
};

size_t DisplayWidth(const std::string& s);

}  // namespace tidemark::commands
