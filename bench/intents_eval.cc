// intents_eval: accuracy, macro-F1, top-2 accuracy, the share of messages read
// wrong with a confidence the bot would act on, a confusion table and a
// reliability table (confidence bin -> observed accuracy) of the intent engine
// on a labelled TSV (default: the shared development set).
//
//   intents_eval [--data DIR] [--errors] [--act T] [FILE.tsv]
//   intents_eval [--data DIR] [--act T] --cv K [--write-calibration]
//                [--l2 L] [--epochs N] [--min-weight W]
//   intents_eval [--data DIR] --explain "message"
//
// --cv K: K-fold cross-validation on DIR/train.tsv, each template (fourth
// column) held out whole: for each fold a model is trained on the others and
// the engine (rules + that model, raw confidences) reads the held-out lines.
// --write-calibration then fits DIR/calibration.tsv to those readings. The
// training options are intents_train's (and its defaults).
//
// FILE has "text<TAB>intent[<TAB>lang]" lines with a header. --errors lists
// every misclassified line with the engine's top two guesses. --act sets the
// confidence counted as "acted on" (default kActAtLeast). --explain shows
// how one message is read: normalised text, the rules that apply, the model's
// best guesses and the result (for whoever edits the rule files).
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "intents/acting.h"
#include "intents/calibration.h"
#include "intents/engine.h"
#include "intents/labels.h"
#include "intents/model.h"
#include "intents/model_training.h"
#include "intents/normalize.h"
#include "intents/rules.h"

namespace si = sportello::intents;

namespace {

struct Labelled {
  std::string text;
  int intent = -1;
  std::string lang;
  std::string group;  // the template a training line comes from, if known
};

std::vector<Labelled> ReadTsv(const std::string& path, bool* ok) {
  std::vector<Labelled> rows;
  std::ifstream in(path);
  *ok = static_cast<bool>(in);
  std::string line;
  bool header = true;
  while (std::getline(in, line)) {
    if (header) {
      header = false;
      if (line.starts_with("text\t")) continue;
    }
    if (line.empty()) continue;
    std::vector<std::string> cells;
    std::stringstream ss(line);
    std::string cell;
    while (std::getline(ss, cell, '\t')) cells.push_back(cell);
    if (cells.size() < 2) continue;
    rows.push_back({cells[0], si::IntentIndex(cells[1]),
                    cells.size() > 2 ? cells[2] : "",
                    cells.size() > 3 ? cells[3] : ""});
  }
  return rows;
}

int Explain(const std::string& dir, const std::string& text) {
  auto engine = si::Engine::Load(dir);
  auto rules = si::RuleSet::LoadDir(dir);
  auto model = si::LinearModel::LoadFile(dir + "/model.tsv");
  if (!engine.ok() || !rules.ok() || !model.ok()) {
    std::cerr << "intents_eval: cannot load the engine from " << dir << "\n";
    return 1;
  }
  const si::NormalizedText n = si::NormalizeDetailed(text);
  std::printf("normalised: \"%s\"\n", n.text.c_str());
  const std::vector<int> matched = (*rules)->Match(n.text);
  const std::vector<int> applied = (*rules)->Apply(n);
  for (const int r : matched) {
    const si::Rule& rule = (*rules)->rules()[r];
    const bool kept =
        std::find(applied.begin(), applied.end(), r) != applied.end();
    std::printf("  rule %-20s %-16s %2d%s\n", rule.where.c_str(),
                std::string(si::kIntentLabels[rule.intent]).c_str(),
                rule.priority, kept ? "" : "  (dropped: negated)");
  }
  const si::IntentProbabilities p = model->Predict(n.text);
  std::vector<int> order(si::kNumIntents);
  for (int k = 0; k < si::kNumIntents; ++k) order[k] = k;
  std::sort(order.begin(), order.end(),
            [&](int a, int b) { return p[a] > p[b]; });
  std::printf("  model:");
  for (int i = 0; i < 3; ++i) {
    std::printf(" %s %.2f", std::string(si::kIntentLabels[order[i]]).c_str(),
                p[order[i]]);
  }
  const std::chrono::year_month_day today{
      std::chrono::year(2026), std::chrono::month(11), std::chrono::day(20)};
  const si::Analysis a = (*engine)->Analyze(text, today, 3);
  std::printf("\n  result: %s %.2f (lang %s)", a.intent.c_str(), a.confidence,
              a.lang.c_str());
  for (size_t i = 1; i < a.top.size(); ++i) {
    std::printf(", then %s %.2f", a.top[i].intent.c_str(), a.top[i].confidence);
  }
  std::printf("\n");
  return 0;
}

constexpr int K = si::kNumIntents;

const std::chrono::year_month_day kToday{
    std::chrono::year(2026), std::chrono::month(11), std::chrono::day(20)};

// What one evaluation counts, line by line.
struct Tally {
  std::vector<std::array<int, K>> confusion =
      std::vector<std::array<int, K>>(K, std::array<int, K>{});
  int n = 0, correct = 0, top2 = 0, sure_wrong = 0;
  int lang_total = 0, lang_correct = 0;
  // Reliability: per tenth of confidence, how often the engine is right.
  std::array<int, 10> bin_n{}, bin_ok{};
  std::array<double, 10> bin_conf{};
  std::vector<std::pair<double, bool>> observed;  // (confidence, right)

