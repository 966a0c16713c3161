// How many sender threads a pace needs: the one rule, used by the service's
// configuration and by OutboxSender when SenderOptions::threads is unset.
#pragma once

namespace sportello {

// Enough sender threads for `calls_per_sec` when each call takes up to
// 300 ms (Meta answers in 100-300 ms, Telegram faster): rate x 0.3 s, in
// multiples of 8, from 8 to 1024. At the default rates (25 + 70) that is 32;
// with WhatsApp at 1,000/s, 312. Each thread waits on one HTTP call, so a
// crash leaves at most this many notices in doubt.
int SenderThreadsFor(double calls_per_sec);

}  // namespace sportello
