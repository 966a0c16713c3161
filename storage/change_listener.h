// The console's news from every process on one PostgreSQL database: one
// connection per process that LISTENs on the channel the schema's triggers
// notify (migration 14: a message added, a conversation added or changed,
// told at commit), and a thread that notifies a core::ChangeSignal for each
// notification. Every console stream of the process waits on that signal
// (bot/web/console_stream.cc) and then reads what changed from its cursor:
// notifications carry nothing and are not replayed, the cursor is what
// makes a stream complete.
//
//   auto listener = ChangeListener::Start(uri, store->console_changes());
//   ...                   // streams wake at each commit, in any process
//   listener.reset();     // stops the thread, within about 250 ms
//
// When the connection breaks (the server restarts, the network fails) the
// thread connects again every second, LISTENs again, and notifies the
// signal once it is back: what was committed meanwhile was not told.
// SQLite needs none of this: its one process tells its streams itself
// (storage::Store::console_changes()).
#pragma once

#include <memory>
#include <string>
#include <thread>

#include "bot/core/change_signal.h"
#include "bot/core/mutex.h"

namespace sportello::storage {

class ChangeListener {
 public:
  // Starts the thread, which connects to `uri` (a PostgreSQL URI) on its
  // own: a server that is down now is waited for, not an error. `signal`
  // must outlive the listener.
  static std::unique_ptr<ChangeListener> Start(std::string uri,
                                               core::ChangeSignal& signal);
  // Stops the thread and closes the connection.
  ~ChangeListener();
  ChangeListener(const ChangeListener&) = delete;
  ChangeListener& operator=(const ChangeListener&) = delete;

  // How many times the thread has (re)started listening: 1 once the first
  // connection listens, one more after each reconnection, each counted
  // after the signal was notified for it. For tests. Thread-safe.
  int sessions() const;

 private:
  ChangeListener(std::string uri, core::ChangeSignal& signal);
  void Run();
  // Sleeps `ms`, or less if the listener is stopping; false if stopping.
  bool Nap(int ms);

  const std::string uri_;
  core::ChangeSignal& signal_;
  mutable core::Mutex mu_;
  core::CondVar stop_cv_{&mu_};
  bool stopping_ GUARDED_BY(mu_) = false;
  int sessions_ GUARDED_BY(mu_) = 0;
  std::thread thread_;  // last: started once the rest is set
};

}  // namespace sportello::storage