  void Add(const Labelled& row, const si::Analysis& a, double act,
           bool errors) {
    const int predicted = si::IntentIndex(a.intent);
    confusion[row.intent][predicted]++;
    const bool right = predicted == row.intent;
    ++n;
    correct += right;
    top2 += right || (a.top.size() > 1 &&
                      si::IntentIndex(a.top[1].intent) == row.intent);
    sure_wrong += !right && a.confidence >= act;
    const int b = std::clamp(static_cast<int>(a.confidence * 10), 0, 9);
    bin_n[b]++;
    bin_ok[b] += right;
    bin_conf[b] += a.confidence;
    observed.emplace_back(a.confidence, right);
    if (!row.lang.empty()) {
      ++lang_total;
      lang_correct += a.lang == row.lang;
      if (errors && a.lang != row.lang) {
        std::printf("LANG  %-6s got %-3s  %s\n", row.lang.c_str(),
                    a.lang.c_str(), row.text.c_str());
      }
    }
    if (errors && !right) {
      std::printf(
          "%-16s got %-16s %.2f (2nd %s %.2f)  %s\n",
          std::string(si::kIntentLabels[row.intent]).c_str(), a.intent.c_str(),
          a.confidence, a.top.size() > 1 ? a.top[1].intent.c_str() : "-",
          a.top.size() > 1 ? a.top[1].confidence : 0.0, row.text.c_str());
    }
  }

