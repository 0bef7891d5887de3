#include <boost/json.hpp>

#include "app/auth.hpp"
#include "http/handlers/handlers.hpp"

namespace arca::http::handlers {
namespace json = boost::json;

Response Login(App& app, Request& req) {
  auto body = req.ReadBody(64 * 1024);
  if (!body.ok()) return Problem(body.status());
  boost::system::error_code ec;
  json::value v = json::parse(*body, ec);
  const json::object* o = (!ec && v.is_object()) ? &v.as_object() : nullptr;
  const json::value* user = o ? o->if_contains("username") : nullptr;
  const json::value* pass = o ? o->if_contains("password") : nullptr;
  if (!user || !pass || !user->is_string() || !pass->is_string())
    return Problem(400, "invalid_body", "expected {\"username\": \"…\", \"password\": \"…\"}");
  auto token = arca::Login(app, std::string(user->as_string()), std::string(pass->as_string()));
  if (!token.ok()) return Problem(token.status());
  Response r = Json(200, json::serialize(json::object{{"access_token", token->token},
                                                      {"token_type", "Bearer"},
                                                      {"expires_in", token->expires_in.count()}}));
  r.Header("Cache-Control", "no-store");
  return r;
}

Response Me(App&, Request& req) {
  const Caller& c = *req.caller;
  return Json(200, json::serialize(json::object{{"id", c.user_id}, {"username", c.username}, {"admin", c.is_admin}}));
}

}  // namespace arca::http::handlers
