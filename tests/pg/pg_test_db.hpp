// A fresh PostgreSQL database per test, on the server named by
// ARCA_TEST_DATABASE_URL (scripts/test starts one with scripts/services).
#pragma once

#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <cstdlib>
#include <string>

#include "core/encoding.hpp"

namespace arca::testing {

class PgTestDb {
 public:
  // Empty url() when no server is configured; callers skip then.
  PgTestDb() {
    const char* base = std::getenv("ARCA_TEST_DATABASE_URL");
    if (!base || !*base) return;
    admin_url_ = base;
    name_ = "t_" + HexEncode(RandomBytes(6));
    Run("CREATE DATABASE " + name_);
    std::string b = base;
    url_ = b.substr(0, b.rfind('/') + 1) + name_;
  }
  ~PgTestDb() {
    if (!name_.empty()) Run("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
  }
  const std::string& url() const { return url_; }

 private:
  void Run(const std::string& sql) {
    PGconn* c = PQconnectdb(admin_url_.c_str());
    PGresult* r = PQexec(c, sql.c_str());
    if (PQresultStatus(r) != PGRES_COMMAND_OK) ADD_FAILURE() << sql << ": " << PQerrorMessage(c);
    PQclear(r);
    PQfinish(c);
  }
  std::string admin_url_, name_, url_;
};

}  // namespace arca::testing
