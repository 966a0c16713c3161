// The database as the service uses it: one writer connection behind a mutex
// (SQLite has one writer at a time; queueing in-process beats its sleeping
// busy handler), and reader connections for threads that only read.
//
// On PostgreSQL several processes may share the database: their normal
// writes run one at a time (a database-wide advisory lock held to commit),
// like SQLite's; urgent writes run beside them, and writes that keep to
// rows of their own (processing a conversation) beside each other.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "bot/core/change_signal.h"
#include "bot/core/mutex.h"
#include "bot/core/status.h"
#include "storage/database.h"

namespace sportello::storage {

class Store {
 public:
  // Opens `path` (a SQLite file or a PostgreSQL URI, see Database::Open),
  // applying pending migrations.
  static core::Result<std::unique_ptr<Store>> Open(const std::string& path,
                                                   OpenOptions options = {});

  // Who waits for the write lock first. Acknowledging webhooks (ingest) is
  // kUrgent: a platform is waiting on the answer, while processing and
  // sending can lag a little without anyone noticing.
  // REQUIRES for kUrgent: the write only inserts rows whose unique keys make
  // a repeat a no-op (ON CONFLICT DO NOTHING): on PostgreSQL it does not wait
  // for other processes' writers.
  enum class Priority { kNormal, kUrgent };

  // When a commit reaches the disk. kFlush: before Write returns (fsync,
  // synchronous=FULL). kDeferred: with the next kFlush commit on this store
  // (the WAL is one sequential file, so its fsync carries every commit before
  // it); a power cut before then rolls it back whole. For work that can be
  // redone from what is flushed, and whose effects only leave the process
  // through a later kFlush commit: processing an update writes replies to the
  // outbox, and the sender flushes its claim before sending them.
  enum class Durability { kFlush, kDeferred };

  // Runs `fn` in a write transaction (BEGIN IMMEDIATE) while holding the
  // write lock; commits when fn returns OK, rolls back otherwise. Returns
  // fn's status or the commit's. Thread-safe. An urgent writer goes before
  // every normal writer waiting.
  core::Status Write(const std::function<core::Status(Database&)>& fn,
                     Priority priority = Priority::kNormal,
                     Durability durability = Durability::kFlush);

  // Like Write at kNormal, for writes that may run beside one another. On
  // PostgreSQL each runs on a connection of its own (kBesideConnections in
  // this process) holding the writer lock shared: it waits for the normal
  // writes of every process, and they for it, but such writes of every
  // process run at once, their round trips to the server overlapped. On
  // SQLite (one writer per file) it is Write. Thread-safe.
  // REQUIRES: what fn reads and then writes, no concurrent WriteBeside
  // writes, or fn locks it first (SELECT ... FOR UPDATE, a conditional
  // UPDATE). Processing keeps to one conversation's rows (its inbox shard is
  // claimed by one connection at a time) and locks what conversations share.
  core::Status WriteBeside(const std::function<core::Status(Database&)>& fn,
                           Durability durability = Durability::kFlush);

  // For background writers (processing, sending), called before they start
  // a batch: returns once no urgent write is running or waiting and none
  // finished within `quiet`, or after `max_wait` at the latest (so background
  // work still advances under sustained load). During a burst of webhooks
  // this leaves the CPU and the write lock to acknowledgements; the backlog
  // is worked off when the burst ends. Thread-safe.
  void YieldToUrgent(std::chrono::microseconds quiet,
                     std::chrono::milliseconds max_wait) const;

  // True while an urgent write waits for (or holds) the write lock. A
  // background writer inside Write checks it between units of work and
  // commits early, so an acknowledgement waits for one unit, not a batch.
  bool UrgentWaiting() const {
    return urgent_.empty() &&
           urgent_active_.load(std::memory_order_relaxed) > 0;
  }

  // True while an urgent write runs or waits, or one finished within
  // `window`: acknowledgements are flowing. Thread-safe.
  bool UrgentWithin(std::chrono::milliseconds window) const;

  // How many urgent writes can run at once: 1 on SQLite (one writer per
  // file), more on PostgreSQL, where each has a connection of its own and
  // their commits wait for the disk together. A caller with more work than
  // one transaction holds (ingest) runs this many writers.
  int UrgentWriters() const { return urgent_.empty() ? 1 : urgent_.size(); }

