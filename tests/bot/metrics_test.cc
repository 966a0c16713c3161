// GET /metrics: counters, the processing-latency histogram and gauges in the
// Prometheus text exposition format.
#include "bot/core/metrics.h"

#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace sportello {
namespace {

bool Has(const std::string& text, const std::string& line) {
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) {
    if (l == line) return true;
  }
  return false;
}

// The value of the sample line that starts with `series` + " ".
std::string Sample(const std::string& text, const std::string& series) {
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) {
    if (l.rfind(series + " ", 0) == 0) return l.substr(series.size() + 1);
  }
  return "<missing>";
}

constexpr const char* kHist = "sportello_processing_seconds";

TEST_CASE("a counter with labels renders with its HELP and TYPE lines") {
  Metrics m;
  m.Inc("sportello_updates_received_total", {{"channel", "telegram"}});
  m.Inc("sportello_updates_received_total", {{"channel", "telegram"}});
  m.Inc("sportello_updates_received_total", {{"channel", "whatsapp"}}, 5);

  const std::string text = m.Render();
  CAPTURE(text);
  CHECK(text.find("# HELP sportello_updates_received_total ") !=
        std::string::npos);
  CHECK(Has(text, "# TYPE sportello_updates_received_total counter"));
  CHECK(Has(text, "sportello_updates_received_total{channel=\"telegram\"} 2"));
  CHECK(Has(text, "sportello_updates_received_total{channel=\"whatsapp\"} 5"));
  CHECK(text.back() == '\n');
}

TEST_CASE("a counter is kept per label set") {
  Metrics m;
  const Metrics::Labels tg_bad = {{"channel", "telegram"},
                                  {"reason", "bad_secret"}};
  const Metrics::Labels tg_json = {{"channel", "telegram"},
                                   {"reason", "not_json"}};
  m.Inc("sportello_updates_rejected_total", tg_bad);
  m.Inc("sportello_updates_rejected_total", tg_bad);
  m.Inc("sportello_updates_rejected_total", tg_json, 3);
  CHECK(m.Get("sportello_updates_rejected_total", tg_bad) == 2);
  CHECK(m.Get("sportello_updates_rejected_total", tg_json) == 3);
  CHECK(m.Get("sportello_updates_rejected_total", {{"channel", "whatsapp"}}) ==
        0);
  CHECK(m.Get("sportello_never_counted_total", {}) == 0);
  CHECK(Has(m.Render(),
            "sportello_updates_rejected_total{channel=\"telegram\",reason="
            "\"bad_secret\"} 2"));
}

TEST_CASE("a counter without labels renders a bare sample") {
  Metrics m;
  m.Inc("sportello_processing_errors_total", {});
  CHECK(Has(m.Render(), "sportello_processing_errors_total 1"));
}

TEST_CASE("label values are escaped") {
  Metrics m;
  m.Inc("sportello_updates_rejected_total",
        {{"reason", "say \"hi\"\\now\nnext"}});
  CHECK(Has(m.Render(),
            "sportello_updates_rejected_total{reason=\"say "
            "\\\"hi\\\"\\\\now\\nnext\"} 1"));
}

TEST_CASE("the documented counters are described before they count") {
  const std::string text = Metrics().Render();
  for (const char* name :
       {"sportello_updates_received_total", "sportello_updates_duplicate_total",
        "sportello_updates_rejected_total", "sportello_sends_total"}) {
    CAPTURE(name);
    CHECK(text.find(std::string("# HELP ") + name + " ") != std::string::npos);
    CHECK(Has(text, std::string("# TYPE ") + name + " counter"));
  }
}

TEST_CASE("a counter nobody documented still renders with its type") {
  Metrics m;
  m.Inc("sportello_custom_total", {{"k", "v"}}, 4);
  const std::string text = m.Render();
  CHECK(Has(text, "# TYPE sportello_custom_total counter"));
  CHECK(Has(text, "sportello_custom_total{k=\"v\"} 4"));
}

