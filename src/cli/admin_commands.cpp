// migrate, user add, token issue, version: short commands for operators.
#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>

#include "app/auth.hpp"
#include "cli/commands.hpp"
#include "cli/runtime.hpp"
#include "core/units.hpp"

#ifndef ARCA_VERSION
#define ARCA_VERSION "dev"
#endif

namespace arca::cli {
namespace {

int Fail(const Status& st) {
  std::fprintf(stderr, "arca: %s\n", st.message().c_str());
  return st.kind() == ErrorKind::kInvalidArgument || st.kind() == ErrorKind::kConflict ? 2 : 1;
}

std::string ReadLine(bool echo) {
  termios old{};
  bool tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &old) == 0;
  if (tty && !echo) {
    termios quiet = old;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  }
  std::string line;
  std::getline(std::cin, line);
  if (tty && !echo) {
    tcsetattr(STDIN_FILENO, TCSANOW, &old);
    std::fprintf(stderr, "\n");
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

}  // namespace

int Migrate(const Settings& s) {
  auto rt = BuildRuntime(s);  // opens every store and applies migrations
  if (!rt.ok()) return Fail(rt.status());
  std::printf("database and storage are up to date\n");
  return 0;
}

int UserAdd(const Settings& s, const std::string& name, bool admin, bool password_stdin) {
  auto rt = BuildRuntime(s);
  if (!rt.ok()) return Fail(rt.status());
  std::string password;
  if (password_stdin) {
    password = ReadLine(true);
  } else {
    if (!isatty(STDIN_FILENO)) {
      std::fprintf(stderr, "arca: no terminal to ask for a password; use --password-stdin\n");
      return 2;
    }
    std::fprintf(stderr, "Password for %s: ", name.c_str());
    password = ReadLine(false);
    std::fprintf(stderr, "Repeat: ");
    if (ReadLine(false) != password) {
      std::fprintf(stderr, "arca: the passwords differ\n");
      return 2;
    }
  }
  auto user = CreateUser(*(*rt)->app, name, password, admin);
  if (!user.ok()) return Fail(user.status());
  std::printf("created user %s (%s)%s\n", user->username.c_str(), user->id.c_str(), admin ? " as admin" : "");
  return 0;
}

int TokenIssue(const Settings& s, const std::string& user, const std::string& ttl, const std::string& label) {
  auto d = ParseDuration(ttl);
  if (!d || d->count() <= 0) {
    std::fprintf(stderr, "arca: --ttl: expected a duration such as 30d or 12h, got '%s'\n", ttl.c_str());
    return 2;
  }
  auto rt = BuildRuntime(s);
  if (!rt.ok()) return Fail(rt.status());
  auto token = IssueToken(*(*rt)->app, user, *d, label);
  if (!token.ok()) return Fail(token.status());
  std::printf("%s\n", token->token.c_str());
  return 0;
}

int Version() {
  std::printf("arca %s\n", ARCA_VERSION);
  return 0;
}

}  // namespace arca::cli
