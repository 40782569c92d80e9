#pragma once
// Error reporting to Sentry (SENTRY_DSN): every error-level log line (an
// actor that failed, a supervisor that gave up, a turn that could not be
// answered) becomes a Sentry event, sent as an envelope over HTTP(S) by a
// thread of its own. Reporting never blocks the caller: events wait in a
// bounded queue and past a rate (a burst of 10, then one every 6 s) they
// are dropped and counted.

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace parley::runtime {

// What a DSN says: https://PUBLIC_KEY@HOST[:PORT][/PATH]/PROJECT_ID.
struct sentry_dsn {
  std::string dsn, public_key, envelope_url;
};
// nullopt for anything that is not a DSN (why goes to `why`).
std::optional<sentry_dsn> parse_dsn(const std::string& dsn, std::string& why);

struct sentry_event {
  std::string level = "error";  // error | warning | info
  std::string logger;           // the component
  std::string message;
  std::map<std::string, std::string> tags;
};

// The envelope for `e`: a header line, an item header and the event.
std::string make_envelope(const sentry_dsn& dsn, const sentry_event& e, const std::string& event_id,
                          const std::string& release, const std::string& environment);

class error_reporter {
 public:
  error_reporter(sentry_dsn dsn, std::string release, std::string environment);
  ~error_reporter();  // sends what is queued (each send gives up after 5 s), then stops
  error_reporter(const error_reporter&) = delete;
  error_reporter& operator=(const error_reporter&) = delete;

  // Queues the event; false when it was dropped (rate or queue full).
  bool report(sentry_event e);
  // A structured log line (log::set_error_hook): msg, component, the rest as tags.
  bool report_log_line(const std::string& json_line);

  std::size_t sent() const;
  std::size_t dropped() const;

 private:
  bool admit();
  void run();
  void post(const std::string& envelope);

  sentry_dsn dsn_;
  std::string release_, environment_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::string> queue_;  // envelopes
  bool stopping_ = false;
  double tokens_;
  std::chrono::steady_clock::time_point last_;
  std::size_t sent_ = 0, dropped_ = 0;
  std::thread thread_;
};

}  // namespace parley::runtime
