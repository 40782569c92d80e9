#include "tests/support/test_transport.hpp"

#include <optional>

#include "actors/transport/member/session_link.hpp"
#include "messages/supervision.hpp"

namespace parley::test {

using namespace parley::messages;
using namespace std::chrono_literals;

struct test_member::inbox {
  mutable std::mutex mutex;
  mutable std::condition_variable changed;
  std::vector<session_event> events;
  std::size_t reply_frames = 0;
  std::uint64_t unacked = 0;
  bool joined = false;
  std::string token;

  template <class F>
  void update(F f) {
    {
      std::lock_guard<std::mutex> lock(mutex);
      f();
    }
    changed.notify_all();
  }
};

namespace {

using send_audio_atom = caf::atom_constant<caf::atom("tsaudio")>;
using type_atom = caf::atom_constant<caf::atom("tstype")>;

struct member_state {
  std::shared_ptr<test_member::inbox> in;
  std::optional<transport::session_link> link;
  static inline const char* name = "test_member";
};
using member_actor = caf::stateful_actor<member_state>;

void count_unacked(member_actor* self) {
  self->state.in->update([&] { self->state.in->unacked = self->state.link->unacked(); });
}

caf::behavior member(member_actor* self, std::shared_ptr<test_member::inbox> in, caf::actor tree,
                     std::string guild, std::string user, resumption resume) {
  auto& st = self->state;
  st.in = std::move(in);
  transport::session_link::hooks hooks;
  hooks.on_joined = [self](bool) {
    self->state.in->update([&] {
      self->state.in->joined = true;
      self->state.in->token = self->state.link->token();
    });
  };
  st.link.emplace(std::move(guild), std::move(user), std::move(tree), std::move(hooks));
  self->set_down_handler([self](caf::down_msg& dm) { self->state.link->on_down(self, dm); });
  st.link->start(self, std::move(resume.token), resume.received);
  return {
      [self](stream_atom, caf::actor& s) { self->state.link->on_stream(self, std::move(s)); },
      [self](frames_done& d) {
        self->state.link->on_done(d);
        count_unacked(self);
      },
      [self](join_atom) { self->state.link->on_join_retry(self); },
      [self](session_event& e) {
        self->state.link->on_event(self, e);
        self->state.in->update([&] { self->state.in->events.push_back(std::move(e)); });
      },
      [self](reply_audio&) {
        self->state.link->count_received();
        self->state.in->update([&] { ++self->state.in->reply_frames; });
      },
      [self](send_audio_atom, bytes& opus) {
        self->state.link->frame(self, std::move(opus));
        count_unacked(self);
      },
      [self](type_atom, std::string& text) { self->state.link->text_turn(self, text); },
      [self](leave_atom) {
        self->state.link->leave(self);
        self->quit();
      },
  };
}

}  // namespace

test_member::test_member(caf::actor_system& sys, caf::actor tree, std::string guild,
                         std::string user, resumption resume)
    : in_(std::make_shared<inbox>()),
      member_(sys.spawn(member, in_, std::move(tree), std::move(guild), std::move(user),
                        std::move(resume))) {}

resumption test_member::resume_with() const {
  std::lock_guard<std::mutex> lock(in_->mutex);
  std::uint64_t received = in_->reply_frames;
  for (const auto& e : in_->events) received += e.type != event_type::error ? 1 : 0;
  return {in_->token, received};
}

void test_member::kill() {
  caf::scoped_actor waiter{member_.home_system()};
  waiter->monitor(member_);
  caf::anon_send_exit(member_, caf::exit_reason::kill);
  waiter->receive([](const caf::down_msg&) {});
}

test_member::~test_member() {
  caf::anon_send(member_, leave_atom::value);
}

bool test_member::wait_joined(std::chrono::milliseconds limit) {
  std::unique_lock<std::mutex> lock(in_->mutex);
  return in_->changed.wait_for(lock, limit, [&] { return in_->joined; });
}

void test_member::send_audio(bytes opus) {
  caf::anon_send(member_, send_audio_atom::value, std::move(opus));
}

void test_member::type(const std::string& text) {
  caf::anon_send(member_, type_atom::value, text);
}

void test_member::leave() {
  caf::anon_send(member_, leave_atom::value);
}

std::vector<session_event> test_member::events() const {
  std::lock_guard<std::mutex> lock(in_->mutex);
  return in_->events;
}

std::size_t test_member::reply_frames() const {
  std::lock_guard<std::mutex> lock(in_->mutex);
  return in_->reply_frames;
}

std::uint64_t test_member::unacked() const {
  std::lock_guard<std::mutex> lock(in_->mutex);
  return in_->unacked;
}

bool test_member::wait_until(const progress& done, std::chrono::milliseconds limit) const {
  std::unique_lock<std::mutex> lock(in_->mutex);
  return in_->changed.wait_for(lock, limit, [&] { return done(in_->events, in_->reply_frames); });
}

long find_event(const std::vector<session_event>& evs, event_type type, std::uint64_t turn) {
  for (std::size_t i = 0; i < evs.size(); ++i)
    if (evs[i].type == type && (turn == 0 || evs[i].turn == turn)) return static_cast<long>(i);
  return -1;
}

}  // namespace parley::test
