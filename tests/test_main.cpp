#define BOOST_TEST_MODULE parley
#include <boost/test/unit_test.hpp>