TEST_CASE("histogram buckets are cumulative and +Inf equals the count") {
  Metrics m;
  for (double s : {0.0005, 0.001, 0.003, 0.003, 0.2, 7.0})
    m.ObserveProcessingSeconds(s);

  const std::string text = m.Render();
  CAPTURE(text);
  CHECK(Has(text, std::string("# TYPE ") + kHist + " histogram"));
  const std::string b = std::string(kHist) + "_bucket{le=\"";
  CHECK(Sample(text, b + "0.001\"}") == "2");  // le is "less than or equal"
  CHECK(Sample(text, b + "0.0025\"}") == "2");
  CHECK(Sample(text, b + "0.005\"}") == "4");
  CHECK(Sample(text, b + "0.1\"}") == "4");
  CHECK(Sample(text, b + "0.25\"}") == "5");
  CHECK(Sample(text, b + "5\"}") == "5");
  CHECK(Sample(text, b + "+Inf\"}") == "6");
  CHECK(Sample(text, std::string(kHist) + "_count") == "6");
  CHECK(std::stod(Sample(text, std::string(kHist) + "_sum")) ==
        doctest::Approx(7.2075));
}

TEST_CASE("every histogram bucket is rendered in increasing order") {
  const std::string text = Metrics().Render();
  const std::string prefix = std::string(kHist) + "_bucket{le=\"";
  std::vector<double> bounds;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) {
    if (l.rfind(prefix, 0) != 0) continue;
    const std::string le =
        l.substr(prefix.size(), l.find('"', prefix.size()) - prefix.size());
    bounds.push_back(le == "+Inf" ? std::numeric_limits<double>::infinity()
                                  : std::stod(le));
    CHECK(l.substr(l.rfind(' ') + 1) == "0");
  }
  REQUIRE(bounds.size() == Metrics::kBuckets.size() + 1);
  for (size_t i = 1; i < bounds.size(); ++i) CHECK(bounds[i - 1] < bounds[i]);
}

TEST_CASE("the histogram sum keeps millisecond precision") {
  Metrics m;
  m.ObserveProcessingSeconds(1234.567);
  CHECK(Sample(m.Render(), std::string(kHist) + "_sum") == "1234.567");
}

TEST_CASE("a latency below zero from a clock step is counted as zero") {
  Metrics m;
  m.ObserveProcessingSeconds(0.5);
  m.ObserveProcessingSeconds(-0.25);
  const std::string text = m.Render();
  CHECK(Sample(text, std::string(kHist) + "_count") == "2");
  CHECK(Sample(text, std::string(kHist) + "_bucket{le=\"0.001\"}") == "1");
  CHECK(std::stod(Sample(text, std::string(kHist) + "_sum")) ==
        doctest::Approx(0.5));
}

TEST_CASE("gauges are read when the metrics are rendered") {
  Metrics m;
  double depth = 3;
  m.SetGauge("sportello_outbox_depth", "Outbound messages waiting to be sent.",
             [&depth] { return depth; });

  std::string text = m.Render();
  CHECK(Has(
      text,
      "# HELP sportello_outbox_depth Outbound messages waiting to be sent."));
  CHECK(Has(text, "# TYPE sportello_outbox_depth gauge"));
  CHECK(Sample(text, "sportello_outbox_depth") == "3");

  depth = 42;
  CHECK(Sample(m.Render(), "sportello_outbox_depth") == "42");
}

TEST_CASE("a large gauge renders exactly") {
  Metrics m;
  m.SetGauge("sportello_outbox_depth", "Waiting.", [] { return 1'234'567.0; });
  CHECK(Sample(m.Render(), "sportello_outbox_depth") == "1234567");
}

TEST_CASE("counting from many threads loses nothing") {
  Metrics m;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&m] {
      for (int i = 0; i < 5000; ++i) {
        m.Inc("sportello_sends_total",
              {{"channel", "telegram"}, {"result", "ok"}});
        m.ObserveProcessingSeconds(0.002);
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(m.Get("sportello_sends_total",
              {{"channel", "telegram"}, {"result", "ok"}}) == 20'000);
  CHECK(Sample(m.Render(), std::string(kHist) + "_count") == "20000");
}

}  // namespace
}  // namespace sportello
