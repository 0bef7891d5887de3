#include "adapters/embedded_queue/sqlite_queue.hpp"

#include <algorithm>

#include "adapters/leased_queue/leased_subscription.hpp"
#include "core/events.hpp"
#include "core/time.hpp"

namespace arca::embedded_queue {
namespace {
using sqlite::Exec;
using sqlite::Stmt;
using sqlite::StatusFromStmt;

std::int64_t NowMs() { return NowMicros() / 1000; }


}  // namespace

Result<std::unique_ptr<SqliteQueue>> SqliteQueue::Open(const std::string& path, QueueOptions opts) {
  auto db = sqlite::Open(path);
  if (!db.ok()) return db.status();
  return std::unique_ptr<SqliteQueue>(new SqliteQueue(std::move(db).value(), opts));
}

Status SqliteQueue::Prepare() {
  std::lock_guard lock(mu_);
  // The default groups exist from the start, so a message published before
  // its consumer first runs still reaches it (as a Kafka group at "earliest").
  return Exec(db_.get(), R"sql(
CREATE TABLE IF NOT EXISTS queue_groups (
  topic TEXT NOT NULL,
  grp   TEXT NOT NULL,
  PRIMARY KEY (topic, grp)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS queue_deliveries (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  topic        TEXT NOT NULL,
  grp          TEXT NOT NULL,
  msg_key      TEXT NOT NULL,
  payload      TEXT NOT NULL,
  attempts     INTEGER NOT NULL DEFAULT 0,
  available_at INTEGER NOT NULL,
  leased_until INTEGER NOT NULL DEFAULT 0,
  last_error   TEXT,
  created_at   INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS queue_next ON queue_deliveries (grp, topic, available_at, id);
CREATE INDEX IF NOT EXISTS queue_key ON queue_deliveries (grp, topic, msg_key, id);
INSERT OR IGNORE INTO queue_groups (topic, grp) VALUES
  ('arquivos-enviados', 'metadata'), ('arquivos-para-deletar', 'delete'), ('renomear-arquivo', 'rename');
)sql");
}

Status SqliteQueue::Ping() {
  std::lock_guard lock(mu_);
  Stmt s(db_.get(), "SELECT 1 FROM queue_groups LIMIT 1");
  s.Step();
  return StatusFromStmt(s, "queue ping");
}

Status SqliteQueue::InsertForGroups(const std::string& topic, const std::string& key, const std::string& payload) {
  // One row per group following the topic, or one unclaimed row when none does.
  Stmt s(db_.get(),
         "INSERT INTO queue_deliveries (topic, grp, msg_key, payload, available_at, created_at) "
         "SELECT ?1, grp, ?2, ?3, ?4, ?4 FROM queue_groups WHERE topic = ?1 "
         "UNION ALL SELECT ?1, ?5, ?2, ?3, ?4, ?4 WHERE NOT EXISTS (SELECT 1 FROM queue_groups WHERE topic = ?1)");
  s.Bind(1, topic).Bind(2, key).Bind(3, payload).Bind(4, NowMs()).Bind(5, std::string(leased_queue::kUnclaimedGroup));
  s.Step();
  return StatusFromStmt(s, "publish");
}

Status SqliteQueue::Publish(const std::string& topic, const std::string& key, const std::string& payload) {
  {
    std::lock_guard lock(mu_);
    ARCA_RETURN_IF_ERROR(InsertForGroups(topic, key, payload));
  }
  published_.Notify();
  return Status::Ok();
}

Result<std::unique_ptr<Subscription>> SqliteQueue::Subscribe(const std::string& group,
                                                             const std::vector<std::string>& topics) {
  std::lock_guard lock(mu_);
  for (const auto& t : topics) {
    Stmt s(db_.get(), "INSERT OR IGNORE INTO queue_groups (topic, grp) VALUES (?, ?)");
    s.Bind(1, t).Bind(2, group);
    s.Step();
    ARCA_RETURN_IF_ERROR(StatusFromStmt(s, "subscribe"));
    Stmt adopt(db_.get(), "UPDATE queue_deliveries SET grp = ? WHERE topic = ? AND grp = ?");
    adopt.Bind(1, group).Bind(2, t).Bind(3, std::string(leased_queue::kUnclaimedGroup));
    adopt.Step();
    ARCA_RETURN_IF_ERROR(StatusFromStmt(adopt, "subscribe"));
  }
  return std::unique_ptr<Subscription>(new leased_queue::LeasedSubscription(*this, group, topics));
}

Result<std::int64_t> SqliteQueue::Depth() {
  std::lock_guard lock(mu_);
  Stmt s(db_.get(), "SELECT count(*) FROM queue_deliveries WHERE topic NOT LIKE '%.dlq'");
  if (s.Step()) return s.Int(0);
  ARCA_RETURN_IF_ERROR(StatusFromStmt(s, "depth"));
  return std::int64_t{0};
}

Result<std::vector<Message>> SqliteQueue::Claim(const std::string& group, const std::vector<std::string>& topics,
                                                size_t max) {
  std::lock_guard lock(mu_);
  sqlite::Transaction tx(db_.get());
  ARCA_RETURN_IF_ERROR(tx.status());
  std::vector<Message> out;
  const std::int64_t now = NowMs();
  const std::int64_t lease_end = now + std::chrono::duration_cast<std::chrono::milliseconds>(opts_.lease).count();
  for (const auto& topic : topics) {
    // The oldest due row of each key, and only when no older row of the same
    // key is still waiting or in flight: per-key order, like a Kafka partition.
    Stmt s(db_.get(),
           "SELECT d.id, d.msg_key, d.payload, d.attempts FROM queue_deliveries d "
           "WHERE d.grp = ?1 AND d.topic = ?2 AND d.available_at <= ?3 AND d.leased_until <= ?3 "
           "AND NOT EXISTS (SELECT 1 FROM queue_deliveries o WHERE o.grp = d.grp AND o.topic = d.topic "
           "AND o.msg_key = d.msg_key AND o.id < d.id) "
           "ORDER BY d.available_at, d.id LIMIT ?4");
    s.Bind(1, group).Bind(2, topic).Bind(3, now).Bind(4, static_cast<std::int64_t>(max - out.size()));
    std::vector<std::pair<std::int64_t, Message>> rows;
    while (s.Step())
      rows.push_back({s.Int(0), Message{topic, s.Text(1), s.Text(2), static_cast<int>(s.Int(3)), ""}});
    ARCA_RETURN_IF_ERROR(StatusFromStmt(s, "claim"));
    for (auto& [id, m] : rows) {
      if (m.attempts >= opts_.max_attempts) {
        // Its consumers kept dying before Ack or Fail (a poison message that
        // crashes the process): stop redelivering it.
        ARCA_RETURN_IF_ERROR(DeadLetterLocked(group, id, m.attempts, m, "lease expired on every attempt"));
        continue;
      }
      Stmt u(db_.get(), "UPDATE queue_deliveries SET leased_until = ?, attempts = attempts + 1 WHERE id = ?");
      u.Bind(1, lease_end).Bind(2, id);
      u.Step();
      ARCA_RETURN_IF_ERROR(StatusFromStmt(u, "lease"));
      m.handle = leased_queue::MakeHandle(id, m.attempts + 1);
      out.push_back(std::move(m));
    }
    if (out.size() >= max) break;
  }
  ARCA_RETURN_IF_ERROR(tx.Commit());
  return out;
}

Status SqliteQueue::DeadLetterLocked(const std::string& group, std::int64_t id, std::int64_t token, const Message& m,
                                     const std::string& error) {
  Stmt del(db_.get(), "DELETE FROM queue_deliveries WHERE id = ? AND attempts = ?");
  del.Bind(1, id).Bind(2, token);
  del.Step();
  ARCA_RETURN_IF_ERROR(StatusFromStmt(del, "dead-letter"));
  if (sqlite3_changes(db_.get()) == 0) return Status::Ok();  // our lease was lost; the new holder decides
  const auto attempts = static_cast<int>(token);
  const std::int64_t now = NowMs();
  Stmt dlq(db_.get(),
           "INSERT INTO queue_deliveries (topic, grp, msg_key, payload, attempts, available_at, last_error, created_at) "
           "VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  dlq.Bind(1, Topics::Dlq(m.topic)).Bind(2, group).Bind(3, m.key);
  // The dead letter starts with no attempts of its own; the count it had is in its payload.
  dlq.Bind(4, WithDeadLetterInfo(m.payload, error, attempts)).Bind(5, 0).Bind(6, now).Bind(7, error);
  dlq.Bind(8, now);
  dlq.Step();
  return StatusFromStmt(dlq, "dead-letter");
}

Status SqliteQueue::Ack(const Message& m) {
  const auto lease = leased_queue::ParseHandle(m.handle);
  std::lock_guard lock(mu_);
  Stmt s(db_.get(), "DELETE FROM queue_deliveries WHERE id = ? AND attempts = ?");
  s.Bind(1, lease.id).Bind(2, lease.token);
  s.Step();
  return StatusFromStmt(s, "ack");
}

Status SqliteQueue::Fail(const std::string& group, const Message& m, const std::string& error, bool retryable) {
  const auto lease = leased_queue::ParseHandle(m.handle);
  std::lock_guard lock(mu_);
  if (retryable && lease.token < opts_.max_attempts) {
    // Exponential backoff: the same failure is not hammered, others go on.
    std::int64_t delay = opts_.base_backoff.count() << std::min<std::int64_t>(lease.token - 1, 10);
    Stmt s(db_.get(),
           "UPDATE queue_deliveries SET available_at = ?, leased_until = 0, last_error = ? WHERE id = ? AND attempts = ?");
    s.Bind(1, NowMs() + delay).Bind(2, error).Bind(3, lease.id).Bind(4, lease.token);
    s.Step();
    return StatusFromStmt(s, "retry");
  }
  sqlite::Transaction tx(db_.get());
  ARCA_RETURN_IF_ERROR(tx.status());
  ARCA_RETURN_IF_ERROR(DeadLetterLocked(group, lease.id, lease.token, m, error));
  return tx.Commit();
}

Status SqliteQueue::Release(const Message& m) {
  const auto lease = leased_queue::ParseHandle(m.handle);
  std::lock_guard lock(mu_);
  // Undo the lease and the attempt it counted: a clean shutdown is not a failure.
  Stmt s(db_.get(),
         "UPDATE queue_deliveries SET leased_until = 0, attempts = max(attempts - 1, 0) "
         "WHERE id = ? AND attempts = ? AND leased_until > 0");
  s.Bind(1, lease.id).Bind(2, lease.token);
  s.Step();
  return StatusFromStmt(s, "release");
}

}  // namespace arca::embedded_queue