  // Per-intent scores, confusions, reliability and the summary line.
  void Print(const std::string& name, double act, int max_confusions) const {
    double f1_sum = 0;
    int classes = 0;
    std::printf("\n%-16s %6s %6s %6s %5s\n", "intent", "prec", "recall", "F1",
                "n");
    for (int k = 0; k < K; ++k) {
      int tp = confusion[k][k], fn = 0, fp = 0;
      for (int j = 0; j < K; ++j) {
        if (j == k) continue;
        fn += confusion[k][j];
        fp += confusion[j][k];
      }
      if (tp + fn == 0) continue;
      const double p = tp + fp ? double(tp) / (tp + fp) : 0,
                   r = double(tp) / (tp + fn);
      const double f1 = p + r ? 2 * p * r / (p + r) : 0;
      f1_sum += f1;
      ++classes;
      std::printf("%-16s %6.3f %6.3f %6.3f %5d\n",
                  std::string(si::kIntentLabels[k]).c_str(), p, r, f1, tp + fn);
    }
    std::printf("\nconfusions (true -> predicted: count)\n");
    std::vector<std::tuple<int, int, int>> pairs;
    for (int k = 0; k < K; ++k) {
      for (int j = 0; j < K; ++j) {
        if (j != k && confusion[k][j])
          pairs.emplace_back(confusion[k][j], k, j);
      }
    }
    std::sort(pairs.rbegin(), pairs.rend());
    if (pairs.empty()) std::printf("  (none)\n");
    int shown = 0;
    for (const auto& [count, k, j] : pairs) {
      if (shown++ == max_confusions) {
        std::printf("  ... %zu more pairs\n", pairs.size() - max_confusions);
        break;
      }
      std::printf("  %-16s -> %-16s %d\n",
                  std::string(si::kIntentLabels[k]).c_str(),
                  std::string(si::kIntentLabels[j]).c_str(), count);
    }
    std::printf(
        "\nreliability (confidence bin: n, mean confidence, accuracy)\n");
    for (int b = 9; b >= 0; --b) {
      if (bin_n[b]) {
        std::printf("  %.1f-%.1f %5d  %.3f  %.3f\n", b / 10.0, (b + 1) / 10.0,
                    bin_n[b], bin_conf[b] / bin_n[b],
                    double(bin_ok[b]) / bin_n[b]);
      }
    }
    std::printf(
        "\n%s: %d utterances\naccuracy %.4f  macro-F1 %.4f  top-2 %.4f  "
        "wrong with confidence >= %.2f: %.4f (%d)  language accuracy %.4f\n",
        name.c_str(), n, double(correct) / n, f1_sum / classes,
        double(top2) / n, act, double(sure_wrong) / n, sure_wrong,
        lang_total ? double(lang_correct) / lang_total : 0.0);
  }
};

// K-fold cross-validation over the training set (see the top of the file).
int CrossValidate(const std::string& dir, int folds, double act,
                  bool write_calibration, bool errors,
                  const si::TrainingOptions& options) {
  namespace fs = std::filesystem;
  bool ok = false;
  const std::vector<Labelled> rows = ReadTsv(dir + "/train.tsv", &ok);
  if (!ok || rows.empty()) {
    std::cerr << "intents_eval: cannot read " << dir << "/train.tsv\n";
    return 1;
  }
  // A scratch data folder: the real one's files, a fold's model, no
  // calibration (the readings are what calibration is fitted to).
  const fs::path scratch =
      fs::temp_directory_path() / ("intents_cv_" + std::to_string(::getpid()));
  fs::create_directories(scratch);
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (name == "model.tsv" || name == "calibration.tsv") continue;
    fs::create_symlink(fs::absolute(entry.path()), scratch / name);
  }
  const auto fold_of = [&](const Labelled& row, size_t i) {
    const std::string& key = row.group.empty() ? std::to_string(i) : row.group;
    return static_cast<int>(std::hash<std::string>{}(key) % folds);
  };
  Tally tally;
  int model_correct = 0;
  for (int f = 0; f < folds; ++f) {
    std::vector<si::TrainingExample> train;
    std::vector<const Labelled*> test;
    for (size_t i = 0; i < rows.size(); ++i) {
      if (rows[i].intent < 0) continue;
      if (fold_of(rows[i], i) == f) {
        test.push_back(&rows[i]);
      } else {
        train.push_back({rows[i].text, rows[i].intent});
      }
    }
    const std::string model_text = si::TrainModel(train, options, "cv fold");
    std::ofstream(scratch / "model.tsv", std::ios::trunc) << model_text;
    const auto model = si::LinearModel::Parse(model_text, "cv fold");
    auto engine = si::Engine::Load(scratch.string());
    if (!engine.ok()) {
      std::cerr << "intents_eval: " << engine.status().ToString() << "\n";
      fs::remove_all(scratch);
      return 1;
    }
    for (const Labelled* row : test) {
      tally.Add(*row, (*engine)->Analyze(row->text, kToday, 2), act, errors);
      const si::IntentProbabilities p =
          model->Predict(si::Normalize(row->text));
      model_correct +=
          std::max_element(p.begin(), p.end()) - p.begin() == row->intent;
    }
    std::fprintf(stderr, "fold %d/%d: %zu held out\n", f + 1, folds,
                 test.size());
  }
  fs::remove_all(scratch);
  std::printf("model alone: accuracy %.4f\n", double(model_correct) / tally.n);
  tally.Print(dir + "/train.tsv, " + std::to_string(folds) +
                  "-fold cross-validation by template (raw confidences)",
              act, 25);
  if (write_calibration) {
    const std::string text = si::Calibration::Fit(tally.observed);
    const std::string path = dir + "/calibration.tsv";
    std::ofstream out(path, std::ios::trunc);
    out << text;
    if (!out) {
      std::cerr << "intents_eval: cannot write " << path << "\n";
      return 1;
    }
    std::printf("\nwrote %s:\n%s", path.c_str(), text.c_str());
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string dir = si::DefaultDataDir();
  std::string path;
  bool errors = false, write_calibration = false;
  std::string explain;
  double act = si::kActAtLeast;
  int folds = 0;
  si::TrainingOptions options;  // for --cv: as intents_train trains
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--data") == 0 && i + 1 < argc) {
      dir = argv[++i];
    } else if (std::strcmp(argv[i], "--act") == 0 && i + 1 < argc) {
      act = std::atof(argv[++i]);
    } else if (std::strcmp(argv[i], "--cv") == 0 && i + 1 < argc) {
      folds = std::max(2, std::atoi(argv[++i]));
    } else if (std::strcmp(argv[i], "--l2") == 0 && i + 1 < argc) {
      options.l2 = std::atof(argv[++i]);
    } else if (std::strcmp(argv[i], "--epochs") == 0 && i + 1 < argc) {
      options.epochs = std::atoi(argv[++i]);
    } else if (std::strcmp(argv[i], "--min-weight") == 0 && i + 1 < argc) {
      options.min_weight = static_cast<float>(std::atof(argv[++i]));
    } else if (std::strcmp(argv[i], "--write-calibration") == 0) {
      write_calibration = true;
    } else if (std::strcmp(argv[i], "--errors") == 0) {
      errors = true;
    } else if (std::strcmp(argv[i], "--explain") == 0 && i + 1 < argc) {
      explain = argv[++i];
    } else if (argv[i][0] != '-') {
      path = argv[i];
    } else {
      std::cerr << "usage: intents_eval [--data DIR] [--errors] [--act T] "
                   "[FILE.tsv]\n"
                   "       intents_eval [--data DIR] [--act T] --cv K "
                   "[--write-calibration] [--l2 L] [--epochs N] "
                   "[--min-weight W]\n"
                   "       intents_eval [--data DIR] --explain MESSAGE\n";
      return 2;
    }
  }
  if (!explain.empty()) return Explain(dir, explain);
  if (folds > 0)
    return CrossValidate(dir, folds, act, write_calibration, errors, options);
  if (path.empty()) path = dir + "/../../../shared/nlu/dev.tsv";
  bool ok = false;
  const std::vector<Labelled> rows = ReadTsv(path, &ok);
  if (!ok || rows.empty()) {
    std::cerr << "intents_eval: cannot read " << path << "\n";
    return 1;
  }
  auto engine = si::Engine::Load(dir);
  if (!engine.ok()) {
    std::cerr << "intents_eval: " << engine.status().ToString() << "\n";
    return 1;
  }
  // The two opinions on their own, to see what each contributes.
  auto rules = si::RuleSet::LoadDir(dir);
  auto model = si::LinearModel::LoadFile(dir + "/model.tsv");
  if (!rules.ok() || !model.ok()) {
    std::cerr << "intents_eval: cannot load rules or model\n";
    return 1;
  }
  int rules_correct = 0, rules_fired = 0, model_correct = 0;
  Tally tally;
  for (const Labelled& row : rows) {
    if (row.intent < 0) {
      std::cerr << "intents_eval: unknown label in: " << row.text << "\n";
      return 1;
    }
    const si::NormalizedText n = si::NormalizeDetailed(row.text);
    int best_rule = si::kOutOfScope, best_priority = 0;
    for (const int r : (*rules)->Apply(n)) {
      const si::Rule& rule = (*rules)->rules()[r];
      if (rule.priority > best_priority)
        best_priority = rule.priority, best_rule = rule.intent;
    }
    rules_fired += best_priority > 0;
    rules_correct += best_rule == row.intent;
    const si::IntentProbabilities p = model->Predict(n.text);
    model_correct +=
        std::max_element(p.begin(), p.end()) - p.begin() == row.intent;
    tally.Add(row, (*engine)->Analyze(row.text, kToday, 2), act, errors);
  }
  std::printf(
      "rules alone: accuracy %.4f (a rule fired on %d of %zu)\n"
      "model alone: accuracy %.4f\n",
      double(rules_correct) / rows.size(), rules_fired, rows.size(),
      double(model_correct) / rows.size());
  tally.Print(path, act, 40);
  return 0;
}
