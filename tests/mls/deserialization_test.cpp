// The TLS codec against the working group's deserialization vectors
// (variable-length vector headers) and the strictness MLS asks for:
// non-minimal varints, truncated vectors, trailing bytes and bad presence
// bytes are all refused with mls::error.

#include <boost/test/unit_test.hpp>

#include "actors/transport/discord/mls/codec.hpp"
#include "tests/mls/vectors.hpp"

using namespace parley::mls;
using parley::mls::test::from_hex;
using parley::mls::test::to_hex;

BOOST_AUTO_TEST_SUITE(mls_deserialization)

BOOST_AUTO_TEST_CASE(varint_headers_match_vectors) {
  const auto vectors = test::load_vectors("deserialization");
  BOOST_TEST_REQUIRE(!vectors.empty());
  for (const auto& v : vectors) {
    const auto header_hex = v.at("vlbytes_header").get<std::string>();
    const auto length = v.at("length").get<std::uint64_t>();
    BOOST_TEST_CONTEXT("header " << header_hex) {
      const auto header = from_hex(header_hex);
      tls_reader r(header);
      BOOST_TEST(r.varint() == length);
      BOOST_TEST(r.empty());
      tls_writer w;
      w.varint(length);
      BOOST_TEST(to_hex(w.data()) == header_hex);
    }
  }
}

BOOST_AUTO_TEST_CASE(non_minimal_varints_are_refused) {
  for (const char* hex : {"4000", "403f", "80000000", "80003fff"}) {
    const auto data = from_hex(hex);
    tls_reader r(data);
    BOOST_CHECK_THROW(r.varint(), error);
  }
}

BOOST_AUTO_TEST_CASE(reserved_varint_prefix_is_refused) {
  const auto data = from_hex("c000000000000000");
  tls_reader r(data);
  BOOST_CHECK_THROW(r.varint(), error);
  tls_writer w;
  BOOST_CHECK_THROW(w.varint(std::uint64_t{1} << 30), error);
}

BOOST_AUTO_TEST_CASE(truncated_input_is_refused) {
  // A varint header cut short.
  for (const char* hex : {"40", "8000", "800040"}) {
    const auto data = from_hex(hex);
    tls_reader r(data);
    BOOST_CHECK_THROW(r.varint(), error);
  }
  // An opaque vector that claims more than is there.
  const auto data = from_hex("05010203");
  tls_reader r(data);
  BOOST_CHECK_THROW(r.opaque(), error);
  const auto empty = bytes{};
  tls_reader none(empty);
  BOOST_CHECK_THROW(none.u8(), error);
  BOOST_CHECK_THROW(none.u16(), error);
  BOOST_CHECK_THROW(none.u32(), error);
  BOOST_CHECK_THROW(none.u64(), error);
  BOOST_CHECK_THROW(none.raw(1), error);
}

BOOST_AUTO_TEST_CASE(vector_of_items_stays_within_its_length) {
  // vector<V> of uint16 items whose length (3) splits an item.
  const auto data = from_hex("03000100020003");
  tls_reader r(data);
  BOOST_CHECK_THROW(r.vector([](tls_reader& in) { in.u16(); }), error);
}

BOOST_AUTO_TEST_CASE(trailing_bytes_are_refused) {
  const auto data = from_hex("0201020304");
  BOOST_CHECK_THROW(decode_all<bytes>(data, [](tls_reader& r) { return r.opaque(); }), error);
  const auto exact = from_hex("020102");
  BOOST_TEST(to_hex(decode_all<bytes>(exact, [](tls_reader& r) { return r.opaque(); })) == "0102");
}

BOOST_AUTO_TEST_CASE(presence_byte_must_be_zero_or_one) {
  const auto data = from_hex("000102");
  tls_reader r(data);
  BOOST_TEST(!r.present());
  BOOST_TEST(r.present());
  BOOST_CHECK_THROW(r.present(), error);
}

BOOST_AUTO_TEST_CASE(round_trip_of_every_width) {
  tls_writer w;
  w.u8(0xab);
  w.u16(0xabcd);
  w.u32(0x01020304);
  w.u64(0x0102030405060708);
  w.opaque(from_hex("deadbeef"));
  w.vector([](tls_writer& in) {
    in.u16(1);
    in.u16(2);
  });
  const auto data = w.take();
  tls_reader r(data);
  BOOST_TEST(r.u8() == 0xab);
  BOOST_TEST(r.u16() == 0xabcd);
  BOOST_TEST(r.u32() == 0x01020304u);
  BOOST_TEST(r.u64() == 0x0102030405060708u);
  BOOST_TEST(to_hex(r.opaque()) == "deadbeef");
  std::vector<std::uint16_t> items;
  r.vector([&](tls_reader& in) { items.push_back(in.u16()); });
  BOOST_TEST(items == (std::vector<std::uint16_t>{1, 2}));
  BOOST_CHECK_NO_THROW(r.finish());
}

BOOST_AUTO_TEST_SUITE_END()
