// Calibration: a monotone map from the engine's raw confidence to the share
// of messages read right at that confidence.
#include "intents/calibration.h"

#include <doctest/doctest.h>

#include <string>
#include <utility>
#include <vector>

#include "intents/acting.h"
#include "intents/engine.h"

namespace sportello::intents {
namespace {

TEST_CASE("without knots a calibration changes nothing") {
  const Calibration identity;
  CHECK(identity.identity());
  CHECK(identity.Apply(0.37) == doctest::Approx(0.37));
}

TEST_CASE("confidences between knots are interpolated and clamped") {
  const auto c = Calibration::Parse("# comment\n0.5\t0.4\n0.9\t0.8\n", "t");
  REQUIRE_MESSAGE(c.ok(), c.status().ToString());
  CHECK(c->Apply(0.7) == doctest::Approx(0.6));
  CHECK(c->Apply(0.95) == doctest::Approx(0.8));
  CHECK(c->Apply(0.25) == doctest::Approx(0.2));
  CHECK(c->Apply(0.0) == doctest::Approx(0.0));
}

TEST_CASE("bad calibration files are rejected with the line") {
  for (const char* text : {"0.5 0.4\n", "0.5\tabc\n", "1.5\t0.4\n",
                           "0.5\t0.6\n0.4\t0.7\n", "0.5\t0.6\n0.7\t0.5\n"}) {
    CAPTURE(text);
    const auto c = Calibration::Parse(text, "cal.tsv");
    REQUIRE_FALSE(c.ok());
    CHECK(c.status().ToString().find("cal.tsv:") != std::string::npos);
  }
}

TEST_CASE("a fitted calibration follows the observed accuracy and rises") {
  // Raw 0.9 is right half of the time, raw 0.6 a fifth of the time, raw 0.3
  // a tenth: an overconfident engine.
  std::vector<std::pair<double, bool>> seen;
  for (int i = 0; i < 200; ++i) {
    seen.emplace_back(0.9, i % 2 == 0);
    seen.emplace_back(0.6, i % 5 == 0);
    seen.emplace_back(0.3, i % 10 == 0);
  }
  const auto c = Calibration::Parse(Calibration::Fit(seen), "fit");
  REQUIRE_MESSAGE(c.ok(), c.status().ToString());
  CHECK(c->Apply(0.9) == doctest::Approx(0.5).epsilon(0.05));
  CHECK(c->Apply(0.6) == doctest::Approx(0.2).epsilon(0.05));
  CHECK(c->Apply(0.3) == doctest::Approx(0.1).epsilon(0.05));
  double last = 0;
  for (double raw = 0; raw <= 1; raw += 0.01) {
    CHECK(c->Apply(raw) >= last);
    last = c->Apply(raw);
  }
}

TEST_CASE("the committed calibration loads and keeps the act threshold apart") {
  const auto c = Calibration::LoadFile(DefaultDataDir() + "/calibration.tsv");
  REQUIRE_MESSAGE(c.ok(), c.status().ToString());
  CHECK_FALSE(c->identity());
  // A near-certain raw reading stays above the threshold for acting, a coin
  // toss stays below it.
  CHECK(c->Apply(0.99) >= kActAtLeast);
  CHECK(c->Apply(0.5) < kActAtLeast);
}

}  // namespace
}  // namespace sportello::intents
