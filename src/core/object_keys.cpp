#include "core/object_keys.hpp"

namespace arca {
namespace {

constexpr std::string_view kSidecarSuffix = ".meta.json";
constexpr size_t kMaxSegment = 255;  // NAME_MAX of the file systems under localfs and versitygw
constexpr size_t kMaxKey = 1024;     // S3's limit

void AppendEscaped(std::string& out, char c) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  auto b = static_cast<unsigned char>(c);
  out += '%';
  out += kHex[b >> 4];
  out += kHex[b & 0xF];
}

std::string EscapeSegment(std::string_view seg) {
  std::string out;
  out.reserve(seg.size() + 3);
  for (size_t i = 0; i < seg.size(); ++i) {
    char c = seg[i];
    bool sidecar_dot = i + kSidecarSuffix.size() == seg.size() && seg.ends_with(kSidecarSuffix);
    if (c == '%' || (c == '.' && (i == 0 || sidecar_dot))) AppendEscaped(out, c);
    else out += c;
  }
  return out;
}

}  // namespace

Result<KeyLayout> ParseKeyLayout(std::string_view text) {
  if (text == "opaque") return KeyLayout::kOpaque;
  if (text == "named") return KeyLayout::kNamed;
  return InvalidArgument("invalid_setting", "expected opaque or named, got '" + std::string(text) + "'");
}

std::string KeyPrefix(KeyLayout layout) { return layout == KeyLayout::kOpaque ? "files/" : "users/"; }

std::string OpaqueObjectKey(const std::string& file_id) { return "files/" + file_id; }

Result<std::string> NamedObjectKey(std::string_view owner, std::string_view folder, std::string_view name) {
  std::string key = KeyPrefix(KeyLayout::kNamed);
  auto add = [&key](std::string_view seg) -> Status {
    std::string e = EscapeSegment(seg);
    if (e.empty() || e.size() > kMaxSegment)
      return InvalidArgument("name_too_long_for_key", "a name or folder is too long for the named key layout");
    key += e;
    return Status::Ok();
  };
  ARCA_RETURN_IF_ERROR(add(owner));
  size_t start = 0;
  while (!folder.empty() && start <= folder.size()) {
    size_t end = folder.find('/', start);
    if (end == std::string_view::npos) end = folder.size();
    key += '/';
    ARCA_RETURN_IF_ERROR(add(folder.substr(start, end - start)));
    start = end + 1;
  }
  key += '/';
  ARCA_RETURN_IF_ERROR(add(name));
  if (key.size() > kMaxKey)
    return InvalidArgument("name_too_long_for_key", "folder and name are too long for the named key layout");
  return key;
}

}  // namespace arca
