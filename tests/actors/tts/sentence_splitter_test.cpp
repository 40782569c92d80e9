#include "actors/tts/sentence_splitter.hpp"

#include <boost/test/unit_test.hpp>

namespace parley::tts {

namespace {
using sentences = std::vector<std::string>;

// Everything the splitter produces for `text` pushed at once, flush included.
sentences split_all(const std::string& text, std::size_t max_chars = 150) {
  sentence_splitter s(max_chars);
  s.push(text);
  auto out = s.take_sentences();
  if (auto rest = s.flush()) out.push_back(*rest);
  return out;
}

// The same, pushed one byte at a time and taken after each byte, as a token stream does.
sentences split_streamed(const std::string& text, std::size_t max_chars = 150) {
  sentence_splitter s(max_chars);
  sentences out;
  for (char c : text) {
    s.push(std::string_view(&c, 1));
    for (auto& sentence : s.take_sentences()) out.push_back(sentence);
  }
  if (auto rest = s.flush()) out.push_back(*rest);
  return out;
}
}  // namespace

BOOST_AUTO_TEST_SUITE(sentence_splitter_suite)

BOOST_AUTO_TEST_CASE(splits_on_sentence_ends) {
  const sentences expected = {"Hello there!", "How are you?", "I am fine.",
                              "First;",       "second:",      "third."};
  const std::string text = "Hello there! How are you? I am fine. First; second: third.";
  BOOST_TEST(split_all(text) == expected, boost::test_tools::per_element());
  BOOST_TEST(split_streamed(text) == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(splits_on_newlines) {
  const sentences expected = {"Item one", "Item two", "Item three"};
  BOOST_TEST(split_all("Item one\nItem two\n\n  Item three\n") == expected,
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(keeps_abbreviations_and_numbers_whole) {
  const std::string text =
      "Dr. Smith paid 3.5 dollars at 10:30, e.g. for tea. Mr. J. R. Tolkien wrote it. Done.";
  const sentences expected = {"Dr. Smith paid 3.5 dollars at 10:30, e.g. for tea.",
                              "Mr. J. R. Tolkien wrote it.", "Done."};
  BOOST_TEST(split_all(text) == expected, boost::test_tools::per_element());
  BOOST_TEST(split_streamed(text) == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(waits_when_a_dot_may_be_a_decimal_point) {
  sentence_splitter s;
  s.push("Pi is about 3.");
  BOOST_TEST(s.take_sentences().empty());
  s.push("14. Next");
  BOOST_TEST(s.take_sentences() == sentences{"Pi is about 3.14."},
             boost::test_tools::per_element());
  const auto rest = s.flush();
  BOOST_REQUIRE(rest.has_value());
  BOOST_TEST(*rest == "Next");
  BOOST_TEST(!s.flush().has_value());  // flush empties it
}

BOOST_AUTO_TEST_CASE(keeps_punctuation_runs_and_closing_quotes) {
  const sentences expected = {"Really?!", "He said \"stop.\"", "Wait...", "what?"};
  BOOST_TEST(split_all("Really?! He said \"stop.\" Wait... what?") == expected,
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(drops_pieces_with_nothing_to_say) {
  BOOST_TEST(split_all("... !!! \n  \n").empty());
  sentence_splitter s;
  s.push("   ");
  BOOST_TEST(!s.flush().has_value());
}

BOOST_AUTO_TEST_CASE(cuts_a_long_sentence_at_a_comma) {
  const std::string text =
      "When the train finally arrived at the station after a long delay, everyone rushed "
      "forward to find a seat before the doors closed again.";
  const sentences expected = {
      "When the train finally arrived at the station after a long delay,",
      "everyone rushed forward to find a seat before the doors closed again."};
  BOOST_TEST(split_all(text, 80) == expected, boost::test_tools::per_element());
  // Streamed, the first part comes out before the sentence is complete.
  sentence_splitter s(80);
  s.push(text.substr(0, 90));
  BOOST_TEST(s.take_sentences() == sentences{expected[0]}, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(cuts_a_long_sentence_without_commas_at_a_space) {
  const std::string text = "one two three four five six seven eight nine ten eleven twelve";
  const auto out = split_all(text, 20);
  std::string joined;
  for (const auto& piece : out) {
    BOOST_TEST(piece.size() <= 20u);
    BOOST_TEST(piece.front() != ' ');
    BOOST_TEST(piece.back() != ' ');
    joined += (joined.empty() ? "" : " ") + piece;
  }
  BOOST_TEST(joined == text);  // no word was split or lost
  BOOST_TEST(split_streamed(text, 20) == out, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(cuts_one_huge_token_on_a_character_boundary) {
  std::string text;
  for (int i = 0; i < 30; ++i) text += "\xC3\xA9";  // "é" is two bytes in UTF-8
  const auto out = split_all(text, 15);
  std::string joined;
  for (const auto& piece : out) {
    BOOST_TEST(piece.size() <= 15u);
    BOOST_TEST(piece.size() % 2 == 0u);  // never half an "é"
    joined += piece;
  }
  BOOST_TEST(joined == text);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace parley::tts
