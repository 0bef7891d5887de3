#include "core/list_query.hpp"

#include <cctype>
#include <charconv>
#include <set>

#include "core/encoding.hpp"
#include "core/names.hpp"
#include "core/time.hpp"

namespace arca {
namespace {

std::string_view SortName(SortField s) {
  switch (s) {
    case SortField::kName: return "name";
    case SortField::kSize: return "size";
    default: return "created_at";
  }
}
std::optional<SortField> ParseSort(std::string_view s) {
  if (s == "created_at") return SortField::kCreatedAt;
  if (s == "name") return SortField::kName;
  if (s == "size") return SortField::kSize;
  return std::nullopt;
}
std::optional<std::int64_t> ParseInt(std::string_view s) {
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}
Status Bad(const std::string& param, const std::string& why) {
  return InvalidArgument("invalid_parameter", "parameter '" + param + "': " + why);
}

}  // namespace

std::string EncodeCursor(const Cursor& c) {
  // v1|sort|order|id|value: the value goes last so it may hold any byte.
  std::string s = "v1|" + std::string(SortName(c.sort)) + "|" + (c.descending ? "desc" : "asc") + "|" + c.last_id + "|";
  if (auto* i = std::get_if<std::int64_t>(&c.last_value)) s += std::to_string(*i);
  else s += std::get<std::string>(c.last_value);
  return Base64UrlEncode(s);
}

std::optional<Cursor> DecodeCursor(std::string_view text) {
  auto raw = Base64UrlDecode(text);
  if (!raw) return std::nullopt;
  std::string_view s = *raw;
  std::string_view parts[4];
  for (auto& part : parts) {
    size_t bar = s.find('|');
    if (bar == std::string_view::npos) return std::nullopt;
    part = s.substr(0, bar);
    s.remove_prefix(bar + 1);
  }
  if (parts[0] != "v1") return std::nullopt;
  Cursor c;
  auto sort = ParseSort(parts[1]);
  if (!sort) return std::nullopt;
  c.sort = *sort;
  if (parts[2] != "asc" && parts[2] != "desc") return std::nullopt;
  c.descending = parts[2] == "desc";
  c.last_id = std::string(parts[3]);
  if (c.last_id.empty()) return std::nullopt;
  if (c.sort == SortField::kName) {
    c.last_value = std::string(s);
  } else {
    auto v = ParseInt(s);
    if (!v) return std::nullopt;
    c.last_value = *v;
  }
  return c;
}

std::vector<std::string> SearchWords(std::string_view q) {
  std::vector<std::string> out;
  std::string cur;
  for (unsigned char c : q) {
    if (std::isalnum(c) || c >= 0x80) {
      cur.push_back(static_cast<char>(c));
    } else if (!cur.empty()) {
      out.push_back(cur);
      cur.clear();
    }
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

std::string PrefixUpperBound(std::string prefix) {
  while (!prefix.empty() && static_cast<unsigned char>(prefix.back()) == 0xFF) prefix.pop_back();
  if (!prefix.empty()) prefix.back() = static_cast<char>(prefix.back() + 1);
  return prefix;
}

Cursor CursorAfter(const FileRecord& last, SortField sort, bool descending) {
  Cursor c{sort, descending, last.id, std::int64_t{0}};
  if (sort == SortField::kName) c.last_value = last.name;
  else if (sort == SortField::kSize) c.last_value = last.size;
  else c.last_value = last.created_at;
  return c;
}

std::string MimeForExtension(std::string_view ext) {
  static const std::map<std::string, std::string, std::less<>> kTypes{
      {"pdf", "application/pdf"},   {"png", "image/png"},         {"jpg", "image/jpeg"},
      {"jpeg", "image/jpeg"},       {"gif", "image/gif"},         {"webp", "image/webp"},
      {"svg", "image/svg+xml"},     {"txt", "text/plain"},        {"csv", "text/csv"},
      {"html", "text/html"},        {"json", "application/json"}, {"xml", "application/xml"},
      {"zip", "application/zip"},   {"gz", "application/gzip"},   {"mp4", "video/mp4"},
      {"mp3", "audio/mpeg"},        {"wav", "audio/x-wav"},       {"md", "text/markdown"},
      {"doc", "application/msword"},
      {"docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
      {"xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
      {"pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"},
      {"odt", "application/vnd.oasis.opendocument.text"},
  };
  auto it = kTypes.find(ext);
  return it == kTypes.end() ? "" : it->second;
}

Result<ListQuery> ParseListQuery(const std::multimap<std::string, std::string>& params, const Caller& caller) {
  static const std::set<std::string> kKnown{"q",      "type",  "owner",          "project",         "folder",
                                            "status", "state", "tag",            "uploaded_after", "uploaded_before",
                                            "min_size", "max_size", "sort", "order", "limit", "cursor"};
  ListQuery lq;
  std::optional<std::string> cursor_text;
  for (const auto& [key, value] : params) {
    if (!kKnown.count(key)) return Bad(key, "unknown parameter");
    if (params.count(key) > 1) return Bad(key, "given more than once");
    if (key == "q") {
      if (value.size() > 200 || !IsValidUtf8(value)) return Bad(key, "must be UTF-8 text of at most 200 bytes");
      if (!value.empty()) lq.q = value;
    } else if (key == "type") {
      TypeFilter t;
      if (value.size() > 2 && value.ends_with("/*")) {
        t.mime_prefix = value.substr(0, value.size() - 1);
      } else if (value.find('/') != std::string::npos) {
        t.mime = value;
      } else if (!value.empty() && value.size() <= 16 && value.find('.') == std::string::npos) {
        t.extension = ExtensionOf("x." + value);
      } else {
        return Bad(key, "expected an extension (pdf), a MIME type (application/pdf) or a prefix (image/*)");
      }
      lq.type = t;
    } else if (key == "owner") {
      if (value == "me") lq.owner_id = caller.user_id;
      else if (!value.empty()) lq.owner_id = value;
      else return Bad(key, "expected 'me' or a user id");
    } else if (key == "project") {
      lq.project = value;
    } else if (key == "folder") {
      auto f = NormalizeFolder(value);
      if (!f.ok()) return Bad(key, f.status().message());
      lq.folder = *f;
    } else if (key == "status") {
      lq.status = ParseReviewStatus(value);
      if (!lq.status) return Bad(key, "expected pending, approved or rejected");
    } else if (key == "state") {
      lq.state = ParseFileState(value);
      if (!lq.state || *lq.state == FileState::kDeleting)
        return Bad(key, "expected pending, ready, processing, missing or quarantined");
    } else if (key == "tag") {
      lq.tag = value;
    } else if (key == "uploaded_after" || key == "uploaded_before") {
      auto t = ParseRfc3339(value);
      if (!t) return Bad(key, "expected an RFC 3339 timestamp such as 2026-01-31T00:00:00Z");
      (key == "uploaded_after" ? lq.uploaded_after : lq.uploaded_before) = *t;
    } else if (key == "min_size" || key == "max_size") {
      auto v = ParseInt(value);
      if (!v || *v < 0) return Bad(key, "expected a non-negative number of bytes");
      (key == "min_size" ? lq.min_size : lq.max_size) = *v;
    } else if (key == "sort") {
      auto s = ParseSort(value);
      if (!s) return Bad(key, "expected created_at, name or size");
      lq.sort = *s;
    } else if (key == "order") {
      if (value != "asc" && value != "desc") return Bad(key, "expected asc or desc");
      lq.descending = value == "desc";
    } else if (key == "limit") {
      auto v = ParseInt(value);
      if (!v || *v < 1 || *v > 1000) return Bad(key, "expected a number from 1 to 1000");
      lq.limit = static_cast<int>(*v);
    } else if (key == "cursor") {
      cursor_text = value;
    }
  }
  // Default order: newest first for dates, A→Z for names, largest first for sizes.
  if (!params.count("order")) lq.descending = lq.sort != SortField::kName;
  if (cursor_text) {
    auto c = DecodeCursor(*cursor_text);
    if (!c) return Bad("cursor", "not a cursor this server issued");
    if (c->sort != lq.sort || c->descending != lq.descending)
      return Bad("cursor", "it belongs to a listing with another sort or order");
    lq.cursor = *c;
  }
  if (!caller.is_admin) lq.visible_owner = caller.user_id;
  return lq;
}

}  // namespace arca
