// Sha256Hasher through Windows CNG (bcrypt.dll), so tidemark.exe needs no
// OpenSSL. Works back to Windows 7 / Server 2008 R2: one algorithm provider
// per process and a new hash object after each Finish() (no reusable flag).
#ifdef _WIN32
#include <windows.h>
// windows.h first: bcrypt.h depends on its types.
#include <bcrypt.h>

#include <cstdlib>

#include "store/sha256.h"

namespace tidemark {
namespace {

// CNG failing on SHA-256 means the system itself is broken: there is no way to
// keep the hash chain honest, so stop rather than return a wrong hash.
void Check(NTSTATUS status) {
  if (status < 0) std::abort();
}

BCRYPT_ALG_HANDLE Algorithm() {
  static const BCRYPT_ALG_HANDLE alg = [] {
    BCRYPT_ALG_HANDLE h = nullptr;
    Check(BCryptOpenAlgorithmProvider(&h, BCRYPT_SHA256_ALGORITHM, nullptr, 0));
    return h;
  }();
  return alg;
}

void* NewHash() {
  BCRYPT_HASH_HANDLE hash = nullptr;
  Check(BCryptCreateHash(Algorithm(), &hash, nullptr, 0, nullptr, 0, 0));
  return hash;
}

}  // namespace

Sha256Hasher::Sha256Hasher() : ctx_(NewHash()) {}

Sha256Hasher::~Sha256Hasher() { BCryptDestroyHash(static_cast<BCRYPT_HASH_HANDLE>(ctx_)); }

void Sha256Hasher::Update(std::string_view bytes) {
  // BCryptHashData takes a ULONG length: feed very large inputs in pieces.
  constexpr size_t kPiece = 1u << 30;
  while (!bytes.empty()) {
    const size_t n = bytes.size() < kPiece ? bytes.size() : kPiece;
    Check(BCryptHashData(static_cast<BCRYPT_HASH_HANDLE>(ctx_),
                         reinterpret_cast<PUCHAR>(const_cast<char*>(bytes.data())),
                         static_cast<ULONG>(n), 0));
    bytes.remove_prefix(n);
  }
}

std::string Sha256Hasher::Finish() {
  std::string out(32, '\0');
  Check(BCryptFinishHash(static_cast<BCRYPT_HASH_HANDLE>(ctx_),
                         reinterpret_cast<PUCHAR>(out.data()), 32, 0));
  BCryptDestroyHash(static_cast<BCRYPT_HASH_HANDLE>(ctx_));
  ctx_ = NewHash();
  return out;
}

}  // namespace tidemark
#endif  // _WIN32
