// UploadFile: streams one upload into the object store and hands the record
// to the metadata writer (async) or writes it itself (sync).
#pragma once

#include <memory>
#include <optional>

#include "app/app.hpp"
#include "core/crypto.hpp"

namespace arca {

struct UploadRequest {
  std::string name;  // as the user gave it, already percent-decoded
  std::string folder;
  std::string project;
  std::string description;
  std::vector<std::string> tags;
  std::string declared_type;
  std::optional<std::uint64_t> declared_length;  // Content-Length of the file, when known
  std::string request_id;
};

struct UploadOutcome {
  FileRecord record;
  bool async = true;  // true: 202 pending; false: 201 with the full record
};

// Not thread-safe; one request drives one session. Destroying a session
// that did not Finish aborts it: no object, no event, no row.
class UploadSession {
 public:
  static Result<std::unique_ptr<UploadSession>> Begin(App& app, const Caller& caller, UploadRequest req);
  ~UploadSession();

  // kTooLarge ("upload_too_large") once the bytes pass the limit.
  Status Write(std::string_view bytes);
  Result<UploadOutcome> Finish();
  void Abort();

 private:
  UploadSession(App& app, FileRecord rec, std::unique_ptr<ObjectWriter> w, std::string request_id);
  Status NameTaken() const;

  App& app_;
  FileRecord rec_;
  std::unique_ptr<ObjectWriter> writer_;
  bool writer_hashes_;  // ObjectWriter::HashesContent(): hash_ stays unused
  std::string request_id_;
  Sha256 hash_;
  std::string head_;  // the first bytes, for content sniffing
  std::uint64_t written_ = 0;
  bool done_ = false;
};

// How many first bytes the content sniffer looks at.
inline constexpr size_t kSniffBytes = 64 * 1024;
// The type Arca serves: the sniffed one, unless it only says "some bytes"
// or "some text" and the declared one is more specific.
std::string EffectiveType(const std::string& sniffed, const std::string& declared);

}  // namespace arca
