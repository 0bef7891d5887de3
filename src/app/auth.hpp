// Logging in, checking bearer tokens, and creating users.
#pragma once

#include "app/app.hpp"

namespace arca {

// kUnauthenticated ("invalid_credentials") for an unknown user or a wrong
// password alike, so the answer does not reveal which names exist.
Result<IssuedToken> Login(App& app, const std::string& username, const std::string& password);
// Verifies the token and that its user still exists; the Caller carries the
// user's current name and admin flag.
Result<Caller> Authenticate(App& app, std::string_view bearer_token);
// The same check for a caller on an event loop: a user not in app.users is
// read with MetadataStore::FindUserByIdAsync. `done` is called exactly once,
// inline or on the thread the store completes on.
void AuthenticateAsync(App& app, std::string_view bearer_token, ResultCallback<Caller> done);
Result<User> CreateUser(App& app, const std::string& username, const std::string& password, bool admin);
Result<IssuedToken> IssueToken(App& app, const std::string& username, std::chrono::seconds ttl,
                               const std::string& label);

}  // namespace arca
