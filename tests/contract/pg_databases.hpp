// PostgreSQL databases for the contract suites: one per test directory, so
// an adapter reopened over the same directory finds the same data. Created
// on the server named by ARCA_TEST_DATABASE_URL and dropped at exit.
#pragma once

#include <libpq-fe.h>

#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <set>
#include <string>

namespace arca::testing {

inline const char* PgServerUrl() {
  const char* u = std::getenv("ARCA_TEST_DATABASE_URL");
  return (u && *u) ? u : nullptr;
}

class PgDatabases {
 public:
  static PgDatabases& Get() {
    static PgDatabases instance;
    return instance;
  }
  // The URL of the database belonging to `dir`, created on first use.
  std::string UrlFor(const std::filesystem::path& dir) {
    std::string name = "c_";
    for (char ch : dir.filename().string())
      if (std::isalnum(static_cast<unsigned char>(ch))) name.push_back(static_cast<char>(std::tolower(ch)));
    std::lock_guard lock(mu_);
    if (!made_.count(name)) {
      Run("CREATE DATABASE " + name);
      made_.insert(name);
    }
    std::string base = PgServerUrl();
    return base.substr(0, base.rfind('/') + 1) + name;
  }
  ~PgDatabases() {
    for (auto& n : made_) Run("DROP DATABASE IF EXISTS " + n + " WITH (FORCE)");
  }

 private:
  void Run(const std::string& sql) {
    PGconn* c = PQconnectdb(PgServerUrl());
    PQclear(PQexec(c, sql.c_str()));
    PQfinish(c);
  }
  std::mutex mu_;
  std::set<std::string> made_;
};

}  // namespace arca::testing
