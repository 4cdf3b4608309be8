// The environment file names each host's backends: registry hive or native,
// files root, services process/systemd/scm; bad choices are file:line errors
// and a backend this build lacks is refused when the target is made.
#include <gtest/gtest.h>

#include <filesystem>

#include "engine/environment.h"
#include "engine/target_set.h"

namespace tidemark::engine {
namespace {

// A path as the environment resolves it: on Windows "/site" is on the current drive.
std::filesystem::path Site(const char* absolute) {
  return std::filesystem::absolute(absolute).lexically_normal();
}

Result<Environment> Parse(const std::string& text) {
  return ParseEnvironment(text, "/site/env.yaml");
}

TEST(EnvironmentTest, ShortAndLongFormsNameTheSameBackends) {
  auto env = Parse(
      "hosts:\n"
      "  S1: {registry: hives/S1.reg, files: root/S1, services: {backend: systemd}}\n"
      "  S2: {registry: {hive: /abs/S2.reg}, files: {root: r2}}\n"
      "  WEB1: {registry: native, services: {backend: scm}}\n"
      "  WEB2: {registry: {native: SERVER9}, services: {backend: scm, machine: SERVER9}}\n"
      "  P: {services: {backend: process, dir: svc}}\n");
  ASSERT_TRUE(env.ok()) << env.status().ToString();
  const HostConfig* s1 = env->FindHost("s1");
  ASSERT_NE(s1, nullptr);
  ASSERT_TRUE(std::holds_alternative<targets::HiveRegistry>(s1->registry));
  EXPECT_EQ(std::get<targets::HiveRegistry>(s1->registry).file, Site("/site/hives/S1.reg"));
  EXPECT_EQ(std::get<targets::MappedFiles>(s1->files).root, Site("/site/root/S1"));
  EXPECT_TRUE(std::holds_alternative<targets::SystemdServices>(s1->services));
  const HostConfig* s2 = env->FindHost("S2");
  EXPECT_EQ(std::get<targets::HiveRegistry>(s2->registry).file, Site("/abs/S2.reg"));
  EXPECT_EQ(std::get<targets::MappedFiles>(s2->files).root, Site("/site/r2"));
  EXPECT_FALSE(targets::HasBackend(s2->services));
  const HostConfig* web1 = env->FindHost("web1");
  EXPECT_EQ(std::get<targets::NativeRegistry>(web1->registry).machine, "");
  EXPECT_EQ(std::get<targets::ScmServices>(web1->services).machine, "");
  EXPECT_FALSE(targets::HasBackend(web1->files));
  const HostConfig* web2 = env->FindHost("WEB2");
  EXPECT_EQ(std::get<targets::NativeRegistry>(web2->registry).machine, "SERVER9");
  EXPECT_EQ(targets::Describe(web2->services), "scm \\\\SERVER9");
  EXPECT_EQ(std::get<targets::ProcessServices>(env->FindHost("p")->services).dir, Site("/site/svc"));
}

TEST(EnvironmentTest, BadBackendsPointAtTheLine) {
  struct Case {
    const char* text;
    const char* says;
  };
  for (const Case& c : {
           Case{"hosts:\n  S1:\n    services: {backend: launchd}\n", "unknown service backend"},
           Case{"hosts:\n  S1:\n    services: {backend: systemd, dir: x}\n", "does not apply"},
           Case{"hosts:\n  S1:\n    registry: {hive: a, native: b}\n", "'registry' must be"},
           Case{"hosts:\n  S1:\n    registry: {file: a}\n", "registry"},
           Case{"hosts:\n  S1:\n    files: {folder: a}\n", "files"},
       }) {
    SCOPED_TRACE(c.text);
    auto env = Parse(c.text);
    ASSERT_FALSE(env.ok());
    EXPECT_EQ(env.status().code(), StatusCode::kInvalidInput);
    EXPECT_NE(env.status().message().find("env.yaml:3"), std::string::npos)
        << env.status().message();
    EXPECT_NE(env.status().message().find(c.says), std::string::npos) << env.status().message();
  }
}

TEST(EnvironmentTest, ABackendThisBuildLacksIsRefusedByName) {
  auto env = Parse("hosts:\n  WEB1: {registry: native, services: {backend: scm}}\n");
  ASSERT_TRUE(env.ok()) << env.status().ToString();
  TargetSet targets(env.value());
  auto reg = targets.Registry("WEB1");
  auto svc = targets.Services("WEB1");
#ifdef _WIN32
  EXPECT_TRUE(reg.ok()) << reg.status().ToString();
  EXPECT_TRUE(svc.ok()) << svc.status().ToString();
#else
  ASSERT_FALSE(reg.ok());
  EXPECT_EQ(reg.status().code(), StatusCode::kInvalidInput);
  EXPECT_NE(reg.status().message().find("native registry backend needs tidemark.exe on Windows"),
            std::string::npos)
      << reg.status().message();
  ASSERT_FALSE(svc.ok());
  EXPECT_NE(svc.status().message().find("scm service backend"), std::string::npos);
#endif
  auto files = targets.Files("WEB1");
  ASSERT_FALSE(files.ok());
  EXPECT_NE(files.status().message().find("has no files"), std::string::npos);
}

}  // namespace
}  // namespace tidemark::engine
