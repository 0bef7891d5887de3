// The served OpenAPI document lists exactly the routes the server has, with
// a security requirement on every operation that needs a token.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <regex>
#include <set>
#include <string>

#include "unit/fakes/fake_app.hpp"
#include "http/router.hpp"
#include "http/routes.hpp"

namespace arca {
namespace {

namespace json = boost::json;

const std::set<std::string> kHttpMethods{"get", "put", "post", "delete", "options", "head", "patch", "trace"};

std::string Lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}
// The router's "{key*}" (rest of the path) is plain "{key}" in OpenAPI.
std::string OpenApiPath(const std::string& pattern) {
  static const std::regex kRest(R"(\{([A-Za-z0-9_]+)\*\})");
  return std::regex_replace(pattern, kRest, "{$1}");
}

class OpenApiTest : public ::testing::Test {
 protected:
  OpenApiTest() : router_([](std::string_view) -> Result<Caller> { return Unauthenticated("x", "x"); }, metrics_) {
    http::RouteOptions opts;
    opts.blob_link_secret = "0123456789abcdef0123456789abcdef";  // so the optional /blob route exists
    http::AddRoutes(router_, f_.app, metrics_, opts);
    boost::system::error_code ec;
    doc_ = json::parse(http::OpenApiDocument(), ec);
    parse_error_ = ec.message();
    parsed_ = !ec && doc_.is_object();
  }

  const json::object& Paths() { return doc_.as_object().at("paths").as_object(); }
  const json::object* Operation(const std::string& path, const std::string& method) {
    auto* item = Paths().if_contains(path);
    if (!item || !item->is_object()) return nullptr;
    auto* op = item->as_object().if_contains(method);
    return op && op->is_object() ? &op->as_object() : nullptr;
  }
  const http::Route* RouteFor(const std::string& path, const std::string& method) {
    for (const auto& r : router_.routes())
      if (OpenApiPath(r.pattern) == path && Lower(r.method) == method) return &r;
    return nullptr;
  }
  // The operation's own security, or the document's default.
  const json::value* SecurityOf(const json::object& op) {
    if (auto* s = op.if_contains("security")) return s;
    return doc_.as_object().if_contains("security");
  }

