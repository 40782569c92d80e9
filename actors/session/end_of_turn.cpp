#include "actors/session/end_of_turn.hpp"

#include <algorithm>
#include <cctype>
#include <iterator>
#include <string>
#include <vector>

namespace parley::session {
namespace {

// Words a sentence does not end on: conjunctions, hesitations, articles and
// determiners, prepositions, auxiliaries and the subject "I".
constexpr std::string_view unfinished_endings[] = {
    "and",   "or",    "but",   "so",    "because", "if",     "then",  "than", "which", "who",
    "when",  "where", "while", "um",    "uh",      "er",     "erm",   "hmm",  "mm",    "ah",
    "the",   "a",     "an",    "my",    "your",    "our",    "their", "his",  "its",   "this",
    "these", "those", "some",  "any",   "every",   "to",     "of",    "in",   "on",    "at",
    "for",   "with",  "from",  "about", "into",    "by",     "like",  "as",   "is",    "are",
    "was",   "were",  "can",   "could", "would",   "should", "will",  "i"};

constexpr std::string_view number_words[] = {
    "zero", "oh",  "one",    "two",    "three", "four",  "five",  "six",     "seven",  "eight",
    "nine", "ten", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"};

template <std::size_t N>
bool in(const std::string_view (&set)[N], std::string_view w) {
  return std::find(std::begin(set), std::end(set), w) != std::end(set);
}

// Lower-case words; anything but letters, digits and apostrophes separates them.
std::vector<std::string> split_words(std::string_view text) {
  std::vector<std::string> out(1);
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) != 0 || c == '\'')
      out.back() += static_cast<char>(std::tolower(u));
    else if (!out.back().empty())
      out.emplace_back();
  }
  if (out.back().empty()) out.pop_back();
  return out;
}

bool is_number(std::string_view w) {
  return in(number_words, w) || std::all_of(w.begin(), w.end(), [](char c) {
           return std::isdigit(static_cast<unsigned char>(c)) != 0;
         });
}

}  // namespace

request_shape shape_of(std::string_view words,
                       const std::function<request_shape(std::string_view)>& agent) {
  const auto w = split_words(words);
  if (w.empty()) return request_shape::unsure;
  const auto& last = w.back();
  if (in(unfinished_endings, last)) return request_shape::unfinished;
  // Two numbers in a row: a number, a code or a phone number being read out.
  if (w.size() >= 2 && is_number(last) && is_number(w[w.size() - 2]))
    return request_shape::unfinished;
  return agent ? agent(words) : request_shape::unsure;
}

std::chrono::milliseconds silence_for(request_shape shape, const end_of_turn_settings& s,
                                      std::chrono::milliseconds usual) {
  switch (shape) {
    case request_shape::whole:
      return std::min(s.complete, usual);
    case request_shape::unfinished:
      return std::max(s.unfinished, usual);
    case request_shape::unsure:
      break;
  }
  return usual;
}

const char* window_name(std::chrono::milliseconds ended_by, std::chrono::milliseconds usual) {
  if (ended_by < usual) return "short";
  return ended_by > usual ? "long" : "usual";
}

}  // namespace parley::session
