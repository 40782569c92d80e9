#include "actors/agent/command_agent.hpp"

#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <ctime>
#include <string>
#include <vector>

using namespace parley::agent;
using namespace std::chrono_literals;

namespace {

// Sets TZ for one test and restores the previous value afterwards.
class tz_guard {
 public:
  explicit tz_guard(const char* tz) {
    if (const char* old = std::getenv("TZ")) old_ = old;
    setenv("TZ", tz, 1);
    tzset();
  }
  ~tz_guard() {
    if (old_.empty()) {
      unsetenv("TZ");
    } else {
      setenv("TZ", old_.c_str(), 1);
    }
    tzset();
  }
  tz_guard(const tz_guard&) = delete;
  tz_guard& operator=(const tz_guard&) = delete;

 private:
  std::string old_;
};

std::chrono::system_clock::time_point utc(int year, int month, int day, int hour, int minute) {
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = 30;
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

agent_facts facts_at(std::chrono::system_clock::time_point now, std::size_t sessions = 2,
                     std::chrono::seconds uptime = 3720s) {
  agent_facts f;
  f.now = [now] { return now; };
  f.sessions = [sessions] { return sessions; };
  f.uptime = [uptime] { return uptime; };
  return f;
}

// 2026-11-22 14:26 UTC, a Sunday.
const auto sunday_afternoon = utc(2026, 11, 22, 14, 26);

}  // namespace

BOOST_AUTO_TEST_SUITE(command_agent_suite)

BOOST_AUTO_TEST_CASE(time_is_the_injected_local_time) {
  tz_guard tz("UTC");
  const command_agent agent(facts_at(sunday_afternoon));
  BOOST_TEST(agent.answer("what time is it") == "It is 2:26 PM.");
  BOOST_TEST(command_agent(facts_at(utc(2026, 11, 22, 0, 5))).answer("what time is it") ==
             "It is 12:05 AM.");
  BOOST_TEST(command_agent(facts_at(utc(2026, 11, 22, 12, 0))).answer("what time is it") ==
             "It is 12:00 PM.");
  BOOST_TEST(command_agent(facts_at(utc(2026, 11, 22, 9, 7))).answer("what time is it") ==
             "It is 9:07 AM.");
}

BOOST_AUTO_TEST_CASE(time_follows_tz) {
  tz_guard tz("IST-5:30");  // POSIX form of UTC+5:30: needs no tzdata
  const command_agent agent(facts_at(sunday_afternoon));
  BOOST_TEST(agent.answer("what time is it") == "It is 7:56 PM.");
}

BOOST_AUTO_TEST_CASE(date_is_the_injected_local_date) {
  {
    tz_guard tz("UTC");
    const command_agent agent(facts_at(sunday_afternoon));
    BOOST_TEST(agent.answer("what's the date") == "Today is Sunday, November 22, 2026.");
    BOOST_TEST(agent.answer("what is the date today") == "Today is Sunday, November 22, 2026.");
    BOOST_TEST(agent.answer("what day is it") == "Today is Sunday, November 22, 2026.");
  }
  tz_guard tz("HST10");  // UTC-10: still Saturday there
  const command_agent agent(facts_at(utc(2026, 11, 22, 5, 0)));
  BOOST_TEST(agent.answer("what's the date") == "Today is Saturday, November 21, 2026.");
}

BOOST_AUTO_TEST_CASE(time_and_date_together) {
  tz_guard tz("UTC");
  const command_agent agent(facts_at(sunday_afternoon));
  BOOST_TEST(agent.answer("what is the date and time") ==
             "It is 2:26 PM. Today is Sunday, November 22, 2026.");
}

BOOST_AUTO_TEST_CASE(matching_tolerates_recogniser_output) {
  tz_guard tz("UTC");
  const command_agent agent(facts_at(sunday_afternoon));
  const std::string time = agent.answer("what time is it");
  for (const char* heard : {"what's the time", "uh what is the time now", "time please",
                            "What TIME is it?", "  tell   me the time  "})
    BOOST_TEST(agent.answer(heard) == time, heard);
  // "uptime" and "sometimes" contain "time" but are not the word.
  BOOST_TEST(agent.answer("sometimes") != time);
  BOOST_TEST(agent.answer("uptime") != time);
}

// Whole requests are those it answers with something other than its
// fallback; "repeat" waits for the words to repeat.
BOOST_AUTO_TEST_CASE(questions_it_answers_are_whole_and_repeat_waits_for_its_words) {
  const command_agent agent;
  for (const char* heard : {"what time is it", "what day is it", "status", "help"})
    BOOST_TEST((agent.shape(heard) == request_shape::whole), heard);
  for (const char* heard : {"repeat", "repeat after me"})
    BOOST_TEST((agent.shape(heard) == request_shape::unfinished), heard);
  for (const char* heard : {"repeat after me hello", "how are you", ""})
    BOOST_TEST((agent.shape(heard) == request_shape::unsure), heard);
  BOOST_TEST((echo_agent().shape("what time is it") == request_shape::unsure));
}

BOOST_AUTO_TEST_CASE(status_reports_sessions_and_uptime) {
  const command_agent agent(facts_at(sunday_afternoon, 3, 3720s));
  const std::string expected =
      "I have 3 active sessions and have been running for 1 hour and 2 minutes.";
  BOOST_TEST(agent.answer("status") == expected);
  BOOST_TEST(agent.answer("what's your status") == expected);
  BOOST_TEST(agent.answer("how long have you been running") == expected);
  BOOST_TEST(command_agent(facts_at(sunday_afternoon, 1, 45s)).answer("status") ==
             "I have 1 active session and have been running for 45 seconds.");
  BOOST_TEST(command_agent(facts_at(sunday_afternoon, 0, 86400s)).answer("status") ==
             "I have no active sessions and have been running for 1 day.");
}

BOOST_AUTO_TEST_CASE(status_without_facts_measures_its_own_uptime) {
  const command_agent agent;
  BOOST_TEST(agent.answer("status") == "I have been running for 0 seconds.");
}

BOOST_AUTO_TEST_CASE(help_lists_the_commands) {
  const command_agent agent(facts_at(sunday_afternoon));
  const std::string help = agent.answer("help");
  for (const char* topic : {"time", "date", "status", "repeat after me"})
    BOOST_TEST(help.find(topic) != std::string::npos, topic);
  BOOST_TEST(agent.answer("what can you do") == help);
  BOOST_TEST(agent.answer("help me please") == help);
}

BOOST_AUTO_TEST_CASE(repeat_after_me) {
  tz_guard tz("UTC");
  const command_agent agent(facts_at(sunday_afternoon));
  BOOST_TEST(agent.answer("repeat after me hello world") == "hello world");
  BOOST_TEST(agent.answer("repeat hello world") == "hello world");
  // The words to repeat win over the keywords inside them.
  BOOST_TEST(agent.answer("please repeat after me what time is it") == "what time is it");
  const std::string nothing = agent.answer("repeat after me");
  BOOST_TEST(nothing.find("repeat after me") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(anything_else_gets_a_fallback_that_mentions_help) {
  const command_agent agent(facts_at(sunday_afternoon));
  const std::string help = agent.answer("help");
  for (const char* heard : {"open the pod bay doors", "", "how are you today"}) {
    const std::string answer = agent.answer(heard);
    BOOST_TEST(answer.find("help") != std::string::npos, heard);
    BOOST_TEST(answer != help, heard);
  }
}

BOOST_AUTO_TEST_CASE(respond_streams_the_answer_once) {
  tz_guard tz("UTC");
  command_agent agent(facts_at(sunday_afternoon));
  BOOST_TEST(agent.name() == "command");
  std::vector<std::string> pieces;
  const auto error =
      agent.respond({"g1", "u1", "what time is it", {}, nullptr}, [&](std::string_view t) {
        pieces.emplace_back(t);
        return true;
      });
  BOOST_TEST(!error.has_value());
  BOOST_TEST(pieces == std::vector<std::string>{"It is 2:26 PM."},
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(echo_repeats_the_transcript) {
  echo_agent agent;
  BOOST_TEST(agent.name() == "echo");
  std::vector<std::string> pieces;
  const auto sink = [&](std::string_view t) {
    pieces.emplace_back(t);
    return true;
  };
  BOOST_TEST(!agent.respond({"g1", "u1", "go forward ten meters", {}, nullptr}, sink).has_value());
  BOOST_TEST(!agent.respond({"g1", "u1", "", {}, nullptr}, sink).has_value());
  BOOST_TEST(pieces == std::vector<std::string>{"go forward ten meters"},
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(durations_in_words) {
  BOOST_TEST(duration_in_words(0s) == "0 seconds");
  BOOST_TEST(duration_in_words(1s) == "1 second");
  BOOST_TEST(duration_in_words(59s) == "59 seconds");
  BOOST_TEST(duration_in_words(60s) == "1 minute");
  BOOST_TEST(duration_in_words(61s) == "1 minute");
  BOOST_TEST(duration_in_words(3600s) == "1 hour");
  BOOST_TEST(duration_in_words(7320s) == "2 hours and 2 minutes");
  BOOST_TEST(duration_in_words(90061s) == "1 day, 1 hour and 1 minute");
  BOOST_TEST(duration_in_words(2 * 86400s + 300s) == "2 days and 5 minutes");
  BOOST_TEST(duration_in_words(-5s) == "0 seconds");
}

BOOST_AUTO_TEST_SUITE_END()
