// Supervision semantics against a real actor system: each strategy, each
// restart type, intensity and escalation, backoff, dynamic children.

#include <boost/test/unit_test.hpp>
#include <caf/all.hpp>
#include <condition_variable>
#include <future>
#include <map>
#include <mutex>
#include <thread>

#include "messages/supervision.hpp"
#include "runtime/common/metrics.hpp"
#include "runtime/common/on_demand.hpp"
#include "runtime/common/supervisor.hpp"

using namespace parley::runtime;
using namespace std::chrono_literals;

namespace {

using finish_atom = caf::atom_constant<caf::atom("finish")>;
using throw_atom = caf::atom_constant<caf::atom("throw")>;

// Workers publish their current handle by name so a test can talk to them.
struct handles {
  std::mutex mutex;
  std::map<std::string, caf::actor> by_name;
  caf::actor get(const std::string& n) {
    std::lock_guard<std::mutex> g(mutex);
    return by_name.at(n);
  }
};

child_spec worker(std::shared_ptr<handles> h, const std::string& name, restart_type r) {
  child_spec c;
  c.kind = "worker";
  c.tags = {{"name", name}};
  c.restart = r;
  c.start = [h, name](caf::local_actor* sup, const child_context& ctx) {
    auto a = sup->spawn([ctx](caf::event_based_actor* self) -> caf::behavior {
      announce_ready(self, ctx.supervisor, ctx.id);
      return {[self](finish_atom) { self->quit(); },
              [](throw_atom) { throw std::runtime_error("injected failure"); }};
    });
    std::lock_guard<std::mutex> g(h->mutex);
    h->by_name[name] = a;
    return a;
  };
  return c;
}

struct fixture {
  actor_registry reg;
  metrics stats{reg};
  services svc{reg, stats};
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  std::shared_ptr<handles> h = std::make_shared<handles>();
  caf::actor root;
  std::promise<std::string> escalation;

  void start(supervisor_spec spec) {
    const auto id = reg.add("supervisor", 0, {{"name", spec.name}});
    std::promise<void> up;
    root_hooks hooks;
    hooks.on_ready = [&up] { up.set_value(); };
    hooks.on_escalate = [this](const std::string& why) { escalation.set_value(why); };
    root = spawn_root(sys, svc, id, std::move(spec), hooks);
    BOOST_REQUIRE(up.get_future().wait_for(5s) == std::future_status::ready);
  }

  ~fixture() {
    caf::anon_send_exit(root, caf::exit_reason::user_shutdown);
    sys.await_all_actors_done();
  }

  std::optional<actor_info> named(const std::string& name) {
    for (auto& a : reg.snapshot())
      if (a.tags.count("name") && a.tags.at("name") == name) return a;
    return std::nullopt;
  }

  // Waits until `name` is running with `restarts` restarts.
  bool running_with(const std::string& name, std::uint32_t restarts,
                    std::chrono::milliseconds t = 5s) {
    return reg.wait_until(
        [&](const std::vector<actor_info>& all) {
          for (auto& a : all)
            if (a.tags.count("name") && a.tags.at("name") == name)
              return a.state == actor_state::running && a.restarts == restarts;
          return false;
        },
        t);
  }

  // Waits until the supervisor has taken `name`'s death: restarts counted,
  // no incarnation running.
  bool between_incarnations(const std::string& name, std::uint32_t restarts) {
    return reg.wait_until(
        [&](const std::vector<actor_info>& all) {
          for (auto& a : all)
            if (a.tags.count("name") && a.tags.at("name") == name)
              return a.state == actor_state::restarting && a.restarts == restarts;
          return false;
        },
        5s);
  }

  bool gone(const std::string& name) {
    return reg.wait_until(
        [&](const std::vector<actor_info>& all) {
          for (auto& a : all)
            if (a.tags.count("name") && a.tags.at("name") == name) return false;
          return true;
        },
        5s);
  }

