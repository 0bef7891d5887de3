#include "core/file_record.hpp"

#include <array>
#include <utility>

namespace arca {
namespace {
constexpr std::array<std::pair<FileState, std::string_view>, 6> kStates{{
    {FileState::kPending, "pending"},
    {FileState::kReady, "ready"},
    {FileState::kProcessing, "processing"},
    {FileState::kDeleting, "deleting"},
    {FileState::kMissing, "missing"},
    {FileState::kQuarantined, "quarantined"},
}};
constexpr std::array<std::pair<ReviewStatus, std::string_view>, 3> kStatuses{{
    {ReviewStatus::kPending, "pending"},
    {ReviewStatus::kApproved, "approved"},
    {ReviewStatus::kRejected, "rejected"},
}};
}  // namespace

std::string_view ToString(FileState s) {
  for (auto& [k, v] : kStates)
    if (k == s) return v;
  return "ready";
}
std::string_view ToString(ReviewStatus s) {
  for (auto& [k, v] : kStatuses)
    if (k == s) return v;
  return "pending";
}
std::optional<FileState> ParseFileState(std::string_view s) {
  for (auto& [k, v] : kStates)
    if (v == s) return k;
  return std::nullopt;
}
std::optional<ReviewStatus> ParseReviewStatus(std::string_view s) {
  for (auto& [k, v] : kStatuses)
    if (v == s) return k;
  return std::nullopt;
}

}  // namespace arca
