// Streaming multipart/form-data parser (RFC 7578 on RFC 2046). Uploads pass
// through it on their way to the object store, so it never holds a whole
// part: memory stays bounded by the header block of the current part plus a
// few bytes, whatever the size of the body.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.hpp"

namespace arca::http {

struct PartHeaders {
  std::string name;  // from Content-Disposition: form-data; name="..."
  // filename="..." or filename*=UTF-8''pct-encoded (filename* wins); present
  // (maybe empty) only if given.
  std::optional<std::string> filename;
  std::string content_type;  // part Content-Type, "" if absent
};

// Receives parts as they stream. For each part the parser calls OnPartBegin
// once, OnPartData zero or more times (never empty, never with bytes of two
// parts), then OnPartEnd once. A callback that returns an error stops the
// parser; that error is returned unchanged from Feed.
class MultipartHandler {
 public:
  virtual ~MultipartHandler() = default;
  virtual Status OnPartBegin(const PartHeaders& h) = 0;
  // May be called many times per part, never with data of two parts.
  virtual Status OnPartData(std::string_view bytes) = 0;
  virtual Status OnPartEnd() = 0;
};

// Not thread-safe: one parser belongs to one request. The handler must
// outlive the parser. Header bytes (names, filenames) are passed on as sent,
// not validated as UTF-8: callers that store them validate them.
class MultipartParser {
 public:
  // Part header block size limit (all header lines and the blank line).
  static constexpr size_t kMaxHeaderBytes = 16 * 1024;
  static constexpr int kMaxParts = 1000;

  // An invalid boundary (not 1..70 printable ASCII characters) makes every
  // later Feed and Finish fail with "malformed_multipart".
  MultipartParser(std::string boundary, MultipartHandler& handler);

  // Feeds the next chunk of the body (any size, split anywhere). Returns the
  // first error: a handler error is returned unchanged; malformed input is
  // InvalidArgument with code "malformed_multipart". Errors are sticky: every
  // later Feed returns the same one. Bytes after the closing boundary are
  // ignored.
  Status Feed(std::string_view chunk);

  // Call at end of body: "malformed_multipart" unless the closing boundary
  // "--boundary--" was seen (a truncated last part is not ended).
  Status Finish();

  // Extracts the boundary parameter from a Content-Type header value
  // ("multipart/form-data; boundary=abc" or quoted boundary="a b"); nullopt if
  // not multipart/form-data or no/invalid boundary (RFC 2046: 1..70 chars).
  static std::optional<std::string> BoundaryFromContentType(std::string_view content_type);

 private:
  enum class State {
    kPreamble,        // looking for the first delimiter; bytes are dropped
    kAfterDelimiter,  // just after "\r\n--boundary": "--", padding or CRLF
    kCloseDash,       // saw one '-' of the closing "--"
    kPadding,         // transport padding (SP/HT) before the line's CRLF
    kLineFeed,        // saw the CR ending a boundary line
    kHeaders,         // collecting a part's header block
    kPartData,        // streaming a part's body to the handler
    kDone,            // closing boundary seen; the epilogue is dropped
    kFailed,          // status_ holds the error
  };

  Status Step(std::string_view& in);
  Status ScanForDelimiter(std::string_view& in, bool deliver);
  Status OnDelimiterLineEnd();
  Status ConsumeHeaders(std::string_view& in);
  Status Emit(std::string_view bytes, bool deliver);
  Status Fail(Status st);

  std::string delimiter_;  // "\r\n--" + boundary
  MultipartHandler& handler_;
  State state_ = State::kPreamble;
  Status status_;
  // How many leading bytes of delimiter_ ended the input so far. They are
  // exactly delimiter_[0, matched_), so they need no buffer of their own.
  size_t matched_ = 0;
  bool in_part_ = false;
  int parts_ = 0;
  std::string header_block_;
  size_t line_start_ = 0;  // offset in header_block_ of the line being read
};

}  // namespace arca::http
