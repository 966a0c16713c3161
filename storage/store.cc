#include "storage/store.h"

#include "storage/migrations.h"

namespace sportello::storage {

core::Result<std::unique_ptr<Store>> Store::Open(const std::string& path, OpenOptions options) {
  auto db = Database::Open(path, options);
  if (!db.ok()) return db.status();
  if (auto s = Migrate(**db); !s.ok()) return s;
  return std::unique_ptr<Store>(new Store(std::move(*db), path, options));
}

Store::Store(std::unique_ptr<Database> writer, std::string path, OpenOptions options)
    : writer_(std::move(writer)), path_(std::move(path)), options_(options) {}

core::Status Store::Write(const std::function<core::Status(Database&)>& fn) {
  std::lock_guard<std::mutex> lock(write_mu_);
  Transaction txn(*writer_);
  if (!txn.status().ok()) return txn.status();
  if (auto s = fn(*writer_); !s.ok()) return s;
  return txn.Commit();
}

core::Result<std::unique_ptr<Database>> Store::OpenReader() const {
  OpenOptions o = options_;
  o.read_only = true;
  return Database::Open(path_, o);
}

}  // namespace sportello::storage