  void kill(const std::string& name) {
    BOOST_REQUIRE(reg.kill(named(name)->id) == kill_result::killed);
  }
};

supervisor_spec spec_of(strategy s, std::vector<child_spec> children) {
  supervisor_spec spec;
  spec.name = "root";
  spec.restart_strategy = s;
  spec.children = std::move(children);
  return spec;
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(supervisor, fixture)

BOOST_AUTO_TEST_CASE(one_for_one_restarts_only_the_failed_child) {
  start(spec_of(strategy::one_for_one, {worker(h, "a", restart_type::permanent),
                                        worker(h, "b", restart_type::permanent)}));
  const auto b_before = named("b")->started;
  kill("a");
  BOOST_REQUIRE(running_with("a", 1));
  BOOST_CHECK_EQUAL(named("a")->last_exit, "kill");
  BOOST_CHECK_EQUAL(named("b")->restarts, 0u);
  BOOST_CHECK(named("b")->started == b_before);
  const auto text = stats.serialize();
  BOOST_CHECK(text.find("parley_actor_restarts_total{kind=\"worker\",reason=\"kill\"} 1") !=
              std::string::npos);
  BOOST_CHECK(text.find("parley_actor_recovery_seconds_count{kind=\"worker\"} 1") !=
              std::string::npos);
  BOOST_CHECK(text.find("parley_actors{kind=\"worker\"} 2") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(transient_child_restarts_after_failure_but_not_after_normal_exit) {
  start(spec_of(strategy::one_for_one, {worker(h, "t", restart_type::transient)}));
  caf::anon_send(h->get("t"), throw_atom::value);
  BOOST_REQUIRE(running_with("t", 1));
  BOOST_CHECK_EQUAL(named("t")->last_exit, "exception");
  caf::anon_send(h->get("t"), finish_atom::value);
  BOOST_CHECK(gone("t"));
}

BOOST_AUTO_TEST_CASE(permanent_child_restarts_even_after_normal_exit) {
  start(spec_of(strategy::one_for_one, {worker(h, "p", restart_type::permanent)}));
  caf::anon_send(h->get("p"), finish_atom::value);
  BOOST_REQUIRE(running_with("p", 1));
  BOOST_CHECK_EQUAL(named("p")->last_exit, "normal");
}

BOOST_AUTO_TEST_CASE(temporary_child_is_never_restarted) {
  start(spec_of(strategy::one_for_one, {worker(h, "tmp", restart_type::temporary),
                                        worker(h, "keep", restart_type::permanent)}));
  kill("tmp");
  BOOST_CHECK(gone("tmp"));
  BOOST_CHECK_EQUAL(named("keep")->restarts, 0u);
}

BOOST_AUTO_TEST_CASE(one_for_all_restarts_every_child) {
  start(spec_of(strategy::one_for_all,
                {worker(h, "a", restart_type::permanent), worker(h, "b", restart_type::permanent),
                 worker(h, "c", restart_type::permanent)}));
  kill("b");
  BOOST_REQUIRE(running_with("a", 1));
  BOOST_REQUIRE(running_with("b", 1));
  BOOST_REQUIRE(running_with("c", 1));
  BOOST_CHECK_EQUAL(named("a")->last_exit, "sibling");
  BOOST_CHECK_EQUAL(named("b")->last_exit, "kill");
}

BOOST_AUTO_TEST_CASE(rest_for_one_restarts_the_failed_child_and_later_ones) {
  start(spec_of(strategy::rest_for_one,
                {worker(h, "a", restart_type::permanent), worker(h, "b", restart_type::permanent),
                 worker(h, "c", restart_type::permanent)}));
  kill("b");
  BOOST_REQUIRE(running_with("b", 1));
  BOOST_REQUIRE(running_with("c", 1));
  BOOST_CHECK_EQUAL(named("a")->restarts, 0u);
}

BOOST_AUTO_TEST_CASE(exceeding_intensity_escalates_to_the_parent) {
  supervisor_spec inner;
  inner.name = "inner";
  inner.intensity = {2, 60s};
  inner.backoff.base = 1ms;
  inner.children = {worker(h, "w", restart_type::permanent)};
  start(spec_of(strategy::one_for_one, {supervisor_child(inner)}));
  for (std::uint32_t i = 1; i <= 2; ++i) {
    kill("w");
    BOOST_REQUIRE(running_with("w", i));
  }
  kill("w");  // the third restart within the period is one too many
  BOOST_REQUIRE(running_with("inner", 1));
  BOOST_CHECK_EQUAL(named("inner")->last_exit, "escalated");
  BOOST_REQUIRE(running_with("w", 0));  // a fresh child under the new inner supervisor
  BOOST_CHECK(stats.serialize().find("parley_supervisor_escalations_total{kind=\"worker\"} 1") !=
              std::string::npos);
}

BOOST_AUTO_TEST_CASE(escalation_at_the_root_calls_the_hook) {
  auto spec = spec_of(strategy::one_for_one, {worker(h, "w", restart_type::permanent)});
  spec.intensity = {1, 60s};
  start(spec);
  auto gave_up = escalation.get_future();
  kill("w");
  BOOST_REQUIRE(running_with("w", 1));
  kill("w");
  BOOST_REQUIRE(gave_up.wait_for(5s) == std::future_status::ready);
  BOOST_CHECK(gave_up.get().find("gave up") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(repeated_failures_wait_out_the_backoff) {
  auto spec = spec_of(strategy::one_for_one, {worker(h, "w", restart_type::permanent)});
  spec.backoff = {300ms, 2s, 0.1};
  start(spec);
  kill("w");  // first failure: immediate
  BOOST_REQUIRE(running_with("w", 1, 1s));
  const auto t0 = std::chrono::steady_clock::now();
  kill("w");  // second: waits about base
  BOOST_REQUIRE(running_with("w", 2));
  BOOST_CHECK(std::chrono::steady_clock::now() - t0 >= 270ms);
}

BOOST_AUTO_TEST_CASE(a_child_that_ran_stably_comes_back_at_once) {
  auto spec = spec_of(strategy::one_for_one, {worker(h, "w", restart_type::permanent)});
  spec.backoff = {2s, 4s, 0.1, 50ms};
  start(spec);
  kill("w");
  BOOST_REQUIRE(running_with("w", 1, 1s));
  kill("w");  // died right after starting: waits out the backoff
  BOOST_REQUIRE(running_with("w", 2, 5s));
  // Uptime is what is under test here, so time has to pass.
  std::this_thread::sleep_for(100ms);
  const auto t0 = std::chrono::steady_clock::now();
  kill("w");  // it ran longer than reset_after: not a crash loop
  BOOST_REQUIRE(running_with("w", 3, 1s));
  BOOST_CHECK(std::chrono::steady_clock::now() - t0 < 1s);
}

BOOST_AUTO_TEST_CASE(dynamic_children_start_and_stop_on_request) {
  start(spec_of(strategy::one_for_one, {}));
  caf::scoped_actor self{sys};
  actor_id id = 0;
  self->request(root, caf::infinite, parley::messages::start_child_atom::value,
                worker(h, "dyn", restart_type::transient))
      .receive([&](actor_id got) { id = got; },
               [](caf::error& e) { BOOST_FAIL("start_child failed: " << caf::to_string(e)); });
  BOOST_REQUIRE(running_with("dyn", 0));
  BOOST_CHECK_EQUAL(named("dyn")->id, id);
  BOOST_CHECK_EQUAL(named("dyn")->parent, named("root")->id);
  self->send(root, parley::messages::stop_child_atom::value, id);
  BOOST_CHECK(gone("dyn"));
}

// On-demand children by key, made by the supervisor's own factory; each
// spec counts how often it was started (what a session's memory would keep).
std::shared_ptr<on_demand_children> keyed(std::shared_ptr<handles> h,
                                          std::shared_ptr<std::map<std::string, int>> starts,
                                          restart_type r = restart_type::permanent) {
  return std::make_shared<on_demand_children>("key", [h, starts, r](const std::string& key) {
    auto spec = worker(h, key, r);
    auto start = spec.start;
    spec.start = [starts, key, start](caf::local_actor* sup, const child_context& ctx) {
      ++(*starts)[key];
      return start(sup, ctx);
    };
    return spec;
  });
}

caf::actor ask(caf::scoped_actor& self, const caf::actor& to, const caf::message& what) {
  caf::actor got;
  self->request(to, 5s, what)
      .receive([&](caf::actor& a) { got = a; },
               [](caf::error& e) { BOOST_FAIL("request failed: " << caf::to_string(e)); });
  return got;
}

BOOST_AUTO_TEST_CASE(find_or_start_returns_the_current_incarnation) {
  auto spec = spec_of(strategy::one_for_one, {});
  spec.backoff = {200ms, 1s, 0.1};
  auto starts = std::make_shared<std::map<std::string, int>>();
  spec.on_demand = keyed(h, starts);
  start(spec);
  caf::scoped_actor self{sys};
  const auto find =
      caf::make_message(parley::messages::find_or_start_atom::value, std::string("g"));
  const auto first = ask(self, root, find);
  BOOST_CHECK(first == ask(self, root, find));  // found, not started twice
  BOOST_CHECK_EQUAL(reg.count(), 2u);
  BOOST_CHECK_EQUAL(named("g")->tags.at("key"), "g");
  kill("g");
  BOOST_REQUIRE(running_with("g", 1));
  kill("g");  // now waits out the backoff; a request meanwhile gets the next incarnation
  BOOST_REQUIRE(between_incarnations("g", 2));
  const auto third = ask(self, root, find);
  BOOST_CHECK(third != first);
  BOOST_CHECK(third == h->get("g"));
  BOOST_CHECK_EQUAL(starts->at("g"), 3);
}

BOOST_AUTO_TEST_CASE(find_or_start_is_refused_without_on_demand_children) {
  start(spec_of(strategy::one_for_one, {}));
  caf::scoped_actor self{sys};
  bool refused = false;
  self->request(root, 5s, parley::messages::find_or_start_atom::value, std::string("g"))
      .receive([](caf::actor&) {}, [&](caf::error&) { refused = true; });
  BOOST_CHECK(refused);
}

// The sessions supervisor's children come back with it: a killed supervisor
// does not lose the guilds it held.
BOOST_AUTO_TEST_CASE(on_demand_children_come_back_with_a_restarted_supervisor) {
  supervisor_spec inner;
  inner.name = "inner";
  auto starts = std::make_shared<std::map<std::string, int>>();
  inner.on_demand = keyed(h, starts);
  start(spec_of(strategy::one_for_one, {supervisor_child(inner)}));
  caf::scoped_actor self{sys};
  const auto sup =
      ask(self, root,
          caf::make_message(parley::messages::find_child_atom::value, std::string("inner")));
  ask(self, sup, caf::make_message(parley::messages::find_or_start_atom::value, std::string("a")));
  ask(self, sup, caf::make_message(parley::messages::find_or_start_atom::value, std::string("b")));
  kill("inner");
  BOOST_REQUIRE(running_with("inner", 1));
  BOOST_REQUIRE(running_with("a", 0));
  BOOST_REQUIRE(running_with("b", 0));
  BOOST_CHECK_EQUAL(starts->at("a"), 2);  // the same spec, started again
  BOOST_CHECK_EQUAL(starts->at("b"), 2);
  BOOST_CHECK_EQUAL(named("a")->parent, named("inner")->id);
}

// A child that ended for good is forgotten: a restarted supervisor does not
// bring it back.
BOOST_AUTO_TEST_CASE(an_on_demand_child_that_ended_is_forgotten) {
  supervisor_spec inner;
  inner.name = "inner";
  auto starts = std::make_shared<std::map<std::string, int>>();
  inner.on_demand = keyed(h, starts, restart_type::transient);
  start(spec_of(strategy::one_for_one, {supervisor_child(inner)}));
  caf::scoped_actor self{sys};
  const auto sup =
      ask(self, root,
          caf::make_message(parley::messages::find_child_atom::value, std::string("inner")));
  ask(self, sup, caf::make_message(parley::messages::find_or_start_atom::value, std::string("a")));
  caf::anon_send(h->get("a"), finish_atom::value);
  BOOST_REQUIRE(gone("a"));
  kill("inner");
  BOOST_REQUIRE(running_with("inner", 1));
  BOOST_CHECK(!named("a"));
  BOOST_CHECK_EQUAL(starts->at("a"), 1);
}

// A worker whose first incarnation, told to finish, blocks in a long call
// until `released`: a kill cannot end it before the call returns.
struct slow_to_die {
  std::shared_ptr<std::map<std::string, int>> starts =
      std::make_shared<std::map<std::string, int>>();
  std::shared_ptr<std::promise<void>> release = std::make_shared<std::promise<void>>();
  std::shared_future<void> released = release->get_future().share();
  struct counter {
    std::mutex m;
    std::condition_variable cv;
    int n = 0;
    void add() {
      std::lock_guard<std::mutex> g(m);
      ++n;
      cv.notify_all();
    }
    void wait_for(int want) {
      std::unique_lock<std::mutex> l(m);
      cv.wait(l, [&] { return n >= want; });
    }
  };
  std::shared_ptr<counter> blocked = std::make_shared<counter>();

  child_spec spec(const std::string& name) const {
    child_spec c;
    c.kind = "worker";
    c.tags = {{"name", name}};
    c.start = [starts = starts, released = released, blocked = blocked, name](
                  caf::local_actor* sup, const child_context& ctx) {
      const int n = ++(*starts)[name];
      return sup->spawn<caf::detached>(
          [ctx, n, released, blocked](caf::event_based_actor* self) -> caf::behavior {
            announce_ready(self, ctx.supervisor, ctx.id);
            return {[n, released, blocked](finish_atom) {
              if (n != 1) return;
              blocked->add();
              released.wait();
            }};
          });
    };
    return c;
  }
};

// Two incarnations of one child never run at once: under a restarted
// supervisor, a child (static or on demand) starts only when its
// predecessor has ended, even if that takes a while.
BOOST_AUTO_TEST_CASE(a_successor_waits_for_its_predecessor_to_end) {
  slow_to_die slow;
  supervisor_spec inner;
  inner.name = "inner";
  inner.children = {slow.spec("s")};
  inner.on_demand = std::make_shared<on_demand_children>(
      "key", [slow](const std::string& key) { return slow.spec(key); });
  start(spec_of(strategy::one_for_one, {supervisor_child(inner)}));
  caf::scoped_actor self{sys};
  const auto sup =
      ask(self, root,
          caf::make_message(parley::messages::find_child_atom::value, std::string("inner")));
  const auto a = ask(
      self, sup, caf::make_message(parley::messages::find_or_start_atom::value, std::string("a")));
  self->send(a, finish_atom::value);
  self->send(
      ask(self, sup, caf::make_message(parley::messages::find_child_atom::value, std::string("s"))),
      finish_atom::value);
  slow.blocked->wait_for(2);
  kill("inner");
  // The new supervisor is up; the old children are inside their call.
  BOOST_REQUIRE(reg.wait_until(
      [](const std::vector<actor_info>& all) {
        int waiting = 0;
        for (auto& a : all) waiting += a.kind == "worker" && a.state == actor_state::starting;
        return waiting == 2;
      },
      5s));
  BOOST_CHECK_EQUAL(slow.starts->at("a"), 1);
  BOOST_CHECK_EQUAL(slow.starts->at("s"), 1);
  BOOST_CHECK_EQUAL(named("inner")->restarts, 1u);
  BOOST_CHECK(named("inner")->state == actor_state::starting);  // its child is not back yet
  slow.release->set_value();
  BOOST_REQUIRE(running_with("a", 0));
  BOOST_REQUIRE(running_with("s", 0));
  BOOST_REQUIRE(running_with("inner", 1));
  BOOST_CHECK_EQUAL(slow.starts->at("a"), 2);
  BOOST_CHECK_EQUAL(slow.starts->at("s"), 2);
}

// A connection reaches the sessions supervisor through the tree: asked of
// its own supervisor, the question climbs to whoever has that child, and
// waits while the child is between incarnations.
BOOST_AUTO_TEST_CASE(find_child_climbs_the_tree_and_waits_for_a_restart) {
  supervisor_spec left, right;
  left.name = "left";
  left.children = {worker(h, "w", restart_type::permanent)};
  right.name = "right";
  right.backoff = {300ms, 1s, 0.1};
  auto spec = spec_of(strategy::one_for_one, {supervisor_child(left), supervisor_child(right)});
  spec.backoff = {300ms, 1s, 0.1};
  start(spec);
  caf::scoped_actor self{sys};
  const auto find_left =
      caf::make_message(parley::messages::find_child_atom::value, std::string("left"));
  const auto find_right =
      caf::make_message(parley::messages::find_child_atom::value, std::string("right"));
  const auto l = ask(self, root, find_left);
  const auto r = ask(self, l, find_right);  // left has no such child: root answers
  BOOST_CHECK(r == ask(self, root, find_right));
  kill("right");
  BOOST_REQUIRE(running_with("right", 1));
  kill("right");  // within the backoff: the next incarnation comes later
  BOOST_REQUIRE(between_incarnations("right", 2));
  const auto again = ask(self, l, find_right);
  BOOST_CHECK(again != r);
  BOOST_CHECK_EQUAL(named("right")->restarts, 2u);
  bool refused = false;
  self->request(l, 5s, parley::messages::find_child_atom::value, std::string("nobody"))
      .receive([](caf::actor&) {}, [&](caf::error&) { refused = true; });
  BOOST_CHECK(refused);
}

BOOST_AUTO_TEST_SUITE_END()
