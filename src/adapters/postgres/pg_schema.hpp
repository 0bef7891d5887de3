// Versioned schema of the PostgreSQL database (docs/schema.md explains it).
#pragma once

#include "adapters/postgres/pg_pool.hpp"

namespace arca::postgres {

// Applies missing migrations under an advisory lock, so several processes
// starting at once apply each migration exactly once.
Status MigrateMetadata(Conn& c);
// The queue's tables (the embedded broker on PostgreSQL).
Status MigrateQueue(Conn& c);

}  // namespace arca::postgres
