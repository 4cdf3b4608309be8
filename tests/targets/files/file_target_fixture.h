// The FileTarget test fixture: a file root in a temp folder holding
// C\Program Files\DataCenter, the maintenance script's resource, and helpers.
#pragma once

#include <algorithm>
#include <filesystem>
#include <gtest/gtest.h>
#include <string>
#include <vector>

#include "engine/targets/file_target.h"
#include "store/sha256.h"
#include "tests/testing/temp_dir.h"

namespace tidemark::targets {

constexpr char kMaint[] = "C:\\Program Files\\DataCenter\\DailyMaint.cmd";

class FileTargetTest : public ::testing::Test {
 protected:
  FileTargetTest() : root_(tmp_ / "root"), files_("SERVER1", root_) {
    std::filesystem::create_directories(root_ / "C" / "Program Files" / "DataCenter");
  }
  std::filesystem::path MaintPath() const {
    return root_ / "C" / "Program Files" / "DataCenter" / "DailyMaint.cmd";
  }
  Resource Maint() const { return Resource::File("SERVER1", kMaint); }
  static Value FileOf(const std::string& content) {
    return Value::File(Sha256Hex(content), static_cast<int64_t>(content.size()));
  }
  // Names of everything in `dir` (to spot leftover temp files).
  static std::vector<std::string> Listing(const std::filesystem::path& dir) {
    std::vector<std::string> out;
    for (const auto& e : std::filesystem::directory_iterator(dir)) {
      out.push_back(e.path().filename().string());
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  testing::TempDir tmp_;
  std::filesystem::path root_;
  FileTarget files_;
};

}  // namespace tidemark::targets
