#pragma once
// Cuts streamed reply text into sentences, so speech can start after the first one.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace parley::tts {

// Splits after . ! ? ; : when whitespace follows (so "3.5" and "10:30" stay whole), and at
// newlines. Abbreviations ("Dr.", "e.g.", initials like "J.") do not end a sentence.
// Text longer than max_chars without an end is cut at the last comma, else the last space,
// so a long first sentence does not delay the first audio. Sentences are trimmed; pieces
// without a letter or digit (e.g. "...") are dropped. Not thread-safe.
class sentence_splitter {
 public:
  explicit sentence_splitter(std::size_t max_chars = 150);

  // Appends text as it streams in (any split point, even mid-word).
  void push(std::string_view text);
  // The sentences complete so far, in order; the rest stays buffered.
  std::vector<std::string> take_sentences();
  // End of the text: what is left (call take_sentences() first), or nullopt if nothing
  // speakable remains. The splitter is empty afterwards.
  std::optional<std::string> flush();

 private:
  void emit(std::string_view piece, std::vector<std::string>& out) const;
  void cut_long_pending(std::vector<std::string>& out);

  std::size_t max_chars_;
  std::string pending_;
};

}  // namespace parley::tts
