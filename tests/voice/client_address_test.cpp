// Which address a connection counts against, behind proxies or not.

#include <boost/test/unit_test.hpp>

#include "actors/transport/websocket/client_address.hpp"

using parley::transport::client_address;

BOOST_AUTO_TEST_SUITE(client_addresses)

BOOST_AUTO_TEST_CASE(an_untrusted_peer_is_itself_whatever_it_claims) {
  BOOST_CHECK_EQUAL(client_address("192.0.2.1", "203.0.113.7", {}), "192.0.2.1");
  BOOST_CHECK_EQUAL(client_address("192.0.2.1", "203.0.113.7", {"10.0.0.1"}), "192.0.2.1");
}

BOOST_AUTO_TEST_CASE(a_trusted_proxy_names_the_client) {
  BOOST_CHECK_EQUAL(client_address("10.0.0.1", "203.0.113.7", {"10.0.0.1"}), "203.0.113.7");
  BOOST_CHECK_EQUAL(client_address("10.0.0.1", " 203.0.113.7 ", {"10.0.0.1"}), "203.0.113.7");
  BOOST_CHECK_EQUAL(client_address("10.0.0.1", "", {"10.0.0.1"}), "10.0.0.1");
}

BOOST_AUTO_TEST_CASE(hops_are_believed_only_as_far_as_trusted_proxies_wrote_them) {
  const std::vector<std::string> proxies{"10.0.0.1", "10.0.0.2"};
  // client -> 10.0.0.2 -> 10.0.0.1 -> parley
  BOOST_CHECK_EQUAL(client_address("10.0.0.1", "203.0.113.7, 10.0.0.2", proxies), "203.0.113.7");
  // A client that writes its own X-Forwarded-For cannot pick its address.
  BOOST_CHECK_EQUAL(client_address("10.0.0.1", "1.2.3.4, 203.0.113.7", proxies), "203.0.113.7");
  BOOST_CHECK_EQUAL(client_address("10.0.0.1", "1.2.3.4,,", proxies), "10.0.0.1");
}

BOOST_AUTO_TEST_SUITE_END()
