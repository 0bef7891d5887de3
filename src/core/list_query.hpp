// The parameters of GET /api/files, parsed and checked, and the opaque
// keyset cursor that continues a listing.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/caller.hpp"
#include "core/file_record.hpp"
#include "core/status.hpp"

namespace arca {

enum class SortField { kCreatedAt, kName, kSize };

// Where the previous page stopped: the sort key of its last item plus its id
// as the tie-breaker, so pages stay stable under concurrent inserts.
struct Cursor {
  SortField sort = SortField::kCreatedAt;
  bool descending = true;
  std::string last_id;
  std::variant<std::int64_t, std::string> last_value;
};

std::string EncodeCursor(const Cursor& c);
std::optional<Cursor> DecodeCursor(std::string_view text);

struct TypeFilter {
  std::string extension;     // "pdf": matches the extension or its usual MIME type
  std::string mime;          // "application/pdf": exact
  std::string mime_prefix;   // "image/": from "image/*"
};

struct ListQuery {
  std::optional<std::string> q;
  std::optional<TypeFilter> type;
  std::optional<std::string> owner_id;  // "me" is resolved to the caller's id
  // Set for non-admin callers: results are always limited to this owner, on
  // top of any owner filter (so asking for someone else's files gives nothing).
  std::optional<std::string> visible_owner;
  std::optional<std::string> project;
  std::optional<std::string> folder;
  std::optional<ReviewStatus> status;
  std::optional<FileState> state;
  std::optional<std::string> tag;
  std::optional<Micros> uploaded_after;
  std::optional<Micros> uploaded_before;
  std::optional<std::int64_t> min_size;
  std::optional<std::int64_t> max_size;
  SortField sort = SortField::kCreatedAt;
  bool descending = true;
  int limit = 50;
  std::optional<Cursor> cursor;
};

// Parses query parameters; an unknown or malformed one is an InvalidArgument
// whose message names it. Non-admin callers are always limited to their own files.
Result<ListQuery> ParseListQuery(const std::multimap<std::string, std::string>& params, const Caller& caller);

// Words of a `q` search: runs of letters, digits and non-ASCII (accented)
// bytes. ASCII punctuation separates words, so no query syntax of either
// database's full-text engine can reach it.
std::vector<std::string> SearchWords(std::string_view q);

// The smallest string greater than every string that starts with `prefix`
// (byte order): a prefix filter becomes an index range [prefix, bound).
std::string PrefixUpperBound(std::string prefix);

// The cursor that continues a listing after `last`.
Cursor CursorAfter(const FileRecord& last, SortField sort, bool descending);

// The usual MIME type of an extension, or "" when Arca does not know it.
std::string MimeForExtension(std::string_view ext);

}  // namespace arca
