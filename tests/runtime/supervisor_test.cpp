// Supervision semantics against a real actor system: each strategy, each
// restart type, intensity and escalation, backoff, dynamic children.

#include <boost/test/unit_test.hpp>
#include <caf/all.hpp>
#include <future>
#include <map>
#include <mutex>
#include <thread>

#include "messages/supervision.hpp"
#include "runtime/metrics.hpp"
#include "runtime/supervisor.hpp"

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

  bool gone(const std::string& name) {
    return reg.wait_until(
        [&](const std::vector<actor_info>& all) {
          for (auto& a : all)
            if (a.tags.count("name") && a.tags.at("name") == name) return false;
          return true;
        },
        5s);
  }

  void kill(const std::string& name) { BOOST_REQUIRE(reg.kill(named(name)->id)); }
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

BOOST_AUTO_TEST_CASE(find_or_start_returns_the_current_incarnation) {
  auto spec = spec_of(strategy::one_for_one, {});
  spec.backoff = {200ms, 1s, 0.1};
  start(spec);
  caf::scoped_actor self{sys};
  auto ask = [&] {
    caf::actor got;
    self->request(root, 5s, parley::messages::find_or_start_atom::value, std::string("name"),
                  std::string("g"), worker(h, "g", restart_type::permanent))
        .receive([&](caf::actor& a) { got = a; },
                 [](caf::error& e) { BOOST_FAIL("find_or_start failed: " << caf::to_string(e)); });
    return got;
  };
  const auto first = ask();
  BOOST_CHECK(first == ask());  // found, not started twice
  BOOST_CHECK_EQUAL(reg.count(), 2u);
  kill("g");
  BOOST_REQUIRE(running_with("g", 1));
  kill("g");  // now waits out the backoff; a request meanwhile gets the next incarnation
  const auto third = ask();
  BOOST_CHECK(third != first);
  BOOST_CHECK(third == h->get("g"));
}

BOOST_AUTO_TEST_SUITE_END()
