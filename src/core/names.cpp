#include "core/names.hpp"

#include <algorithm>

#include "core/encoding.hpp"

namespace arca {
namespace {
bool HasControl(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7F;
  });
}
std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}
}  // namespace

Status ValidateFileName(std::string_view name) {
  if (name.empty()) return InvalidArgument("invalid_name", "the file name is empty");
  if (name.size() > 255) return InvalidArgument("invalid_name", "the file name is longer than 255 bytes");
  if (!IsValidUtf8(name)) return InvalidArgument("invalid_name", "the file name is not valid UTF-8");
  if (HasControl(name)) return InvalidArgument("invalid_name", "the file name contains control characters");
  if (name.find('/') != std::string_view::npos)
    return InvalidArgument("invalid_name", "the file name contains '/'");
  if (name == "." || name == "..") return InvalidArgument("invalid_name", "the file name cannot be '.' or '..'");
  return Status::Ok();
}

Result<std::string> NormalizeFolder(std::string_view folder) {
  while (!folder.empty() && folder.front() == '/') folder.remove_prefix(1);
  while (!folder.empty() && folder.back() == '/') folder.remove_suffix(1);
  if (folder.size() > 1024) return InvalidArgument("invalid_folder", "the folder is longer than 1024 bytes");
  size_t start = 0;
  while (start < folder.size()) {
    size_t end = folder.find('/', start);
    if (end == std::string_view::npos) end = folder.size();
    std::string_view seg = folder.substr(start, end - start);
    if (seg.empty()) return InvalidArgument("invalid_folder", "the folder has an empty segment");
    if (Status st = ValidateFileName(seg); !st.ok())
      return InvalidArgument("invalid_folder", "folder segment: " + st.message());
    start = end + 1;
  }
  return std::string(folder);
}

std::string ExtensionOf(std::string_view name) {
  size_t dot = name.rfind('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 1 == name.size()) return "";
  std::string ext(name.substr(dot + 1));
  if (ext.size() > 16) return "";
  for (auto& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return ext;
}

std::string ContentDispositionAttachment(std::string_view name) {
  // The quoted fallback keeps printable ASCII only; quotes and backslashes are
  // replaced rather than escaped because several clients mishandle escapes.
  std::string out;
  out.reserve(name.size() * 4 + 64);
  out += "attachment; filename=\"";
  const size_t start = out.size();
  for (size_t i = 0; i < name.size(); ++i) {
    auto c = static_cast<unsigned char>(name[i]);
    if (c >= 0x80) {
      if ((c & 0xC0) != 0x80) out.push_back('_');  // one '_' per non-ASCII character
    } else if (c < 0x20 || c == 0x7F || c == '"' || c == '\\' || c == '%') {
      out.push_back('_');
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  if (out.size() == start) out += "download";
  out += "\"; filename*=UTF-8''";
  AppendPercentEncoded(out, name);
  return out;
}

Result<std::vector<std::string>> NormalizeTags(const std::vector<std::string>& tags) {
  std::vector<std::string> out;
  for (const auto& raw : tags) {
    std::string_view t = Trim(raw);
    if (t.empty()) continue;
    if (t.size() > 64) return InvalidArgument("invalid_tags", "a tag is longer than 64 bytes");
    if (!IsValidUtf8(t) || HasControl(t) || t.find(',') != std::string_view::npos)
      return InvalidArgument("invalid_tags", "a tag contains invalid characters");
    if (std::find(out.begin(), out.end(), t) == out.end()) out.emplace_back(t);
  }
  if (out.size() > 50) return InvalidArgument("invalid_tags", "more than 50 tags");
  return out;
}

std::vector<std::string> SplitTags(std::string_view s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t end = s.find(',', start);
    if (end == std::string_view::npos) end = s.size();
    out.emplace_back(s.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

}  // namespace arca
