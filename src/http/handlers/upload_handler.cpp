// POST /api/files: raw body with X-File-Name, or multipart/form-data with a
// `file` part. Bytes go from the socket to the object store in fixed-size
// chunks; nothing here holds a whole file.
#include <strings.h>

#include <boost/json.hpp>

#include "app/upload_file.hpp"
#include "core/encoding.hpp"
#include "core/names.hpp"
#include "http/file_json.hpp"
#include "http/handlers/handlers.hpp"
#include "http/multipart/multipart_parser.hpp"

namespace arca::http::handlers {
namespace json = boost::json;
namespace {

constexpr size_t kChunk = 256 * 1024;
constexpr size_t kMaxFieldBytes = 64 * 1024;
// Multipart framing and form fields on top of the file itself.
constexpr std::uint64_t kMultipartOverhead = 1 << 20;

Response Accepted(const UploadOutcome& out) {
  if (!out.async) {
    Response r = Json(201, FileJson(out.record));
    r.Header("Location", "/api/files/" + out.record.id);
    return r;
  }
  Response r = Json(202, json::serialize(json::object{{"id", out.record.id}, {"state", "pending"}}));
  r.Header("Location", "/api/files/" + out.record.id);
  return r;
}

Result<std::string> HeaderText(const Request& req, const std::string& name) {
  std::string raw = req.Header(name);
  auto decoded = PercentDecode(raw);
  if (!decoded) return InvalidArgument("invalid_header", name + " is not valid percent-encoding");
  return *decoded;
}

Response RawUpload(App& app, Metrics& metrics, Request& req) {
  if (req.Header("X-File-Name").empty())
    return Problem(400, "missing_file_name", "send the file name in X-File-Name (percent-encoded UTF-8)");
  UploadRequest ur;
  for (auto [field, header] : {std::pair{&ur.name, "X-File-Name"}, {&ur.folder, "X-File-Folder"},
                               {&ur.description, "X-File-Description"}, {&ur.project, "X-File-Project"}}) {
    auto v = HeaderText(req, header);
    if (!v.ok()) return Problem(v.status());
    *field = *v;
  }
  auto tags = HeaderText(req, "X-File-Tags");
  if (!tags.ok()) return Problem(tags.status());
  ur.tags = SplitTags(*tags);
  ur.declared_type = req.Header("Content-Type");
  ur.declared_length = req.content_length;
  ur.request_id = req.request_id;
  auto session = UploadSession::Begin(app, *req.caller, std::move(ur));
  if (!session.ok()) return Problem(session.status());
  std::vector<char> buf(kChunk);
  for (;;) {
    auto n = req.body->Read(buf.data(), buf.size());
    if (!n.ok()) return Problem(n.status());  // the session aborts as it goes out of scope
    if (*n == 0) break;
    metrics.AddUploadBytes(*n);
    if (Status st = (*session)->Write(std::string_view(buf.data(), *n)); !st.ok()) return Problem(st);
  }
  auto out = (*session)->Finish();
  if (!out.ok()) return Problem(out.status());
  return Accepted(*out);
}

// Collects form fields until the file part starts, then streams the file
// part into an upload session. Fields must come before the file, so the
// object's own metadata is complete when its upload begins.
class FormUpload : public MultipartHandler {
 public:
  FormUpload(App& app, Metrics& metrics, const Request& req) : app_(app), metrics_(metrics), req_(req) {}

  Status OnPartBegin(const PartHeaders& h) override {
    current_ = h.name;
    if (h.name != "file") {
      if (session_ || finished_file_)
        return InvalidArgument("field_after_file", "form field '" + h.name + "' must come before the file part");
      if (h.name != "folder" && h.name != "description" && h.name != "tags" && h.name != "project")
        return InvalidArgument("unknown_field", "unknown form field '" + h.name + "'");
      field_value_.clear();
      return Status::Ok();
    }
    if (session_ || finished_file_) return InvalidArgument("multiple_files", "send one file per request");
    if (!h.filename || h.filename->empty())
      return InvalidArgument("missing_file_name", "the file part needs a filename");
    UploadRequest ur = fields_;
    ur.name = *h.filename;
    ur.declared_type = h.content_type;
    ur.request_id = req_.request_id;
    auto s = UploadSession::Begin(app_, *req_.caller, std::move(ur));
    if (!s.ok()) return s.status();
    session_ = std::move(s).value();
    return Status::Ok();
  }

  Status OnPartData(std::string_view bytes) override {
    if (current_ == "file") {
      metrics_.AddUploadBytes(bytes.size());
      return session_->Write(bytes);
    }
    if (field_value_.size() + bytes.size() > kMaxFieldBytes)
      return TooLarge("field_too_large", "form field '" + current_ + "' is too large");
    field_value_.append(bytes);
    return Status::Ok();
  }

  Status OnPartEnd() override {
    if (current_ == "file") {
      finished_file_ = true;
      return Status::Ok();
    }
    if (current_ == "folder") fields_.folder = field_value_;
    else if (current_ == "description") fields_.description = field_value_;
    else if (current_ == "project") fields_.project = field_value_;
    else if (current_ == "tags") fields_.tags = SplitTags(field_value_);
    return Status::Ok();
  }

  Result<UploadOutcome> Finish() {
    if (!session_ || !finished_file_) return InvalidArgument("missing_file", "the form has no complete 'file' part");
    return session_->Finish();
  }

 private:
  App& app_;
  Metrics& metrics_;
  const Request& req_;
  UploadRequest fields_;
  std::string current_;
  std::string field_value_;
  std::unique_ptr<UploadSession> session_;
  bool finished_file_ = false;
};

Response FormDataUpload(App& app, Metrics& metrics, Request& req, std::string boundary) {
  if (req.content_length && *req.content_length > app.settings.max_upload + kMultipartOverhead)
    return Problem(TooLarge("upload_too_large", "the file is larger than the limit of " +
                                                    std::to_string(app.settings.max_upload) + " bytes"));
  FormUpload form(app, metrics, req);
  MultipartParser parser(std::move(boundary), form);
  std::vector<char> buf(kChunk);
  for (;;) {
    auto n = req.body->Read(buf.data(), buf.size());
    if (!n.ok()) return Problem(n.status());
    if (*n == 0) break;
    if (Status st = parser.Feed(std::string_view(buf.data(), *n)); !st.ok()) return Problem(st);
  }
  if (Status st = parser.Finish(); !st.ok()) return Problem(st);
  auto out = form.Finish();
  if (!out.ok()) return Problem(out.status());
  return Accepted(*out);
}

}  // namespace

Response Upload(App& app, Metrics& metrics, Request& req) {
  std::string type = req.Header("Content-Type");
  if (type.size() >= 19 && strncasecmp(type.c_str(), "multipart/form-data", 19) == 0) {
    auto boundary = MultipartParser::BoundaryFromContentType(type);
    if (!boundary) return Problem(400, "malformed_multipart", "multipart/form-data needs a boundary parameter");
    return FormDataUpload(app, metrics, req, *boundary);
  }
  return RawUpload(app, metrics, req);
}

}  // namespace arca::http::handlers
