// The GEO commands (src/engine/cmd_geo.cc, src/engine/geohash.cc) beyond
// their replies, which tests/recordings/geo.json holds: keyspace events,
// dirty counts, client tracking and key positions, each sequence taken from
// redis-server 7.0.15; and the geohash arithmetic against the server's
// numbers, with a broken constant shown to be caught.
#include <cstdio>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "src/engine/command.h"
#include "src/engine/engine.h"
#include "src/engine/geohash.h"

namespace respfuzz::engine {
namespace {

std::string Exec(Engine& e, int s, std::vector<std::string> argv) {
  std::string out;
  e.Execute(s, argv, &out);
  EXPECT_TRUE(e.Validate().ok()) << e.Validate();
  return out;
}

std::string Bulk(std::string_view s) {
  return "$" + std::to_string(s.size()) + "\r\n" + std::string(s) + "\r\n";
}

std::string Event(std::string_view event, std::string_view key) {
  return "*4\r\n" + Bulk("pmessage") + Bulk("__keyevent*") +
         Bulk("__keyevent@0__:" + std::string(event)) + Bulk(key);
}

// The events redis-server 7.0.15 published for this sequence (PSUBSCRIBE
// __keyevent*, notify-keyspace-events KEAn): GEOADD is ZADD's, a stored
// search is "georadiusstore" / "geosearchstore" after "new", an empty one
// or a missing source deletes the destination ("del").
TEST(GeoEngine, KeyspaceEventsAsRedis) {
  Engine e;
  const int c = e.OpenSession();
  const int sub = e.OpenSession();
  Exec(e, c, {"CONFIG", "SET", "notify-keyspace-events", "KEAn"});
  Exec(e, sub, {"PSUBSCRIBE", "__keyevent*"});
  e.TakeOutput(sub);
  const auto run = [&](std::vector<std::string> argv) {
    Exec(e, c, std::move(argv));
    return e.TakeOutput(sub);
  };
  EXPECT_EQ(run({"GEOADD", "g", "13", "38", "a", "13.1", "38.1", "b"}),
            Event("new", "g") + Event("zadd", "g"));
  EXPECT_EQ(run({"GEOADD", "g", "XX", "CH", "13", "38.2", "a"}), Event("zadd", "g"));
  EXPECT_EQ(run({"GEOADD", "g", "NX", "13", "38.2", "a"}), "");
  EXPECT_EQ(run({"GEORADIUS", "g", "13", "38", "50", "km", "STORE", "d"}),
            Event("new", "d") + Event("georadiusstore", "d"));
  EXPECT_EQ(run({"GEORADIUS", "g", "13", "38", "50", "km", "STOREDIST", "d"}),
            Event("georadiusstore", "d"));
  EXPECT_EQ(run({"GEOSEARCHSTORE", "d2", "g", "FROMLONLAT", "13", "38", "BYRADIUS", "50", "km"}),
            Event("new", "d2") + Event("geosearchstore", "d2"));
  EXPECT_EQ(run({"GEOSEARCHSTORE", "d2", "g", "FROMLONLAT", "-50", "-50", "BYRADIUS", "1", "km"}),
            Event("del", "d2"));
  EXPECT_EQ(run({"GEORADIUS", "nokey", "1", "1", "1", "km", "STORE", "d"}), Event("del", "d"));
  EXPECT_EQ(run({"GEORADIUS", "nokey", "1", "1", "1", "km", "STORE", "d"}), "");
  EXPECT_EQ(run({"GEOADD", "g", "500", "1", "x"}), "");
  EXPECT_EQ(run({"GEOSEARCH", "g", "FROMLONLAT", "13", "38", "BYRADIUS", "50", "km"}), "");
}

TEST(GeoEngine, DirtyCountsAsRedis) {
  Engine e;
  const int c = e.OpenSession();
  const auto dirty = [&] {
    const std::string info = Exec(e, c, {"INFO", "persistence"});
    const size_t at = info.find("rdb_changes_since_last_save:");
    EXPECT_NE(at, std::string::npos);
    return std::stoll(info.substr(at + 28));
  };
  const int64_t start = dirty();
  Exec(e, c, {"GEOADD", "g", "13", "38", "a", "13.1", "38.1", "b", "13.2", "38.2", "c"});
  EXPECT_EQ(dirty(), start + 3);
  // A stored search counts its members; an emptied destination counts one.
  Exec(e, c, {"GEORADIUS", "g", "13", "38", "50", "km", "STORE", "d"});
  EXPECT_EQ(dirty(), start + 6);
  Exec(e, c, {"GEOSEARCHSTORE", "d", "g", "FROMLONLAT", "-50", "-50", "BYRADIUS", "1", "km"});
  EXPECT_EQ(dirty(), start + 7);
  Exec(e, c, {"GEOSEARCH", "g", "FROMLONLAT", "13", "38", "BYRADIUS", "50", "km"});
  EXPECT_EQ(dirty(), start + 7);
}

// A RESP3 client tracking "d" is told when a search stores into it or
// GEOADD writes it.
TEST(GeoEngine, TrackingInvalidation) {
  Engine e;
  const int t = e.OpenSession();
  const int w = e.OpenSession();
  Exec(e, t, {"HELLO", "3"});
  Exec(e, t, {"CLIENT", "TRACKING", "on"});
  Exec(e, w, {"GEOADD", "g", "13", "38", "a"});
  Exec(e, t, {"ZRANGE", "d", "0", "-1"});
  Exec(e, t, {"GEOPOS", "g", "a"});
  e.TakeOutput(t);
  const std::string push_d = ">2\r\n" + Bulk("invalidate") + "*1\r\n" + Bulk("d");
  const std::string push_g = ">2\r\n" + Bulk("invalidate") + "*1\r\n" + Bulk("g");
  Exec(e, w, {"GEORADIUS", "g", "13", "38", "50", "km", "STORE", "d"});
  EXPECT_EQ(e.TakeOutput(t), push_d);
  Exec(e, w, {"GEOADD", "g", "14", "38", "b"});
  EXPECT_EQ(e.TakeOutput(t), push_g);
}

// georadiusGetKeys: the key and the last STORE/STOREDIST's destination.
TEST(GeoEngine, KeyPositions) {
  const CommandSpec* georadius = FindCommand("georadius");
  ASSERT_NE(georadius, nullptr);
  const std::vector<std::string> argv = {"GEORADIUS", "k",     "1", "2",         "3",
                                         "km",        "STORE", "a", "STOREDIST", "b"};
  EXPECT_EQ(KeyPositions(*georadius, argv), (std::vector<size_t>{1, 9}));
  const std::vector<std::string> plain = {"GEORADIUS", "k", "1", "2", "3", "km", "STORE"};
  EXPECT_EQ(KeyPositions(*georadius, plain), (std::vector<size_t>{1}));
  const CommandSpec* bymember = FindCommand("georadiusbymember");
  ASSERT_NE(bymember, nullptr);
  const std::vector<std::string> bm = {"GEORADIUSBYMEMBER", "k", "m", "3", "km", "STORE", "d"};
  EXPECT_EQ(KeyPositions(*bymember, bm), (std::vector<size_t>{1, 6}));
  const CommandSpec* store = FindCommand("geosearchstore");
  ASSERT_NE(store, nullptr);
  const std::vector<std::string> gs = {"GEOSEARCHSTORE", "d", "s", "FROMMEMBER", "m",
                                       "BYRADIUS",       "1", "km"};
  EXPECT_EQ(KeyPositions(*store, gs), (std::vector<size_t>{1, 2}));
}

// The server's numbers: Palermo's score (GEOADD Sicily 13.361389 38.115556)
// and its position, the Palermo-Catania distance.
TEST(Geohash, AgreesWithTheServer) {
  geo::Bits h;
  ASSERT_TRUE(geo::EncodeWgs84(13.361389, 38.115556, geo::kStepMax, &h));
  EXPECT_EQ(geo::Align52(h), 3479099956230698u);
  double xy[2];
  ASSERT_TRUE(geo::DecodeScore(3479099956230698.0, xy));
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17Lf,%.17Lf", static_cast<long double>(xy[0]),
                static_cast<long double>(xy[1]));
  EXPECT_STREQ(buf, "13.36138933897018433,38.11555639549629859");
  double ct[2];
  ASSERT_TRUE(geo::DecodeScore(3479447370796909.0, ct));
  std::snprintf(buf, sizeof buf, "%.4f", geo::Distance(xy[0], xy[1], ct[0], ct[1]));
  EXPECT_STREQ(buf, "166274.1516");
  // Outside the Web Mercator latitudes there is no cell.
  EXPECT_FALSE(geo::EncodeWgs84(0, 85.06, geo::kStepMax, &h));
  // Scores no GEOADD writes still decode, as the server's conversion does
  // (its replies in geo.json's Limits): to the clamped corners.
  ASSERT_TRUE(geo::DecodeScore(-1.0, xy));
  EXPECT_EQ(xy[0], geo::kLonMax);
  EXPECT_EQ(xy[1], geo::kLatMax);
  // 1e30 converts to 0 (x86-64's out-of-range result, flipped): cell 0's
  // centre, -179.99999731779098511,-85.05112751263942528 on the server.
  ASSERT_TRUE(geo::DecodeScore(1e30, xy));
  std::snprintf(buf, sizeof buf, "%.17Lf,%.17Lf", static_cast<long double>(xy[0]),
                static_cast<long double>(xy[1]));
  EXPECT_STREQ(buf, "-179.99999731779098511,-85.05112751263942528");
}

// The checks above see a broken piece: an Earth radius off by a metre moves
// the distance's printed digits, and a latitude range of +-90 (GEOHASH's)
// gives another score.
TEST(Geohash, BrokenPiecesAreSeen) {
  double a[2], b[2];
  ASSERT_TRUE(geo::DecodeScore(3479099956230698.0, a));
  ASSERT_TRUE(geo::DecodeScore(3479447370796909.0, b));
  const double good = geo::Distance(a[0], a[1], b[0], b[1]);
  const double broken = good / geo::kEarthRadiusM * (geo::kEarthRadiusM + 1);
  char g[64], br[64];
  std::snprintf(g, sizeof g, "%.4f", good);
  std::snprintf(br, sizeof br, "%.4f", broken);
  EXPECT_STRNE(g, br);
  geo::Bits h;
  ASSERT_TRUE(geo::Encode({-180, 180}, {-90, 90}, 13.361389, 38.115556, geo::kStepMax, &h));
  EXPECT_NE(geo::Align52(h), 3479099956230698u);
}

}  // namespace
}  // namespace respfuzz::engine
