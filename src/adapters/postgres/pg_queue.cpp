#include "adapters/postgres/pg_queue.hpp"

#include <algorithm>

#include "adapters/leased_queue/leased_subscription.hpp"
#include "adapters/postgres/pg_schema.hpp"
#include "core/events.hpp"

namespace arca::postgres {
namespace {

Status Check(const Result<Rows>& r) { return r.ok() ? Status::Ok() : r.status(); }


}  // namespace

Status PgQueue::Prepare() {
  auto c = pool_.Acquire();
  if (!c.ok()) return c.status();
  return MigrateQueue(**c);
}

Status PgQueue::Ping() {
  auto c = pool_.Acquire(std::chrono::milliseconds(1000));
  if (!c.ok()) return c.status();
  return Check((*c)->Exec("SELECT 1 FROM queue_groups LIMIT 1"));
}

Status PgQueue::Publish(const std::string& topic, const std::string& key, const std::string& payload) {
  {
    auto c = pool_.Acquire();
    if (!c.ok()) return c.status();
    ARCA_RETURN_IF_ERROR(Check((*c)->Exec(
        "INSERT INTO queue_deliveries (topic, grp, msg_key, payload) SELECT $1, grp, $2, $3 FROM queue_groups "
        "WHERE topic = $1 UNION ALL SELECT $1, $4, $2, $3 "
        "WHERE NOT EXISTS (SELECT 1 FROM queue_groups WHERE topic = $1)",
        {topic, key, payload, leased_queue::kUnclaimedGroup})));
  }
  published_.Notify();
  return Status::Ok();
}

Result<std::unique_ptr<Subscription>> PgQueue::Subscribe(const std::string& group,
                                                         const std::vector<std::string>& topics) {
  auto c = pool_.Acquire();
  if (!c.ok()) return c.status();
  for (const auto& t : topics) {
    ARCA_RETURN_IF_ERROR(
        Check((*c)->Exec("INSERT INTO queue_groups (topic, grp) VALUES ($1, $2) ON CONFLICT DO NOTHING", {t, group})));
    ARCA_RETURN_IF_ERROR(Check((*c)->Exec("UPDATE queue_deliveries SET grp = $1 WHERE topic = $2 AND grp = $3",
                                          {group, t, leased_queue::kUnclaimedGroup})));
  }
  return std::unique_ptr<Subscription>(new leased_queue::LeasedSubscription(*this, group, topics));
}

Result<std::int64_t> PgQueue::Depth() {
  auto c = pool_.Acquire(std::chrono::milliseconds(1000));
  if (!c.ok()) return c.status();
  auto r = (*c)->Exec("SELECT count(*) FROM queue_deliveries WHERE topic NOT LIKE '%.dlq'");
  if (!r.ok()) return r.status();
  return r->Int(0, 0);
}

Result<std::vector<Message>> PgQueue::Claim(const std::string& group, const std::vector<std::string>& topics,
                                            size_t max) {
  auto c = pool_.Acquire();
  if (!c.ok()) return c.status();
  std::vector<Message> out;
  const std::string lease_ms = std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(opts_.lease).count());
  for (const auto& topic : topics) {
    // The oldest row of each key only, so a key's messages go in order; SKIP
    // LOCKED lets concurrent workers take different rows without waiting.
    auto r = (*c)->Exec(
        "WITH next AS ("
        "  SELECT d.id FROM queue_deliveries d"
        "  WHERE d.grp = $1 AND d.topic = $2 AND d.available_at <= now() AND d.leased_until <= now()"
        "    AND NOT EXISTS (SELECT 1 FROM queue_deliveries o WHERE o.grp = d.grp AND o.topic = d.topic"
        "                    AND o.msg_key = d.msg_key AND o.id < d.id)"
        "  ORDER BY d.available_at, d.id LIMIT $3 FOR UPDATE SKIP LOCKED) "
        "UPDATE queue_deliveries q SET leased_until = now() + $4::bigint * interval '1 millisecond', "
        "attempts = q.attempts + 1 FROM next WHERE q.id = next.id "
        "RETURNING q.id, q.msg_key, q.payload, q.attempts",
        {group, topic, std::to_string(max - out.size()), lease_ms});
    if (!r.ok()) return r.status();
    for (int i = 0; i < r->size(); ++i) {
      Message m{topic, r->Text(i, 1), r->Text(i, 2), static_cast<int>(r->Int(i, 3)) - 1,
                leased_queue::MakeHandle(r->Int(i, 0), r->Int(i, 3))};
      if (m.attempts >= opts_.max_attempts) {
        // Its consumers kept dying before Ack or Fail: stop redelivering it.
        ARCA_RETURN_IF_ERROR(DeadLetter(**c, group, m, "lease expired on every attempt"));
        continue;
      }
      out.push_back(std::move(m));
    }
    if (out.size() >= max) break;
  }
  std::sort(out.begin(), out.end(), [](const Message& a, const Message& b) {
    return leased_queue::ParseHandle(a.handle).id < leased_queue::ParseHandle(b.handle).id;
  });
  return out;
}

