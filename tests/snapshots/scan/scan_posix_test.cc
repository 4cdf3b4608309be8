// Scans of process services (the sandbox backend runs POSIX programs such as
// /bin/sleep): state and start-type changes seen by Diff.
#include "snapshots/scan.h"

#include <chrono>
#include <memory>
#include <gtest/gtest.h>

#include "engine/targets/process_service.h"
#include "tests/testing/temp_dir.h"

namespace tidemark::snapshots {
namespace {

using tidemark::testing::TempDir;
using tidemark::testing::WriteFileBytes;

TEST(ScanTest, ServiceScanSeesStateAndStartTypeChanges) {
  TempDir tmp;
  WriteFileBytes(tmp / "DCTomcat.service", "exec=/bin/sleep\narg=30\nstart=auto\n");
  WriteFileBytes(tmp / "W3SVC.service", "exec=/bin/sleep\narg=30\nstart=manual\n");
  auto backend = std::make_unique<targets::ProcessServiceBackend>(tmp.path());
  targets::ProcessServiceBackend* raw = backend.get();
  targets::ServiceTarget svc("SERVER1", std::move(backend));

  ScanImage before;
  ASSERT_TRUE(ScanServices(svc, {}, before).ok());
  ASSERT_EQ(before.size(), 2u);
  ASSERT_TRUE(raw->SetRun("DCTomcat", ServiceRun::kRunning, std::chrono::seconds(5)).ok());
  ASSERT_TRUE(raw->SetStartType("W3SVC", StartType::kDisabled).ok());
  ScanImage after;
  ASSERT_TRUE(ScanServices(svc, {"dctomcat", "w3svc", "NotInstalled"}, after).ok());
  ASSERT_EQ(after.size(), 3u);  // the missing one is recorded as absent
  const std::vector<Change> changes = Diff(before, after);
  ASSERT_TRUE(raw->SetRun("DCTomcat", ServiceRun::kStopped, std::chrono::seconds(5)).ok());

  ASSERT_EQ(changes.size(), 2u);  // absent on one side and missing on the other: no change
  EXPECT_EQ(changes[0].resource, Resource::Service("SERVER1", "DCTomcat"));
  EXPECT_EQ(changes[0].before, Value::Service(ServiceRun::kStopped, StartType::kAuto));
  EXPECT_EQ(changes[0].after, Value::Service(ServiceRun::kRunning, StartType::kAuto));
  EXPECT_FALSE(changes[0].after_content.has_value());
  EXPECT_EQ(changes[1].after, Value::Service(ServiceRun::kStopped, StartType::kDisabled));
}

}  // namespace
}  // namespace tidemark::snapshots
