// Versioned schema of the embedded database. docs/schema.md explains each
// table and index; migrations are append-only.
#pragma once

#include <sqlite3.h>

#include "core/status.hpp"

namespace arca::sqlite {

// Applies the missing migrations, each in its own transaction.
Status MigrateMetadata(sqlite3* db);

}  // namespace arca::sqlite
