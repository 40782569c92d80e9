#include "actors/tts/sentence_splitter.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace parley::tts {

namespace {

bool is_space(char c) {
  return std::isspace(static_cast<unsigned char>(c)) != 0;
}
bool is_end(char c) {
  return c == '.' || c == '!' || c == '?' || c == ';' || c == ':';
}
bool is_closer(char c) {
  return c == '"' || c == '\'' || c == ')' || c == ']' || c == '}';
}
// Bytes of multi-byte UTF-8 characters count as letters: they are speakable.
bool is_word_char(char c) {
  const auto u = static_cast<unsigned char>(c);
  return std::isalnum(u) != 0 || u >= 0x80;
}
bool is_utf8_continuation(char c) {
  return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

bool speakable(std::string_view s) {
  return std::any_of(s.begin(), s.end(), is_word_char);
}

// Is the '.' at `dot` the end of an abbreviation rather than of the sentence?
bool is_abbreviation(std::string_view text, std::size_t start, std::size_t dot) {
  std::size_t begin = dot;
  while (begin > start && !is_space(text[begin - 1]) && text[begin - 1] != '(' &&
         text[begin - 1] != '"') {
    --begin;
  }
  std::string word(text.substr(begin, dot - begin));
  if (word.empty()) return false;
  if (word.size() == 1) return std::isupper(static_cast<unsigned char>(word[0])) != 0;  // "J."
  const bool letters_and_dots = std::all_of(word.begin(), word.end(), [](char c) {
    return c == '.' || std::isalpha(static_cast<unsigned char>(c)) != 0;
  });
  if (letters_and_dots && word.find('.') != std::string::npos) return true;  // "e.g.", "U.S."
  for (auto& c : word) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  static const std::array<const char*, 13> known = {"mr", "mrs", "ms", "dr",  "prof",   "sr", "jr",
                                                    "st", "mt",  "vs", "fig", "approx", "cf"};
  return std::any_of(known.begin(), known.end(), [&](const char* k) { return word == k; });
}

// Where to cut text that is too long: after the last ", " or at the last space before
// `limit`, else (one huge token) at `limit` on a UTF-8 character boundary.
std::size_t cut_point(std::string_view text, std::size_t limit) {
  const std::size_t last = std::min(limit, text.size() - 1);
  for (std::size_t i = last; i > 0; --i) {
    if (text[i - 1] == ',' && is_space(text[i])) return i;
  }
  for (std::size_t i = last; i > 0; --i) {
    if (is_space(text[i])) return i;
  }
  std::size_t at = limit;
  while (at > 1 && is_utf8_continuation(text[at])) --at;
  return at;
}

}  // namespace

sentence_splitter::sentence_splitter(std::size_t max_chars)
    : max_chars_(std::max<std::size_t>(max_chars, 2)) {}

void sentence_splitter::push(std::string_view text) {
  pending_.append(text);
}

std::vector<std::string> sentence_splitter::take_sentences() {
  std::vector<std::string> out;
  const std::string_view text(pending_);
  std::size_t start = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    if (text[i] == '\n') {
      emit(text.substr(start, i - start), out);
      start = ++i;
      continue;
    }
    if (!is_end(text[i])) {
      ++i;
      continue;
    }
    std::size_t end = i + 1;  // past the run of punctuation and closing quotes
    while (end < text.size() && is_end(text[end])) ++end;
    const bool single_dot = text[i] == '.' && end == i + 1;
    while (end < text.size() && is_closer(text[end])) ++end;
    if (end == text.size()) break;  // "3." may become "3.5": wait for more text
    if (is_space(text[end]) && !(single_dot && is_abbreviation(text, start, i))) {
      emit(text.substr(start, end - start), out);
      start = end;
    }
    i = end;
  }
  pending_.erase(0, start);
  cut_long_pending(out);
  return out;
}

std::optional<std::string> sentence_splitter::flush() {
  std::string rest(trim(pending_));
  pending_.clear();
  if (!speakable(rest)) return std::nullopt;
  return rest;
}

void sentence_splitter::emit(std::string_view piece, std::vector<std::string>& out) const {
  piece = trim(piece);
  while (piece.size() > max_chars_) {
    const std::size_t at = cut_point(piece, max_chars_);
    const std::string_view head = trim(piece.substr(0, at));
    if (speakable(head)) out.emplace_back(head);
    piece = trim(piece.substr(at));
  }
  if (speakable(piece)) out.emplace_back(piece);
}

void sentence_splitter::cut_long_pending(std::vector<std::string>& out) {
  while (trim(pending_).size() > max_chars_) {
    const std::string_view text = trim(pending_);
    const std::size_t offset = static_cast<std::size_t>(text.data() - pending_.data());
    const std::size_t at = cut_point(text, max_chars_);
    emit(text.substr(0, at), out);
    pending_.erase(0, offset + at);
  }
}

}  // namespace parley::tts
