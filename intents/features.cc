#include "intents/features.h"

namespace sportello::intents {
namespace {

// emit(kind, a, b, c): the feature is kind + a + b + c. Mirrors
// ForEachFeatureHash in features.h.
template <typename Emit>
void ForEachFeature(std::string_view text, Emit&& emit) {
  if (text.size() > kMaxFeatureBytes) text = text.substr(0, kMaxFeatureBytes);
  std::string_view prev;
  size_t start = 0;
  char padded[72];
  std::string long_padded;
  while (start < text.size()) {
    size_t end = text.find(' ', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view w = text.substr(start, end - start);
    start = end + 1;
    if (w.empty()) continue;
    if (prev.empty()) {
      emit("b", "^ ", w, "");
    } else {
      emit("b", prev, " ", w);
    }
    emit("w", w, "", "");
    // Character n-grams over "<word>", 3 and 4 long.
    std::string_view p;
    if (w.size() + 2 <= sizeof padded) {
      padded[0] = '<';
      w.copy(padded + 1, w.size());
      padded[w.size() + 1] = '>';
      p = std::string_view(padded, w.size() + 2);
    } else {
      long_padded = "<" + std::string(w) + ">";
      p = long_padded;
    }
    for (size_t n = 3; n <= 4; ++n) {
      for (size_t k = 0; k + n <= p.size(); ++k)
        emit("c", p.substr(k, n), "", "");
    }
    prev = w;
  }
  if (!prev.empty()) emit("b", prev, " $", "");
}

}  // namespace

uint64_t FeatureHash(std::string_view feature) {
  namespace fi = features_internal;
  if (feature.empty()) return 0;
  const std::string_view body = feature.substr(1);
  switch (feature[0]) {
    case 'w':
      return fi::WordFeature(fi::WordHash(body));
    case 'c':
      return fi::NgramFeature(body);
    case 'b': {  // "bFIRST SECOND"; "^" and "$" mark the message's edges
      const size_t space = body.find(' ');
      if (space == std::string_view::npos) return 0;
      return fi::BigramFeature(fi::WordHash(body.substr(0, space)),
                               fi::WordHash(body.substr(space + 1)));
    }
    default:
      return 0;
  }
}

std::vector<std::string> FeatureStrings(std::string_view normalized) {
  std::vector<std::string> out;
  ForEachFeature(normalized, [&](std::string_view kind, std::string_view a,
                                 std::string_view b, std::string_view c) {
    std::string f;
    f.reserve(kind.size() + a.size() + b.size() + c.size());
    f.append(kind).append(a).append(b).append(c);
    out.push_back(std::move(f));
  });
  return out;
}

}  // namespace sportello::intents
