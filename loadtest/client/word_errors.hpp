#pragma once
// How far a transcript is from what was said, in words: the measure behind
// word error rate (edits / reference words). Shared by the recogniser's
// tests and parley-stt-bench.

#include <algorithm>
#include <cstddef>
#include <sstream>
#include <string>
#include <vector>

namespace parley::client {

inline std::vector<std::string> words(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

// Word-level edit distance: substitutions + insertions + deletions.
inline std::size_t word_errors(const std::string& reference, const std::string& hypothesis) {
  const auto ref = words(reference);
  const auto hyp = words(hypothesis);
  std::vector<std::size_t> row(hyp.size() + 1);
  for (std::size_t j = 0; j <= hyp.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= ref.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= hyp.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1,
                         diagonal + static_cast<std::size_t>(ref[i - 1] != hyp[j - 1])});
      diagonal = above;
    }
  }
  return row[hyp.size()];
}

}  // namespace parley::client
