#include "app/auth.hpp"

#include <optional>

#include "core/ids.hpp"

namespace arca {
namespace {
Status ValidateUsername(const std::string& name) {
  if (name.empty() || name.size() > 64)
    return InvalidArgument("invalid_username", "a username has 1 to 64 characters");
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
              c == '-';
    if (!ok) return InvalidArgument("invalid_username", "a username uses only letters, digits, '.', '_' and '-'");
  }
  return Status::Ok();
}

// The user behind a verified token, as the store answered; shared by the
// blocking and the async check.
Result<Caller> CallerFor(App& app, Result<User> user) {
  if (!user.ok()) {
    if (user.status().kind() == ErrorKind::kNotFound)
      return Unauthenticated("invalid_token", "the token's user no longer exists");
    return user.status();
  }
  if (app.users) app.users->Put(*user);
  return Caller{user->id, user->username, user->is_admin};
}

std::optional<Caller> CachedCaller(App& app, const std::string& user_id) {
  if (!app.users) return std::nullopt;
  return app.users->Get(user_id);
}

}  // namespace

Result<IssuedToken> Login(App& app, const std::string& username, const std::string& password) {
  auto user = app.meta.FindUserByName(username);
  if (!user.ok()) {
    if (user.status().kind() != ErrorKind::kNotFound) return user.status();
    // Spend the same effort as a real check so timing does not reveal names.
    (void)app.passwords.Hash(password);
    return Unauthenticated("invalid_credentials", "wrong username or password");
  }
  if (!app.passwords.Verify(user->password_hash, password))
    return Unauthenticated("invalid_credentials", "wrong username or password");
  return app.tokens.Issue(*user, app.settings.login_ttl, "login");
}

Result<Caller> Authenticate(App& app, std::string_view bearer_token) {
  auto caller = app.tokens.Verify(bearer_token);
  if (!caller.ok()) return caller.status();
  if (auto cached = CachedCaller(app, caller->user_id)) return *cached;
  return CallerFor(app, app.meta.FindUserById(caller->user_id));
}

void AuthenticateAsync(App& app, std::string_view bearer_token, ResultCallback<Caller> done) {
  auto caller = app.tokens.Verify(bearer_token);
  if (!caller.ok()) return done(caller.status());
  if (auto cached = CachedCaller(app, caller->user_id)) return done(std::move(*cached));
  app.meta.FindUserByIdAsync(caller->user_id, [&app, done = std::move(done)](Result<User> user) {
    done(CallerFor(app, std::move(user)));
  });
}

Result<User> CreateUser(App& app, const std::string& username, const std::string& password, bool admin) {
  ARCA_RETURN_IF_ERROR(ValidateUsername(username));
  if (password.size() < 8) return InvalidArgument("weak_password", "a password has at least 8 characters");
  if (password.size() > 1024) return InvalidArgument("weak_password", "a password has at most 1024 characters");
  auto hash = app.passwords.Hash(password);
  if (!hash.ok()) return hash.status();
  User u{NewId(), username, *hash, admin, app.clock.Now()};
  ARCA_RETURN_IF_ERROR(app.meta.CreateUser(u));
  return u;
}

Result<IssuedToken> IssueToken(App& app, const std::string& username, std::chrono::seconds ttl,
                               const std::string& label) {
  auto user = app.meta.FindUserByName(username);
  if (!user.ok()) return user.status();
  return app.tokens.Issue(*user, ttl, label);
}

}  // namespace arca