  // A new connection for one thread's reads.
  core::Result<std::unique_ptr<Database>> OpenReader() const;

  // What a health check asks, every fraction of a second: OK when the
  // database answers a read on a connection of the check's own (opened on
  // first use, reopened by itself after a loss), and on PostgreSQL when the
  // server takes writes (not a standby in recovery). It waits for no writer,
  // in this process or another: a long write (a broadcast's fan-out) must
  // not make a load balancer take the process out. Thread-safe.
  core::Status CheckHealth();

  // Notified when what the console's live stream shows may have changed: a
  // message added, a conversation added or changed (the stream then looks
  // for itself, storage/console_views.h). On SQLite the store notifies it
  // after committing such a write (one process per file writes it all); on
  // PostgreSQL a ChangeListener (storage/change_listener.h) does, for the
  // commits of every process. Thread-safe.
  core::ChangeSignal& console_changes() { return console_changes_; }

  // The SQLite file or PostgreSQL URI (with its password: never log it).
  const std::string& path() const { return path_; }
  bool is_postgres() const;

 private:
  // Any constant, the same in every process: the advisory lock's key.
  static constexpr int64_t kWriterLockKey = 0x5350'4f52'5445'4c4c;  // SPORTELL
  // PostgreSQL only: connections of one kind (none on SQLite), each in use
  // by one transaction at a time. Thread-safe.
  class Connections {
   public:
    explicit Connections(std::vector<std::unique_ptr<Database>> all);
    bool empty() const { return all_.empty(); }
    int size() const { return static_cast<int>(all_.size()); }
    Database& Take();  // waits until one is free
    void Give(Database& db);

   private:
    const std::vector<std::unique_ptr<Database>> all_;
    core::Mutex mu_;
    core::CondVar cv_{&mu_};
    std::vector<Database*> free_ GUARDED_BY(mu_);
  };
  enum class Lock { kNone, kShared, kExclusive };  // of the writer lock
  static std::string BeginSql(Lock lock, bool deferred);
  Store(std::unique_ptr<Database> writer,
        std::vector<std::unique_ptr<Database>> urgent,
        std::vector<std::unique_ptr<Database>> beside, std::string path,
        OpenOptions options);
  // One transaction on a connection of `pool`.
  core::Status WriteOn(Connections& pool,
                       const std::function<core::Status(Database&)>& fn,
                       Lock lock, bool deferred);
  core::Mutex write_mu_;
  core::CondVar write_cv_{&write_mu_};
  // A write transaction is running on writer_.
  bool busy_ GUARDED_BY(write_mu_) = false;
  // Urgent writers waiting for busy_ to clear.
  int urgent_waiting_ GUARDED_BY(write_mu_) = 0;
  // Urgent writes begun and not finished, and when the last one finished
  // (steady clock, ns): lock-free, read by YieldToUrgent's polling. Before
  // the first one, "long ago": the steady clock starts near 0 at boot, so a
  // 0 here would read as an urgent write a moment ago on a fresh machine.
  static constexpr int64_t kNeverNs = std::numeric_limits<int64_t>::min() / 2;
  std::atomic<int> urgent_active_{0};
  std::atomic<int64_t> urgent_done_ns_{kNeverNs};
  std::unique_ptr<Database> writer_;
  // Urgent writes take no writer lock, so they need not wait for a normal
  // write's transaction nor for each other (on SQLite the file has one
  // writer whatever the connections).
  static constexpr int kUrgentConnections = 3;
  Connections urgent_;
  // WriteBeside's: as many as processing has inbox shards, which it works
  // on side by side.
  static constexpr int kBesideConnections = 4;
  Connections beside_;
  core::Mutex health_mu_;
  std::unique_ptr<Database> health_ GUARDED_BY(health_mu_);  // CheckHealth's
  bool writer_deferred_ = false;  // writer_ is at synchronous=NORMAL (busy_)
  // The running write added a message or wrote a conversation (busy_).
  bool console_rows_written_ = false;
  core::ChangeSignal console_changes_;
  std::string path_;
  OpenOptions options_;
};

}  // namespace sportello::storage
