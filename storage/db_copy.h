// Moving a centre from SQLite to PostgreSQL: `sportello db copy` copies
// every row of a SQLite database into an empty PostgreSQL database, keeping
// ids, in one PostgreSQL transaction, so the target ends up with all of it
// or none of it.
//
//   auto report = CopySqliteToPostgres("sportello.db", "postgresql://...");
//   if (!report.ok()) { ... report.status().message() ... }  // no password
//   for (const auto& t : report->tables) ... t.table, t.source_rows ...
//
// What it does, in order:
//  - takes the source's serve lock (serve_lock.h), so no `serve` runs on
//    the file meanwhile, and refuses if one already does;
//  - reads the source in one read transaction: a consistent snapshot even
//    if a maintenance command writes beside it;
//  - refuses a target that is not empty: our schema (schema_version) or any
//    of the source's tables already there;
//  - creates the target's schema at the source's version (migrations.h),
//    dropping the rows the migrations seed (the source has its own);
//  - copies the tables the source has (virtual tables and their shadow
//    tables, such as the FTS5 index, are left: PostgreSQL derives its own),
//    parents before children along the target's foreign keys, many rows per
//    INSERT, values as text (NULL stays NULL); generated columns are left to
//    PostgreSQL, and a source column the target lacks is an error;
//  - moves every identity sequence past the largest id copied;
//  - compares each table's row count on both sides, then commits.
//
// The source is only read. Errors (kInvalidArgument for a wrong source or
// target, kAlreadyExists for a served source or a non-empty target,
// kUnavailable for an unreachable target, kInternal otherwise) never show
// the target's password.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "bot/core/status.h"

namespace sportello::storage {

struct TableCopy {
  std::string table;
  int64_t source_rows = 0;
  int64_t target_rows = 0;  // counted in the target before commit
};

struct CopyReport {
  int schema_version = 0;
  std::vector<TableCopy> tables;         // in the order copied
  int64_t rows = 0;                      // all tables together
  std::chrono::milliseconds elapsed{0};  // all of it, connecting included
  // Copying rows, verifying them and moving sequences, from the schema's
  // creation to the commit: what the rows per second are measured on.
  std::chrono::milliseconds copy_elapsed{0};
};

struct CopyOptions {
  // Rows per INSERT (fewer for wide tables: PostgreSQL takes at most 65535
  // parameters per statement).
  int batch_rows = 500;
};

// Copies the SQLite database at `sqlite_path` into the PostgreSQL database
// at `postgres_uri`. REQUIRES: the source is at this build's schema version
// (`sportello migrate` brings it there; an older or newer one is refused,
// so the copy never changes the source).
core::Result<CopyReport> CopySqliteToPostgres(const std::string& sqlite_path,
                                              const std::string& postgres_uri,
                                              CopyOptions options = {});

}  // namespace sportello::storage
