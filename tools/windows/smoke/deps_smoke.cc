// deps_smoke: one program touching every dependency of tidemark (RocksDB synced
// writes, a reopen and a second-open refusal, Cap'n Proto, spdlog, fmt,
// program_options, yaml-cpp, GoogleTest linked in). Prints the synced Put latency.
#include <capnp/message.h>
#include <capnp/serialize.h>
#include <gtest/gtest.h>
#include <rocksdb/db.h>
#include <spdlog/spdlog.h>
#include <yaml-cpp/yaml.h>

#include <boost/program_options.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

#include "smoke.capnp.h"

namespace {

int Fail(const std::string& what) {
  std::fprintf(stderr, "deps_smoke: FAILED: %s\n", what.c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  namespace po = boost::program_options;
  po::options_description desc("deps_smoke");
  desc.add_options()("db", po::value<std::string>()->default_value("deps_smoke.db"),
                     "RocksDB directory (recreated)")(
      "puts", po::value<int>()->default_value(200), "synced puts to time");
  po::variables_map vm;
  po::store(po::parse_command_line(argc, argv, desc), vm);
  po::notify(vm);
  const std::string path = vm["db"].as<std::string>();
  const int puts = vm["puts"].as<int>();
  std::filesystem::remove_all(path);

  rocksdb::Options options;
  options.create_if_missing = true;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(options, path, &raw);
  if (!s.ok()) return Fail("open: " + s.ToString());
  std::unique_ptr<rocksdb::DB> db(raw);

  rocksdb::DB* second = nullptr;
  s = rocksdb::DB::Open(options, path, &second);
  if (s.ok()) {
    delete second;
    return Fail("a second open of the same directory was not refused");
  }

  rocksdb::WriteOptions synced;
  synced.sync = true;
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < puts; ++i) {
    capnp::MallocMessageBuilder message;
    auto event = message.initRoot<SmokeEvent>();
    event.setSeq(static_cast<uint64_t>(i));
    event.setResource("HKLM\\SOFTWARE\\Smoke");
    auto words = capnp::messageToFlatArray(message);
    auto bytes = words.asBytes();
    s = db->Put(synced, fmt::format("{:08}", i),
                rocksdb::Slice(reinterpret_cast<const char*>(bytes.begin()), bytes.size()));
    if (!s.ok()) return Fail("put: " + s.ToString());
  }
  const double us =
      std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count() /
      puts;
  db.reset();

  s = rocksdb::DB::Open(options, path, &raw);
  if (!s.ok()) return Fail("reopen: " + s.ToString());
  db.reset(raw);
  std::string value;
  s = db->Get(rocksdb::ReadOptions(), fmt::format("{:08}", puts - 1), &value);
  if (!s.ok()) return Fail("read back: " + s.ToString());
  kj::ArrayPtr<const capnp::word> words(reinterpret_cast<const capnp::word*>(value.data()),
                                        value.size() / sizeof(capnp::word));
  capnp::FlatArrayMessageReader reader(words);
  auto event = reader.getRoot<SmokeEvent>();
  if (event.getSeq() != static_cast<uint64_t>(puts - 1) ||
      event.getResource() != "HKLM\\SOFTWARE\\Smoke")
    return Fail("read back a different event");
  db.reset();
  std::filesystem::remove_all(path);

  YAML::Node plan = YAML::Load("steps: [{set: RegistryConnect}]");
  if (plan["steps"][0]["set"].as<std::string>() != "RegistryConnect") return Fail("yaml");

  spdlog::info("deps_smoke: rocksdb {} capnp yaml-cpp program_options gtest {} ok",
               ROCKSDB_MAJOR * 10000 + ROCKSDB_MINOR * 100 + ROCKSDB_PATCH,
               ::testing::UnitTest::GetInstance() != nullptr ? "linked" : "missing");
  std::printf("synced put: %.0f us (mean of %d)\n", us, puts);
  return 0;
}
