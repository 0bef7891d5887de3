// The facts Arca keeps about one stored file, and the states it moves through.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace arca {

// Lifecycle of the stored object (CONTRACT §3 `state`).
enum class FileState { kPending, kReady, kProcessing, kDeleting, kMissing, kQuarantined };
// Business review status (CONTRACT §3 `status`).
enum class ReviewStatus { kPending, kApproved, kRejected };

std::string_view ToString(FileState s);
std::string_view ToString(ReviewStatus s);
std::optional<FileState> ParseFileState(std::string_view s);
std::optional<ReviewStatus> ParseReviewStatus(std::string_view s);

using Micros = std::int64_t;  // microseconds since the Unix epoch, UTC

struct User {
  std::string id;
  std::string username;
  std::string password_hash;  // argon2id, libsodium's string format
  bool is_admin = false;
  Micros created_at = 0;
};

struct FileRecord {
  std::string id;
  std::string name;  // exactly as the user gave it; display only
  std::string folder;
  std::string project;
  std::string owner_id;
  std::string owner_username;  // filled by reads, not stored twice
  std::int64_t size = 0;
  std::string content_type;           // what Arca serves: sniffed, else declared
  std::string declared_content_type;  // what the client said
  std::string sha256;                 // lowercase hex
  std::string description;
  std::vector<std::string> tags;
  ReviewStatus status = ReviewStatus::kPending;
  FileState state = FileState::kReady;
  std::string bucket;
  std::string object_key;
  Micros created_at = 0;
  Micros updated_at = 0;
};

}  // namespace arca
