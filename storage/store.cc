#include "storage/store.h"

#include <algorithm>
#include <string>
#include <string_view>
#include <thread>

#include "storage/migrations.h"

namespace sportello::storage {
namespace {

// How long YieldToUrgent sleeps before looking again.
constexpr int64_t kNapNs = 5'000'000;

int64_t SteadyNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

core::Result<std::unique_ptr<Store>> Store::Open(const std::string& path,
                                                 OpenOptions options) {
  options.read_only = false;
  auto db = Database::Open(path, options);
  if (!db.ok()) return db.status();
  if (auto s = Migrate(**db); !s.ok()) return s;
  std::vector<std::unique_ptr<Database>> urgent, beside;
  if ((*db)->is_postgres()) {
    for (int i = 0; i < kUrgentConnections + kBesideConnections; ++i) {
      auto more = Database::Open(path, options);
      if (!more.ok()) return more.status();
      (i < kUrgentConnections ? urgent : beside).push_back(std::move(*more));
    }
  }
  return std::unique_ptr<Store>(new Store(std::move(*db), std::move(urgent),
                                          std::move(beside), path, options));
}

Store::Connections::Connections(std::vector<std::unique_ptr<Database>> all)
    : all_(std::move(all)) {
  core::MutexLock lock(&mu_);
  for (const auto& db : all_) free_.push_back(db.get());
}

Database& Store::Connections::Take() {
  core::MutexLock lock(&mu_);
  cv_.Wait([&]() REQUIRES(mu_) { return !free_.empty(); });
  Database* db = free_.back();
  free_.pop_back();
  return *db;
}

void Store::Connections::Give(Database& db) {
  {
    core::MutexLock lock(&mu_);
    free_.push_back(&db);
  }
  cv_.Signal();
}

Store::Store(std::unique_ptr<Database> writer,
             std::vector<std::unique_ptr<Database>> urgent,
             std::vector<std::unique_ptr<Database>> beside, std::string path,
             OpenOptions options)
    : writer_(std::move(writer)),
      urgent_(std::move(urgent)),
      beside_(std::move(beside)),
      path_(std::move(path)),
      options_(options) {
  // SQLite's writes are all this process's, through writer_: the rows they
  // write tell whether the console's stream has news. A message's status
  // (an UPDATE) is not news to it. PostgreSQL's triggers say the same for
  // every process (migration 14).
  writer_->OnRowWritten([this](std::string_view table, bool inserted) {
    if (table == "conversations" || (inserted && table == "messages")) {
      console_rows_written_ = true;
    }
  });
}

core::Status Store::WriteOn(Connections& pool,
                            const std::function<core::Status(Database&)>& fn,
                            Lock lock, bool deferred) {
  Database& db = pool.Take();
  core::Status status;
  {
    Transaction txn(db);
    status = txn.status();
    const std::string begin = BeginSql(lock, deferred);
    if (status.ok() && !begin.empty()) status = db.Exec(begin);
    if (status.ok()) status = fn(db);
    if (status.ok()) status = txn.Commit();
  }  // rolled back here unless committed
  pool.Give(db);
  return status;
}

core::Status Store::WriteBeside(
    const std::function<core::Status(Database&)>& fn, Durability durability) {
  if (beside_.empty()) return Write(fn, Priority::kNormal, durability);
  return WriteOn(beside_, fn, Lock::kShared,
                 durability == Durability::kDeferred);
}

core::Status Store::Write(const std::function<core::Status(Database&)>& fn,
                          Priority priority, Durability durability) {
  const bool urgent = priority == Priority::kUrgent;
  if (urgent) urgent_active_.fetch_add(1, std::memory_order_relaxed);
  if (urgent && !urgent_.empty()) {
    auto status =
        WriteOn(urgent_, fn, Lock::kNone, durability == Durability::kDeferred);
    urgent_done_ns_.store(SteadyNanos(), std::memory_order_relaxed);
    urgent_active_.fetch_sub(1, std::memory_order_relaxed);
    return status;
  }
  {
    core::MutexLock lock(&write_mu_);
    if (urgent) ++urgent_waiting_;
    write_cv_.Wait([&]() REQUIRES(write_mu_) {
      return !busy_ && (urgent || urgent_waiting_ == 0);
    });
    if (urgent) --urgent_waiting_;
    busy_ = true;
  }
  core::Status status;
  // The mode is the connection's: set for this transaction, outside it (a
  // PRAGMA, no I/O). Only a store opened at FULL has anything to defer.
  const bool deferred =
      durability == Durability::kDeferred && options_.synchronous_full;
  const bool postgres = writer_->is_postgres();
  if (!postgres && deferred != writer_deferred_) {
    status = writer_->Exec(deferred ? "PRAGMA synchronous=NORMAL"
                                    : "PRAGMA synchronous=FULL");
    if (status.ok()) writer_deferred_ = deferred;
  }
  console_rows_written_ = false;
  if (status.ok()) {
    Transaction txn(*writer_);
    status = txn.status();
    // (On PostgreSQL an urgent write never comes here: it has connections
    // of its own.)
    if (status.ok() && postgres)
      status = writer_->Exec(BeginSql(Lock::kExclusive, deferred));
    if (status.ok()) status = fn(*writer_);
    if (status.ok()) status = txn.Commit();
  }  // rolled back here unless committed
  // After the commit, so that a woken stream reads what was written.
  if (status.ok() && console_rows_written_) console_changes_.Notify();
  {
    core::MutexLock lock(&write_mu_);
    busy_ = false;
  }
  write_cv_.SignalAll();
  if (urgent) {
    urgent_done_ns_.store(SteadyNanos(), std::memory_order_relaxed);
    urgent_active_.fetch_sub(1, std::memory_order_relaxed);
  }
  return status;
}

// On PostgreSQL the transaction's settings and locks. A normal write takes
// the database-wide writer lock (an advisory lock released at commit), so
// that writers of every process run one at a time, as they do on SQLite: the
// repositories' read-then-write steps (a slot still free, an update not yet
// processed, a row not yet claimed) stay true until commit. WriteBeside's
// writes take it shared: they lock what they share with each other
// themselves. Urgent writes only append rows whose unique keys keep them
// exact, and take none. A writer holding the lock also takes its
// transaction id at once, before it numbers any message: the console's
// stream tells from the ids running whether a message can still appear
// below one it has seen (storage/console_views.h). All in one command,
// which goes with the BEGIN: one round trip.
std::string Store::BeginSql(Lock lock, bool deferred) {
  std::string sql;
  if (deferred) sql = "SET LOCAL synchronous_commit = off";
  if (lock == Lock::kNone) return sql;
  if (!sql.empty()) sql += ";\n";
  return sql +
         (lock == Lock::kShared ? "SELECT pg_advisory_xact_lock_shared("
                                : "SELECT pg_advisory_xact_lock(") +
         std::to_string(kWriterLockKey) + "), pg_current_xact_id()";
}

void Store::YieldToUrgent(std::chrono::microseconds quiet,
                          std::chrono::milliseconds max_wait) const {
  const int64_t deadline =
      SteadyNanos() +
      std::chrono::duration_cast<std::chrono::nanoseconds>(max_wait).count();
  const int64_t quiet_ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(quiet).count();
  for (;;) {
    const int64_t now = SteadyNanos();
    if (now >= deadline) return;
    const int64_t since = now - urgent_done_ns_.load(std::memory_order_relaxed);
    const bool active = urgent_active_.load(std::memory_order_relaxed) > 0;
    if (!active && since >= quiet_ns) return;
    // Polling, so that nothing on the urgent path pays for waking us, in
    // long naps: under a burst each poll is a context switch taken from the
    // threads answering requests (short naps cost a fifth of the
    // throughput, measured with bench/run).
    const int64_t nap = std::min(kNapNs, deadline - now);
    std::this_thread::sleep_for(std::chrono::nanoseconds(nap));
  }
}

bool Store::UrgentWithin(std::chrono::milliseconds window) const {
  if (urgent_active_.load(std::memory_order_relaxed) > 0) return true;
  const int64_t since =
      SteadyNanos() - urgent_done_ns_.load(std::memory_order_relaxed);
  return since <
         std::chrono::duration_cast<std::chrono::nanoseconds>(window).count();
}

core::Status Store::CheckHealth() {
  core::MutexLock lock(&health_mu_);
  if (health_ == nullptr) {
    auto db = OpenReader();
    if (!db.ok()) return db.status();
    health_ = std::move(*db);
  }
  // A read of the file itself on SQLite (a bare SELECT 1 touches no page);
  // on PostgreSQL a standby answers reads but takes no commits.
  Statement st = health_->Prepare(health_->is_postgres()
                                      ? "SELECT pg_is_in_recovery()"
                                      : "SELECT count(*) FROM sqlite_schema");
  const bool row = st.Step();
  if (!st.status().ok()) return st.status();
  if (!row) return core::Status::Internal("health check: no row");
  if (health_->is_postgres() && st.Int(0) != 0)
    return core::Status::Unavailable("PostgreSQL is read-only (in recovery)");
  return core::Status::Ok();
}

core::Result<std::unique_ptr<Database>> Store::OpenReader() const {
  OpenOptions o = options_;
  o.read_only = true;
  return Database::Open(path_, o);
}

bool Store::is_postgres() const { return writer_->is_postgres(); }

}  // namespace sportello::storage
