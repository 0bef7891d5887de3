#include "core/crypto.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <cstring>
#include <initializer_list>
#include <memory>
#include <stdexcept>

#include "core/encoding.hpp"

namespace arca {
namespace {

// OpenSSL 3 looks an algorithm up (under a lock) on every EVP_sha256()
// init and every one-shot HMAC(): about 1 µs, more than hashing a short
// message. Fetched once, the digest is reused by every context.
const EVP_MD* Sha256Md() {
  static EVP_MD* md = [] {
    EVP_MD* m = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    if (!m) throw std::runtime_error("EVP_MD_fetch(SHA256) failed");
    return m;
  }();
  return md;
}

struct CtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};

// One digest of the concatenated parts, on this thread's reusable context.
void Digest(std::initializer_list<std::string_view> parts, unsigned char out[32]) {
  thread_local std::unique_ptr<EVP_MD_CTX, CtxFree> ctx(EVP_MD_CTX_new());
  unsigned int len = 0;
  if (!ctx || EVP_DigestInit_ex2(ctx.get(), Sha256Md(), nullptr) != 1)
    throw std::runtime_error("EVP_DigestInit_ex2 failed");
  for (std::string_view p : parts) EVP_DigestUpdate(ctx.get(), p.data(), p.size());
  EVP_DigestFinal_ex(ctx.get(), out, &len);
}

}  // namespace

struct Sha256::Impl {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  ~Impl() { EVP_MD_CTX_free(ctx); }
};

Sha256::Sha256() : impl_(std::make_unique<Impl>()) {
  if (!impl_->ctx || EVP_DigestInit_ex2(impl_->ctx, Sha256Md(), nullptr) != 1)
    throw std::runtime_error("EVP_DigestInit_ex2 failed");
}
Sha256::~Sha256() = default;

void Sha256::Update(std::string_view bytes) { EVP_DigestUpdate(impl_->ctx, bytes.data(), bytes.size()); }

std::string Sha256::FinishRaw() {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(impl_->ctx, md, &len);
  return std::string(reinterpret_cast<char*>(md), len);
}

std::string Sha256::FinishHex() { return HexEncode(FinishRaw()); }

// On this thread's context, not a new one: every presigned link hashes its
// canonical request.
void Sha256Raw(std::string_view bytes, unsigned char out[32]) { Digest({bytes}, out); }

std::string Sha256Hex(std::string_view bytes) {
  unsigned char md[32];
  Sha256Raw(bytes, md);
  return HexEncode(std::string_view(reinterpret_cast<char*>(md), sizeof md));
}

// RFC 2104 over the fetched digest: H((K ^ opad) || H((K ^ ipad) || m)).
void HmacSha256(std::string_view key, std::string_view message, unsigned char out[32]) {
  constexpr size_t kBlock = 64;
  unsigned char k[kBlock] = {};
  if (key.size() > kBlock) {
    Digest({key}, k);
  } else {
    std::memcpy(k, key.data(), key.size());
  }
  unsigned char ipad[kBlock], opad[kBlock], inner[32];
  for (size_t i = 0; i < kBlock; ++i) {
    ipad[i] = k[i] ^ 0x36;
    opad[i] = k[i] ^ 0x5c;
  }
  auto view = [](const unsigned char* p, size_t n) { return std::string_view(reinterpret_cast<const char*>(p), n); };
  Digest({view(ipad, kBlock), message}, inner);
  Digest({view(opad, kBlock), view(inner, 32)}, out);
  OPENSSL_cleanse(k, sizeof k);  // key material does not outlive the call
  OPENSSL_cleanse(ipad, sizeof ipad);
  OPENSSL_cleanse(opad, sizeof opad);
}

std::string HmacSha256(std::string_view key, std::string_view message) {
  unsigned char mac[32];
  HmacSha256(key, message, mac);
  return std::string(reinterpret_cast<char*>(mac), sizeof mac);
}

}  // namespace arca
