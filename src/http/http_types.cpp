#include "http/http_types.hpp"

#include <strings.h>

#include <boost/json.hpp>

namespace arca::http {

bool CaseLess::operator()(const std::string& a, const std::string& b) const {
  return strcasecmp(a.c_str(), b.c_str()) < 0;
}

Result<std::string> Request::ReadBody(size_t limit) const {
  std::string out;
  if (!body) return out;
  char buf[16384];
  for (;;) {
    auto n = body->Read(buf, sizeof buf);
    if (!n.ok()) return n.status();
    if (*n == 0) return out;
    if (out.size() + *n > limit) return TooLarge("body_too_large", "the request body is too large");
    out.append(buf, *n);
  }
}

Response Json(int status, std::string body) {
  Response r;
  r.status = status;
  r.body = std::move(body);
  r.Header("Content-Type", "application/json");
  return r;
}

int HttpStatusOf(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kOk: return 200;
    case ErrorKind::kInvalidArgument: return 400;
    case ErrorKind::kUnauthenticated: return 401;
    case ErrorKind::kNotFound: return 404;
    case ErrorKind::kConflict: return 409;
    case ErrorKind::kTooLarge: return 413;
    case ErrorKind::kUnavailable: return 503;
    case ErrorKind::kAborted: return 400;
    default: return 500;
  }
}

namespace {
const char* Title(int status) {
  switch (status) {
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 411: return "Length Required";
    case 413: return "Content Too Large";
    case 415: return "Unsupported Media Type";
    case 416: return "Range Not Satisfiable";
    case 503: return "Service Unavailable";
    default: return "Internal Server Error";
  }
}
}  // namespace

Response Problem(int status, const std::string& code, const std::string& detail) {
  boost::json::object o{{"type", "about:blank"}, {"title", Title(status)}, {"status", status},
                        {"detail", detail},      {"code", code}};
  Response r;
  r.status = status;
  r.body = boost::json::serialize(o);
  r.Header("Content-Type", "application/problem+json");
  if (status == 401) r.Header("WWW-Authenticate", "Bearer");
  return r;
}

Response Problem(const Status& st) {
  int status = HttpStatusOf(st.kind());
  std::string code = st.code().empty() ? "internal_error" : st.code();
  if (status != 500) return Problem(status, code, st.message());
  // Internal details stay in the log, where Router::Finish writes them.
  Response r = Problem(status, code, "an internal error occurred");
  r.internal_error = Response::Hidden{std::move(code), st.message()};
  return r;
}

}  // namespace arca::http