  fakes::FakeApp f_;
  http::Metrics metrics_;
  http::Router router_;
  json::value doc_;
  std::string parse_error_;
  bool parsed_ = false;
};

TEST_F(OpenApiTest, DocumentIsOpenApi3Json) {
  ASSERT_TRUE(parsed_) << parse_error_;
  const json::object& d = doc_.as_object();
  ASSERT_TRUE(d.contains("openapi"));
  EXPECT_TRUE(std::string(d.at("openapi").as_string()).starts_with("3.")) << d.at("openapi");
  EXPECT_TRUE(d.contains("info"));
  ASSERT_TRUE(d.contains("paths"));
  EXPECT_TRUE(d.at("paths").is_object());
}

TEST_F(OpenApiTest, EveryDocumentedRouteIsInTheDocument) {
  ASSERT_TRUE(parsed_) << parse_error_;
  ASSERT_FALSE(router_.routes().empty());
  for (const auto& r : router_.routes()) {
    if (!r.in_openapi) continue;
    const std::string path = OpenApiPath(r.pattern), method = Lower(r.method);
    EXPECT_NE(Operation(path, method), nullptr) << method << " " << path << " is served but not documented";
  }
}

TEST_F(OpenApiTest, EveryOperationInTheDocumentIsARoute) {
  ASSERT_TRUE(parsed_) << parse_error_;
  int operations = 0;
  for (const auto& [path, item] : Paths()) {
    ASSERT_TRUE(item.is_object()) << path;
    for (const auto& [key, op] : item.as_object()) {
      if (!kHttpMethods.count(std::string(key))) continue;  // parameters, summary, …
      ++operations;
      const http::Route* r = RouteFor(std::string(path), std::string(key));
      EXPECT_NE(r, nullptr) << key << " " << path << " is documented but not served";
      if (r) {
        EXPECT_TRUE(r->in_openapi) << key << " " << path << " is documented but marked undocumented";
      }
    }
  }
  EXPECT_GT(operations, 0);
}

TEST_F(OpenApiTest, UndocumentedRoutesAreNotInTheDocument) {
  ASSERT_TRUE(parsed_) << parse_error_;
  for (const auto& r : router_.routes()) {
    if (r.in_openapi) continue;
    EXPECT_EQ(Operation(OpenApiPath(r.pattern), Lower(r.method)), nullptr) << r.method << " " << r.pattern;
  }
}

TEST_F(OpenApiTest, EveryProtectedOperationHasASecurityRequirement) {
  ASSERT_TRUE(parsed_) << parse_error_;
  const json::object* schemes = nullptr;
  if (auto* comp = doc_.as_object().if_contains("components"); comp && comp->is_object())
    if (auto* s = comp->as_object().if_contains("securitySchemes"); s && s->is_object()) schemes = &s->as_object();

  for (const auto& r : router_.routes()) {
    if (!r.in_openapi || !r.needs_auth) continue;
    const std::string path = OpenApiPath(r.pattern), method = Lower(r.method);
    SCOPED_TRACE(method + " " + path);
    const json::object* op = Operation(path, method);
    if (!op) continue;  // reported by EveryDocumentedRouteIsInTheDocument
    const json::value* sec = SecurityOf(*op);
    ASSERT_NE(sec, nullptr) << "no security requirement";
    ASSERT_TRUE(sec->is_array());
    ASSERT_FALSE(sec->as_array().empty()) << "security: [] makes it public";
    for (const auto& requirement : sec->as_array()) {
      ASSERT_TRUE(requirement.is_object());
      EXPECT_FALSE(requirement.as_object().empty()) << "{} in security makes the token optional";
      for (const auto& [name, scopes] : requirement.as_object()) {
        ASSERT_NE(schemes, nullptr) << "components.securitySchemes is missing";
        EXPECT_TRUE(schemes->contains(name)) << "unknown security scheme " << name;
      }
    }
  }
}

TEST_F(OpenApiTest, PublicOperationsDoNotDemandAToken) {
  ASSERT_TRUE(parsed_) << parse_error_;
  for (const auto& r : router_.routes()) {
    if (!r.in_openapi || r.needs_auth) continue;
    const std::string path = OpenApiPath(r.pattern), method = Lower(r.method);
    SCOPED_TRACE(method + " " + path);
    const json::object* op = Operation(path, method);
    if (!op) continue;
    const json::value* sec = SecurityOf(*op);
    if (!sec) continue;
    ASSERT_TRUE(sec->is_array());
    bool optional = sec->as_array().empty();
    for (const auto& requirement : sec->as_array())
      if (requirement.is_object() && requirement.as_object().empty()) optional = true;
    EXPECT_TRUE(optional) << "a public route is documented as needing a token";
  }
}

TEST_F(OpenApiTest, ContractRoutesAreServed) {
  // CONTRACT §3: the calls a client relies on.
  for (auto [method, path] : std::vector<std::pair<std::string, std::string>>{{"post", "/api/auth/login"},
                                                                              {"get", "/api/me"},
                                                                              {"post", "/api/files"},
                                                                              {"get", "/api/files"},
                                                                              {"get", "/api/files/{id}"},
                                                                              {"patch", "/api/files/{id}"},
                                                                              {"delete", "/api/files/{id}"},
                                                                              {"get", "/api/files/{id}/download"},
                                                                              {"get", "/healthz"},
                                                                              {"get", "/readyz"},
                                                                              {"get", "/metrics"},
                                                                              {"get", "/api/openapi.json"}}) {
    const http::Route* r = RouteFor(path, method);
    ASSERT_NE(r, nullptr) << method << " " << path;
    const bool is_public = path == "/api/auth/login" || path == "/healthz" || path == "/readyz" ||
                           path == "/metrics" || path == "/api/openapi.json";
    EXPECT_EQ(r->needs_auth, !is_public) << method << " " << path;
  }
}

}  // namespace
}  // namespace arca
