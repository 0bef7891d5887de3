// Who is making a request, and the one permission rule of this release.
#pragma once

#include <string>

#include "core/file_record.hpp"

namespace arca {

struct Caller {
  std::string user_id;
  std::string username;
  bool is_admin = false;
};

// Owners see their files; admins see every file. Anything else must look
// exactly like a missing file (404), so ids leak nothing.
inline bool CanSee(const Caller& c, const FileRecord& f) { return c.is_admin || f.owner_id == c.user_id; }

}  // namespace arca
