// Background threads (processing, sending) run at a lower CPU priority than
// the threads that acknowledge webhooks: when both are runnable, the
// acknowledgement goes first, and the background work takes the idle time.
// Nothing is starved: under Linux's fair scheduler a niced thread still gets
// a share of a busy CPU.
#pragma once

namespace sportello::core {

// Lowers the calling thread's priority (nice +10). Best effort: if the
// system refuses, the thread simply runs at the normal priority.
void MarkThisThreadBackground();

}  // namespace sportello::core
