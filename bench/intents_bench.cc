// intents_bench: start-up time, memory and per-message latency of the intent
// engine (normalise + rules + model + language + entities), on one core.
//
//   intents_bench [--data DIR] [--seconds S]
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "intents/engine.h"
#include "intents/entities.h"
#include "intents/language.h"
#include "intents/model.h"
#include "intents/normalize.h"
#include "intents/rules.h"

namespace si = sportello::intents;
using Clock = std::chrono::steady_clock;

// On a shared 2-core VM other processes steal the CPU: latency is measured in
// this thread's CPU time, which only counts while it runs.
struct ThreadCpuClock {
  using duration = std::chrono::nanoseconds;
  using time_point = std::chrono::time_point<ThreadCpuClock>;
  static time_point now() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return time_point(
        duration(int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec));
  }
};

namespace {

// Typical messages: short, informal, a few with entities or negation.
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
    "passami un operatore",
    "cancellate i miei dati",
    "che dati avete su di me?",
    "dove siete? a che ora aprite?",
    "come funziona garanzia giovani?",
    "ok",
    "no grazie",
    "sì 👍",
    "che tempo fa domani?",
    "looking for a job as a waiter in Milan",
    "non cerco lavoro, voglio un appuntamento",
    "mi aiuti? non so da dove iniziare",
    "aggiorna il mio numero di telefono",
};

long RssKb(const char* field) {
  std::ifstream status("/proc/self/status");
  std::string line;
  const size_t n = std::strlen(field);
  while (std::getline(status, line)) {
    if (line.compare(0, n, field) == 0) return std::atol(line.c_str() + n + 1);
  }
  return -1;
}

