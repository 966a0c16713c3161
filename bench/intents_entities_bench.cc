// intents_entities_bench: load time, memory and per-message cost of the entity
// extractor alone (city, role, contract, date), on one core. Times are this
// thread's CPU time, so other processes on a busy machine do not inflate them.
//
//   intents_entities_bench [--data DIR] [--seconds S]
#include <time.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>

#include "intents/engine.h"
#include "intents/entities.h"

namespace si = sportello::intents;

// std::chrono-style clock over CLOCK_THREAD_CPUTIME_ID.
struct CpuClock {
  using duration = std::chrono::nanoseconds;
  using time_point = std::chrono::time_point<CpuClock, duration>;
  static time_point now() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return time_point(duration(ts.tv_sec * 1'000'000'000LL + ts.tv_nsec));
  }
};
using Clock = CpuClock;

namespace {

// Typical messages: most name nothing, some a city, a role, a date; a few
// with typos that take the slower approximate path.
const char* const kMessages[] = {
    "ciao raga cerco lavoro x l'estate a bari",
    "nn riesco a venire martedì, posso spostare?",
    "STOP NOTIFICHE",
    "hi, do you have internships?",
    "vorrei prenotare un colloquio con l'orientatore giovedì",
    "grazie mille!!",
    "cerco lavoro come cameriera a Molfetta part time",
    "quando è il mio appuntamento?",
    "ci sono eventi questa settimana?",
    "voglio iscrivermi al recruiting day del 3 dicembre",
    "non voglio più le notifiche",
    "cerco lavoro a molfeta come magaziniere",
    "dove siete? a che ora aprite?",
    "come funziona garanzia giovani?",
    "ok",
    "sì 👍",
    "looking for a job as a waiter in Milan",
    "offerte di lavoro a tempo pieno in provincia di Lecce",
    "posso venire il 3/12 alle 10?",
    "sono di San Severo, cerco stage da sviluppatore",
};

long StatusKb(const char* field) {
  std::ifstream status("/proc/self/status");
  std::string line;
  const size_t n = std::strlen(field);
  while (std::getline(status, line)) {
    if (line.compare(0, n, field) == 0) return std::atol(line.c_str() + n + 1);
  }
  return -1;
}

}  // namespace

int main(int argc, char** argv) {
  std::string data_dir = si::DefaultDataDir();
  double seconds = 2.0;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--data") == 0) data_dir = argv[i + 1];
    if (std::strcmp(argv[i], "--seconds") == 0) {
      seconds = std::atof(argv[i + 1]);
    }
  }
  const long rss_before = StatusKb("VmRSS:");
  const auto load_start = Clock::now();
  auto extractor = si::EntityExtractor::Load(data_dir);
  const auto load_end = Clock::now();
  if (!extractor.ok()) {
    std::fprintf(stderr, "load: %s\n", extractor.status().ToString().c_str());
    return 1;
  }
  const long rss_after = StatusKb("VmRSS:");
  std::printf(
      "load: %.1f ms, memory: +%ld kB RSS\n",
      std::chrono::duration<double, std::milli>(load_end - load_start).count(),
      rss_after - rss_before);

  using std::chrono::day, std::chrono::month, std::chrono::year;
  const std::chrono::year_month_day today{year{2026}, month{11}, day{18}};
  constexpr size_t kCount = sizeof kMessages / sizeof kMessages[0];
  size_t found = 0;  // keeps the work observable
  // Per message, then the mix.
  for (const char* message : kMessages) {
    const auto start = Clock::now();
    int runs = 0;
    while (runs < 20000) {
      const si::Entities e = (*extractor)->Extract(message, today);
      found += e.city.has_value() + e.role.has_value() + e.date.has_value();
      ++runs;
    }
    const double ns =
        std::chrono::duration<double, std::nano>(Clock::now() - start).count();
    std::printf("%8.0f ns  %s\n", ns / runs, message);
  }
  const auto start = Clock::now();
  const auto deadline = start + std::chrono::duration<double>(seconds);
  long runs = 0;
  while (Clock::now() < deadline) {
    for (const char* message : kMessages) {
      const si::Entities e = (*extractor)->Extract(message, today);
      found += e.city.has_value() + e.contract.has_value();
    }
    runs += kCount;
  }
  const double ns =
      std::chrono::duration<double, std::nano>(Clock::now() - start).count();
  std::printf(
      "mix: %.0f ns per Extract over %ld messages (%zu entities seen)\n",
      ns / runs, runs, found);
  return 0;
}
