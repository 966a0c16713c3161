#include "storage/store.h"

#include "storage/migrations.h"

namespace sportello::storage {

core::Result<std::unique_ptr<Store>> Store::Open(const std::string& path,
                                                 OpenOptions options) {
  auto db = Database::Open(path, options);
  if (!db.ok()) return db.status();
  if (auto s = Migrate(**db); !s.ok()) return s;
  return std::unique_ptr<Store>(new Store(std::move(*db), path, options));
}

Store::Store(std::unique_ptr<Database> writer, std::string path,
             OpenOptions options)
    : writer_(std::move(writer)), path_(std::move(path)), options_(options) {}

core::Status Store::Write(const std::function<core::Status(Database&)>& fn,
                          Priority priority) {
  const bool urgent = priority == Priority::kUrgent;
  {
    std::unique_lock<std::mutex> lock(write_mu_);
    if (urgent) ++urgent_waiting_;
    write_cv_.wait(lock,
                   [&] { return !busy_ && (urgent || urgent_waiting_ == 0); });
    if (urgent) --urgent_waiting_;
    busy_ = true;
  }
  core::Status status;
  {
    Transaction txn(*writer_);
    status = txn.status();
    if (status.ok()) status = fn(*writer_);
    if (status.ok()) status = txn.Commit();
  }  // rolled back here unless committed
  {
    std::lock_guard<std::mutex> lock(write_mu_);
    busy_ = false;
  }
  write_cv_.notify_all();
  return status;
}

core::Result<std::unique_ptr<Database>> Store::OpenReader() const {
  OpenOptions o = options_;
  o.read_only = true;
  return Database::Open(path_, o);
}

}  // namespace sportello::storage