double Millis(Clock::duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

// Runs `fn` over all messages until `seconds` pass; returns ns per message.
template <typename Fn>
double NanosPerMessage(double seconds, Fn&& fn) {
  const int n = static_cast<int>(std::size(kMessages));
  for (int i = 0; i < n * 50; ++i)
    fn(kMessages[i % n]);  // warm caches and the DFA
  long calls = 0;
  const auto start = ThreadCpuClock::now();
  const auto until =
      start + std::chrono::nanoseconds(static_cast<int64_t>(seconds * 1e9));
  ThreadCpuClock::time_point now;
  do {
    for (int i = 0; i < n; ++i) fn(kMessages[i]);
    calls += n;
    now = ThreadCpuClock::now();
  } while (now < until);
  return static_cast<double>((now - start).count()) / calls;
}

// The fastest of `runs` timings of fn(), in CPU milliseconds.
template <typename Fn>
double BestMillis(int runs, Fn&& fn) {
  double best = 1e30;
  for (int i = 0; i < runs; ++i) {
    const auto start = ThreadCpuClock::now();
    fn();
    best = std::min(best, (ThreadCpuClock::now() - start).count() / 1e6);
  }
  return best;
}

// Varied input grows the rules' lazily built DFA: the training set and
// random bytes. Returns how many messages it analysed.
size_t AnalyzeVariedInput(const si::Engine& engine, const std::string& dir,
                          std::chrono::year_month_day today) {
  std::vector<std::string> varied;
  std::ifstream train(dir + "/train.tsv");
  for (std::string line; std::getline(train, line);) {
    varied.push_back(line.substr(0, line.find('\t')));
  }
  uint64_t seed = 1;
  for (int i = 0; i < 20000; ++i) {
    std::string s(20 + i % 200, ' ');
    for (char& c : s) {
      seed = seed * 6364136223846793005ULL + 1;
      c = static_cast<char>(seed >> 56);
    }
    varied.push_back(std::move(s));
  }
  size_t total = 0;
  for (const std::string& text : varied) {
    total += engine.Analyze(text, today).intent.size();
  }
  return total > 0 ? varied.size() : 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string dir = si::DefaultDataDir();
  double seconds = 1.0;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--data") == 0 && i + 1 < argc) {
      dir = argv[++i];
    } else if (std::strcmp(argv[i], "--seconds") == 0 && i + 1 < argc) {
      seconds = std::atof(argv[++i]);
    } else {
      std::fprintf(stderr, "usage: intents_bench [--data DIR] [--seconds S]\n");
      return 2;
    }
  }
  const std::chrono::year_month_day today{
      std::chrono::year(2026), std::chrono::month(11), std::chrono::day(20)};

  // 1. One engine in a process that has loaded nothing else.
  const long rss_before = RssKb("VmRSS:");
  const auto start = Clock::now();
  auto engine = si::Engine::Load(dir);
  const double load_ms = Millis(Clock::now() - start);
  if (!engine.ok()) {
    std::fprintf(stderr, "intents_bench: %s\n",
                 engine.status().ToString().c_str());
    return 1;
  }
  const long rss_after = RssKb("VmRSS:");
  std::printf("start-up: Engine::Load %.1f ms wall (first load)\n", load_ms);
  std::printf("memory: RSS %.1f MB after load (+%.1f MB for the engine)\n",
              rss_after / 1024.0, (rss_after - rss_before) / 1024.0);
  const size_t varied = AnalyzeVariedInput(**engine, dir, today);
  std::printf("memory: RSS %.1f MB after %zu varied messages\n",
              RssKb("VmRSS:") / 1024.0, varied);

  // 2. Latency, whole and by part.
  auto rules = si::RuleSet::LoadDir(dir);
  auto model = si::LinearModel::LoadFile(dir + "/model.tsv");
  auto entities = si::EntityExtractor::Load(dir);
  if (!rules.ok() || !model.ok() || !entities.ok()) return 1;
  volatile size_t sink = 0;
  const double full = NanosPerMessage(seconds, [&](const char* m) {
    sink = sink + (*engine)->Analyze(m, today, 2).intent.size();
  });
  const double normalize = NanosPerMessage(seconds / 4, [&](const char* m) {
    sink = sink + si::NormalizeDetailed(m).text.size();
  });
  const double rules_ns = NanosPerMessage(seconds / 4, [&](const char* m) {
    const si::NormalizedText n = si::NormalizeDetailed(m);
    sink = sink + (*rules)->Apply(n).size();
  });
  const double model_ns = NanosPerMessage(seconds / 4, [&](const char* m) {
    sink = sink + static_cast<size_t>(model->Predict(si::Normalize(m))[0] * 10);
  });
  const double language_ns = NanosPerMessage(seconds / 4, [&](const char* m) {
    sink = sink + si::DetectLanguage(m).size();
  });
  const double entities_ns = NanosPerMessage(seconds / 4, [&](const char* m) {
    sink = sink + (*entities)->Extract(m, today).city.has_value();
  });
  std::printf("CPU time per message (%zu typical messages, one thread):\n",
              std::size(kMessages));
  std::printf("  full Analyze      %7.2f us\n", full / 1000);
  std::printf("  normalise         %7.2f us\n", normalize / 1000);
  std::printf("  normalise+rules   %7.2f us\n", rules_ns / 1000);
  std::printf("  normalise+model   %7.2f us\n", model_ns / 1000);
  std::printf("  language          %7.2f us\n", language_ns / 1000);
  std::printf("  entities          %7.2f us\n", entities_ns / 1000);

  // 3. Start-up again, best of five in CPU time (immune to other processes).
  const double load_cpu_ms =
      BestMillis(5, [&] { (void)si::Engine::Load(dir); });
  const double rules_ms =
      BestMillis(5, [&] { (void)si::RuleSet::LoadDir(dir); });
  const double model_ms = BestMillis(
      5, [&] { (void)si::LinearModel::LoadFile(dir + "/model.tsv"); });
  const double entities_ms =
      BestMillis(5, [&] { (void)si::EntityExtractor::Load(dir); });
  std::printf(
      "start-up: Engine::Load best of 5: %.1f ms CPU (rules %.1f, model %.1f, "
      "entities %.1f; %zu rules, %zu model features)\n",
      load_cpu_ms, rules_ms, model_ms, entities_ms, (*rules)->rules().size(),
      model->feature_count());
  return 0;
}
