// tidemark-append-latency: the durable single append (EventLog::Append, synced)
// next to a raw synced RocksDB Put of the same bytes into the same journal
// layout, measured in the same run; built on Linux and for Windows, so the two
// systems (tidemark.exe under Wine) are compared by their ratios.
// usage: tidemark-append-latency [ROUNDS]   (default 200)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include <rocksdb/db.h>

#include "store/event_codec.h"
#include "store/event_log.h"

namespace fs = std::filesystem;
using tidemark::store::EventLog;
using tidemark::store::OpenMode;

namespace {

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

template <typename T>
T Must(tidemark::Result<T> r, const char* what) {
  if (!r.ok()) {
    std::fprintf(stderr, "%s: %s\n", what, r.status().ToString().c_str());
    std::exit(1);
  }
  return std::move(r).value();
}

tidemark::Event Note(uint64_t n) {
  tidemark::Event e;
  e.run = "latency";
  e.host = "bench-host";
  e.user = "admin";
  e.body = tidemark::Note{"append " + std::to_string(n)};
  return e;
}

}  // namespace

int main(int argc, char** argv) {
  const int rounds = argc > 1 ? std::max(1, std::atoi(argv[1])) : 200;
  const auto tick = std::chrono::steady_clock::now().time_since_epoch().count();
  const fs::path root = fs::temp_directory_path() / ("tidemark-latency-" + std::to_string(tick));
  fs::create_directories(root);
  using Clock = std::chrono::steady_clock;
  std::vector<double> append_us, put_us;
  {
    auto log = Must(EventLog::Open(root / "journal", OpenMode::kCreate), "open journal");
    auto raw = Must(EventLog::Open(root / "raw", OpenMode::kCreate), "open raw journal");
    rocksdb::WriteOptions synced;
    synced.sync = true;
    for (int r = 1; r <= rounds; ++r) {
      auto t0 = Clock::now();
      if (!log->Append(Note(static_cast<uint64_t>(r))).ok()) return 1;
      append_us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
      tidemark::Event copy = Note(static_cast<uint64_t>(r));
      copy.seq = static_cast<uint64_t>(r);
      const std::string value = std::string(32, '\x22') + tidemark::store::EncodeEvent(copy);
      t0 = Clock::now();
      const auto st = raw->raw_db()->Put(synced, raw->events_cf(), tidemark::store::SeqKey(copy.seq), value);
      put_us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
      if (!st.ok()) return 1;
    }
  }
  std::error_code ec;
  fs::remove_all(root, ec);
  const double a = Median(append_us), b = Median(put_us);
  std::printf("synced append: median %.0f us; raw synced Put %.0f us; ratio raw/append %.2fx (%d rounds)\n",
              a, b, a > 0 ? b / a : 0.0, rounds);
  return 0;
}
