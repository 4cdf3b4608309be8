// Table: aligned text columns for human output (widths in UTF-8 code points).
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace tidemark::commands {

class Table {
 public:
  explicit Table(std::vector<std::string> header) : header_(std::move(header)) {}
  void Add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  bool empty() const { return rows_.empty(); }
  // Columns separated by two spaces; the last column is not padded.
  void Print(std::ostream& out) const;

 private:
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
};

size_t DisplayWidth(const std::string& s);

}  // namespace tidemark::commands