Status PgQueue::DeadLetter(Conn& c, const std::string& group, const Message& m, const std::string& error) {
  const auto lease = leased_queue::ParseHandle(m.handle);
  // One statement: the row moves to the dead-letter topic, never both, never neither.
  return Check(c.Exec(
      "WITH gone AS (DELETE FROM queue_deliveries WHERE id = $1::bigint AND attempts = $2::integer RETURNING id) "
      "INSERT INTO queue_deliveries (topic, grp, msg_key, payload, attempts, last_error) "
      // The dead letter's own attempts start at 0; the old count is in its payload.
      "SELECT $3, $4, $5, $6, 0, $7 FROM gone",
      {std::to_string(lease.id), std::to_string(lease.token), Topics::Dlq(m.topic), group, m.key,
       WithDeadLetterInfo(m.payload, error, static_cast<int>(lease.token)), error}));
}

Status PgQueue::Ack(const Message& m) {
  const auto lease = leased_queue::ParseHandle(m.handle);
  auto c = pool_.Acquire();
  if (!c.ok()) return c.status();
  return Check((*c)->Exec("DELETE FROM queue_deliveries WHERE id = $1::bigint AND attempts = $2::integer",
                          {std::to_string(lease.id), std::to_string(lease.token)}));
}

Status PgQueue::Fail(const std::string& group, const Message& m, const std::string& error, bool retryable) {
  const auto lease = leased_queue::ParseHandle(m.handle);
  auto c = pool_.Acquire();
  if (!c.ok()) return c.status();
  if (retryable && lease.token < opts_.max_attempts) {
    std::int64_t delay = opts_.base_backoff.count() << std::min<std::int64_t>(lease.token - 1, 10);
    return Check((*c)->Exec(
        "UPDATE queue_deliveries SET available_at = now() + $1::bigint * interval '1 millisecond', "
        "leased_until = '-infinity', last_error = $2 WHERE id = $3::bigint AND attempts = $4::integer",
        {std::to_string(delay), error, std::to_string(lease.id), std::to_string(lease.token)}));
  }
  return DeadLetter(**c, group, m, error);
}

Status PgQueue::Release(const Message& m) {
  const auto lease = leased_queue::ParseHandle(m.handle);
  auto c = pool_.Acquire();
  if (!c.ok()) return c.status();
  return Check((*c)->Exec(
      "UPDATE queue_deliveries SET leased_until = '-infinity', attempts = greatest(attempts - 1, 0) "
      "WHERE id = $1::bigint AND attempts = $2::integer AND leased_until > now()",
      {std::to_string(lease.id), std::to_string(lease.token)}));
}

}  // namespace arca::postgres
