// SHA-256 (OpenSSL on Linux, CNG on Windows) for the hash chain, content-addressed blobs and file values.
#pragma once

#include <string>
#include <string_view>

namespace tidemark {

// 32 raw bytes.
std::string Sha256(std::string_view bytes);
// 64 lower-case hex digits.
std::string Sha256Hex(std::string_view bytes);
std::string ToHex(std::string_view raw);
// Raw bytes from hex; empty optional-like: returns false on bad input.
bool FromHex(std::string_view hex, std::string* raw);

// Incremental hashing for the chain (prev hash || seq || bytes) and large files.
class Sha256Hasher {
 public:
  Sha256Hasher();
  ~Sha256Hasher();
  Sha256Hasher(const Sha256Hasher&) = delete;
  Sha256Hasher& operator=(const Sha256Hasher&) = delete;
  void Update(std::string_view bytes);
  std::string Finish();  // 32 raw bytes; the hasher is then reset

 private:
  void* ctx_;
};

}  // namespace tidemark
