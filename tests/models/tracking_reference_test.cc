// The tracking reference model (harnesses/models/tracking_reference.h)
// against byte streams recorded from redis-server 7.0.15. Each case is a
// scenario in one small language, run both on the real server (by a
// throwaway recording script, on a free loopback port, with active expiry
// switched off from an extra connection) and here:
//   "A> CMD ARG..."  client A sends a command ("|" separates commands sent
//                    in one write, so they run in one event-loop turn; "$B"
//                    is client B's id). A client connects on first use.
//   "sleep MS"       time passes; "active-expire" an active expiry cycle;
//   "close A"        the client closes its connection.
// Every line is one event-loop turn (EndOfTurn after it). The expectation is
// each client's whole byte stream.
#include "harnesses/models/tracking_reference.h"

#include <gtest/gtest.h>

#include <map>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace respfuzz::models {
namespace {

std::vector<std::string> Split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string cur;
  for (char ch : s) {
    if (ch == sep) {
      out.push_back(cur);
      cur.clear();
    } else {
      cur += ch;
    }
  }
  out.push_back(cur);
  return out;
}

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(' ');
  size_t e = s.find_last_not_of(' ');
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

// Runs `script` on a fresh model; returns each client's byte stream.
std::map<std::string, std::string> RunScript(const std::string& script, int64_t first_id,
                                             TrackingOptions options = {}) {
  options.first_client_id = first_id;
  options.slots = 8;
  TrackingReference m(options);
  std::map<std::string, int> slots;
  std::map<std::string, std::string> streams;
  auto collect = [&] {
    for (const auto& [name, slot] : slots) {
      for (const OutFrame& f : m.TakeFrames(slot)) streams[name] += f.bytes;
    }
  };
  std::istringstream in(script);
  std::string line;
  while (std::getline(in, line)) {
    line = Trim(line);
    if (line.empty()) continue;
    if (line.rfind("sleep ", 0) == 0) {
      m.AdvanceClock(std::stoll(line.substr(6)));
    } else if (line == "active-expire") {
      m.ActiveExpire();
    } else if (line.rfind("close ", 0) == 0) {
      collect();
      m.Close(slots.at(line.substr(6)));
    } else {
      size_t arrow = line.find("> ");
      std::string name = line.substr(0, arrow);
      if (!slots.count(name)) {
        int slot = static_cast<int>(slots.size());
        slots[name] = slot;
        m.Connect(slot);
      }
      for (const std::string& command : Split(line.substr(arrow + 2), '|')) {
        std::vector<std::string> argv;
        for (std::string arg : Split(Trim(command), ' ')) {
          if (arg.size() == 2 && arg[0] == '$')
            arg = std::to_string(m.client_id(slots.at(arg.substr(1))));
          argv.push_back(arg);
        }
        m.Execute(slots.at(name), argv);
      }
    }
    m.EndOfTurn();
    collect();
  }
  EXPECT_FALSE(m.unmodelled());
  return streams;
}

void Check(const std::string& script, int64_t first_id,
           const std::map<std::string, std::string>& expected) {
  std::map<std::string, std::string> got = RunScript(script, first_id);
  for (const auto& [name, bytes] : expected) {
    EXPECT_EQ(got[name], bytes) << "client " << name;
  }
  EXPECT_EQ(got.size(), expected.size());
}

// Default mode in RESP3: reads tracked across dbs, another client's write pushed between this
// client's replies, own writes after the reply (after EXEC's whole reply), one-shot entries, no
// invalidation for SET NX on an existing key, DEL of a missing key or SREM of a missing member,
// FLUSHALL/FLUSHDB null pushes, tracking off. Expected bytes recorded from redis-server 7.0.15 by a
// throwaway script running this scenario (one connection per client, first id 5).
TEST(TrackingReferenceTest, DefaultModeResp3) {
  Check(R"(
A> HELLO 3
B> CLIENT ID
A> CLIENT TRACKING on
A> GET k
A> MGET k j
B> SET k 1
A> GET k
A> SET k 2
A> MGET k j
A> MULTI
A> SET j 1
A> SET k 1
A> EXEC
B> SET k 3
B> SET j 3
A> GET k
A> SELECT 1
A> GET k
B> SET k 4
A> HGET h f
A> SMEMBERS s
B> SET j 1 NX
B> DEL nothere
B> SREM s x
B> HSET h f v
B> SADD s x
A> FLUSHALL
A> GET k
B> FLUSHDB
B> SET k 5
A> CLIENT TRACKING off
A> GET k
B> SET k 6
)",
        5,
        {
            {"A",
             "%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n$5\r\n"
             "proto\r\n:3\r\n$2\r\nid\r\n:5\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\n"
             "role\r\n$6\r\nmaster\r\n$7\r\nmodules\r\n*0\r\n+OK\r\n_\r\n*2\r\n_\r\n_\r\n"
             ">2\r\n$10\r\ninvalidate\r\n*1\r\n$1\r\nk\r\n$1\r\n1\r\n+OK\r\n>2\r\n$10\r\n"
             "invalidate\r\n*1\r\n$1\r\nk\r\n*2\r\n$1\r\n2\r\n_\r\n+OK\r\n+QUEUED\r\n"
             "+QUEUED\r\n*2\r\n+OK\r\n+OK\r\n>2\r\n$10\r\ninvalidate\r\n*1\r\n$1\r\nj\r\n"
             ">2\r\n$10\r\ninvalidate\r\n*1\r\n$1\r\nk\r\n$1\r\n3\r\n+OK\r\n_\r\n>2\r\n"
             "$10\r\ninvalidate\r\n*1\r\n$1\r\nk\r\n_\r\n~0\r\n>2\r\n$10\r\ninvalidate\r\n"
             "*1\r\n$1\r\nh\r\n>2\r\n$10\r\ninvalidate\r\n*1\r\n$1\r\ns\r\n+OK\r\n>2\r\n"
             "$10\r\ninvalidate\r\n_\r\n_\r\n>2\r\n$10\r\ninvalidate\r\n_\r\n+OK\r\n_\r\n"},
            {"B",
             ":6\r\n+OK\r\n+OK\r\n+OK\r\n+OK\r\n$-1\r\n:0\r\n:0\r\n:1\r\n:1\r\n+OK\r\n"
             "+OK\r\n+OK\r\n"},
        });
}

// Default mode in RESP2: invalidations as __redis__:invalidate messages on the subscribed redirect
// connection (also own writes and EXEC), nothing for a RESP2 client without REDIRECT, the flush
// payload $-1, the RESP2 Pub/Sub context (GET refused, PING as [pong, arg]). Expected bytes
// recorded from redis-server 7.0.15 by a throwaway script running this scenario (one connection per
// client, first id 5).
TEST(TrackingReferenceTest, DefaultModeResp2Redirect) {
  Check(
      R"(
R> SUBSCRIBE __redis__:invalidate
A> CLIENT TRACKING on REDIRECT $R
B> CLIENT TRACKING on
A> GET k
B> GET k
A> MGET k j
B> SET k 1
A> GET k
A> SET k 2
A> MULTI
A> GET j
A> SET j 1
A> EXEC
A> GET k
A> FLUSHALL
R> GET k
R> PING
R> PING hi
A> CLIENT GETREDIR
B> CLIENT GETREDIR
)",
      5,
      {
          {"R",
           "*3\r\n$9\r\nsubscribe\r\n$20\r\n__redis__:invalidate\r\n:1\r\n*3\r\n$7\r\n"
           "message\r\n$20\r\n__redis__:invalidate\r\n*1\r\n$1\r\nk\r\n*3\r\n$7\r\n"
           "message\r\n$20\r\n__redis__:invalidate\r\n*1\r\n$1\r\nk\r\n*3\r\n$7\r\n"
           "message\r\n$20\r\n__redis__:invalidate\r\n*1\r\n$1\r\nj\r\n*3\r\n$7\r\n"
           "message\r\n$20\r\n__redis__:invalidate\r\n$-1\r\n-ERR Can't execute 'get': only "
           "(P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context\r\n"
           "*2\r\n$4\r\npong\r\n$0\r\n\r\n*2\r\n$4\r\npong\r\n$2\r\nhi\r\n"},
          {"A",
           "+OK\r\n$-1\r\n*2\r\n$-1\r\n$-1\r\n$1\r\n1\r\n+OK\r\n+OK\r\n+QUEUED\r\n+QUEUED\r\n"
           "*2\r\n$-1\r\n+OK\r\n$1\r\n2\r\n+OK\r\n:5\r\n"},
          {"B", "+OK\r\n$-1\r\n+OK\r\n:0\r\n"},
      });
}

// A RESP3 client redirecting to a RESP2 subscriber and a RESP2 client redirecting to a RESP3
// client: the push shape is the target's, the flush null is the tracking client's. Expected bytes
// recorded from redis-server 7.0.15 by a throwaway script running this scenario (one connection per
// client, first id 5).
TEST(TrackingReferenceTest, RedirectAcrossProtocols) {
  Check(R"(
R> SUBSCRIBE __redis__:invalidate
T> HELLO 3
A> HELLO 3
A> CLIENT TRACKING on REDIRECT $R
B> CLIENT TRACKING on REDIRECT $T
A> GET k
B> GET k
C> SET k 1
C> FLUSHALL
)",
        5,
        {
            {"R",
             "*3\r\n$9\r\nsubscribe\r\n$20\r\n__redis__:invalidate\r\n:1\r\n*3\r\n$7\r\n"
             "message\r\n$20\r\n__redis__:invalidate\r\n*1\r\n$1\r\nk\r\n*3\r\n$7\r\n"
             "message\r\n$20\r\n__redis__:invalidate\r\n_\r\n"},
            {"T",
             "%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n$5\r\n"
             "proto\r\n:3\r\n$2\r\nid\r\n:6\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\n"
             "role\r\n$6\r\nmaster\r\n$7\r\nmodules\r\n*0\r\n>2\r\n$10\r\ninvalidate\r\n"
             "*1\r\n$1\r\nk\r\n>2\r\n$10\r\ninvalidate\r\n$-1\r\n"},
            {"A",
             "%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n$5\r\n"
             "proto\r\n:3\r\n$2\r\nid\r\n:7\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\n"
             "role\r\n$6\r\nmaster\r\n$7\r\nmodules\r\n*0\r\n+OK\r\n_\r\n"},
            {"B", "+OK\r\n$-1\r\n"},
            {"C", "+OK\r\n+OK\r\n"},
        });
}

// The redirect target goes away: tracking-redir-broken to the RESP3 client, broken_redirect in
// TRACKINGINFO, GETREDIR keeps the id, 'on' again clears the flag. Expected bytes recorded from
// redis-server 7.0.15 by a throwaway script running this scenario (one connection per client, first
// id 5).
TEST(TrackingReferenceTest, BrokenRedirect) {
  Check(R"(
A> HELLO 3
R> HELLO 3
A> CLIENT TRACKING on REDIRECT $R
A> GET k
A> GET j
close R
B> SET k 1
A> CLIENT TRACKINGINFO
A> CLIENT GETREDIR
A> SET j 1
B> FLUSHALL
A> CLIENT TRACKING on
A> CLIENT TRACKINGINFO
)",
        5,
        {
            {"A",
             "%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n$5\r\n"
             "proto\r\n:3\r\n$2\r\nid\r\n:5\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\n"
             "role\r\n$6\r\nmaster\r\n$7\r\nmodules\r\n*0\r\n+OK\r\n_\r\n_\r\n>2\r\n$21\r\n"
             "tracking-redir-broken\r\n:6\r\n%3\r\n$5\r\nflags\r\n~2\r\n$2\r\non\r\n$15\r\n"
             "broken_redirect\r\n$8\r\nredirect\r\n:6\r\n$8\r\nprefixes\r\n*0\r\n:6\r\n"
             "+OK\r\n>2\r\n$21\r\ntracking-redir-broken\r\n:6\r\n>2\r\n$21\r\ntracking-redir-"
             "broken\r\n"
             ":6\r\n+OK\r\n%3\r\n$5\r\nflags\r\n~1\r\n$2\r\non\r\n$8\r\nredirect\r\n:0\r\n"
             "$8\r\nprefixes\r\n*0\r\n"},
            {"R",
             "%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n$5\r\n"
             "proto\r\n:3\r\n$2\r\nid\r\n:6\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\n"
             "role\r\n$6\r\nmaster\r\n$7\r\nmodules\r\n*0\r\n"},
            {"B", "+OK\r\n+OK\r\n"},
        });
}

// OPTIN/OPTOUT and CLIENT CACHING in RESP3: the flag covers the next command, survives CLIENT
// subcommands and covers a whole MULTI/EXEC; its errors. Expected bytes recorded from
// redis-server 7.0.15 by a throwaway script running this scenario (one connection per client, first
// id 5).
TEST(TrackingReferenceTest, OptinOptoutResp3) {
  Check(R"(
A> HELLO 3
B> CLIENT ID
A> CLIENT CACHING yes
A> CLIENT TRACKING on OPTIN
A> GET a
A> CLIENT CACHING yes
A> GET b
A> GET c
A> CLIENT CACHING yes
A> CLIENT TRACKINGINFO
A> GET d
A> CLIENT CACHING yes
A> MULTI
A> GET e
A> GET f
A> EXEC
A> GET g
A> CLIENT CACHING no
A> CLIENT CACHING maybe
B> MSET a 1 b 1 c 1 d 1 e 1 f 1 g 1
A> CLIENT TRACKING on OPTOUT
A> CLIENT TRACKING off
A> CLIENT TRACKING on OPTOUT
A> CLIENT CACHING yes
A> CLIENT CACHING no
A> GET a
A> GET b
B> MSET a 2 b 2
)",
        5,
        {
            {"A",
             "%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n$5\r\n"
             "proto\r\n:3\r\n$2\r\nid\r\n:5\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\n"
             "role\r\n$6\r\nmaster\r\n$7\r\nmodules\r\n*0\r\n-ERR CLIENT CACHING can be called "
             "only when the client is in tracking mode with OPTIN or OPTOUT mode enabled\r\n"
             "+OK\r\n_\r\n+OK\r\n_\r\n_\r\n+OK\r\n%3\r\n$5\r\nflags\r\n~3\r\n$2\r\non\r\n"
             "$5\r\noptin\r\n$11\r\ncaching-yes\r\n$8\r\nredirect\r\n:0\r\n$8\r\nprefixes\r\n"
             "*0\r\n_\r\n+OK\r\n+OK\r\n+QUEUED\r\n+QUEUED\r\n*2\r\n_\r\n_\r\n_\r\n-ERR CLIENT "
             "CACHING NO is only valid when tracking is enabled in OPTOUT mode.\r\n"
             "-ERR syntax error\r\n>2\r\n$10\r\ninvalidate\r\n*1\r\n$1\r\nb\r\n>2\r\n"
             "$10\r\ninvalidate\r\n*1\r\n$1\r\nd\r\n>2\r\n$10\r\ninvalidate\r\n*1\r\n"
             "$1\r\ne\r\n>2\r\n$10\r\ninvalidate\r\n*1\r\n$1\r\nf\r\n-ERR You can't switch "
             "OPTIN/OPTOUT mode before disabling tracking for this client, and then re-enabling it "
             "with a different mode.\r\n"
             "+OK\r\n+OK\r\n-ERR CLIENT CACHING YES is only valid when tracking is enabled in "
             "OPTIN mode.\r\n"
             "+OK\r\n$1\r\n1\r\n$1\r\n1\r\n>2\r\n$10\r\ninvalidate\r\n*1\r\n$1\r\nb\r\n"},
            {"B", ":6\r\n+OK\r\n+OK\r\n"},
        });
}

// OPTIN/OPTOUT in RESP2 through a subscribed redirect. Expected bytes recorded from
// redis-server 7.0.15 by a throwaway script running this scenario (one connection per client, first
// id 5).
TEST(TrackingReferenceTest, OptinOptoutResp2) {
  Check(R"(
R> SUBSCRIBE __redis__:invalidate
A> CLIENT TRACKING on OPTIN REDIRECT $R
A> GET a
A> CLIENT CACHING yes
A> GET b
A> CLIENT CACHING yes
A> CLIENT ID
A> GET c
B> MSET a 1 b 1 c 1
A> CLIENT TRACKING off
A> CLIENT TRACKING on OPTOUT REDIRECT $R
A> CLIENT CACHING no
A> GET a
A> GET b
B> MSET a 2 b 2
)",
        5,
        {
            {"R",
             "*3\r\n$9\r\nsubscribe\r\n$20\r\n__redis__:invalidate\r\n:1\r\n*3\r\n$7\r\n"
             "message\r\n$20\r\n__redis__:invalidate\r\n*1\r\n$1\r\nb\r\n*3\r\n$7\r\n"
             "message\r\n$20\r\n__redis__:invalidate\r\n*1\r\n$1\r\nc\r\n*3\r\n$7\r\n"
             "message\r\n$20\r\n__redis__:invalidate\r\n*1\r\n$1\r\nb\r\n"},
            {"A",
             "+OK\r\n$-1\r\n+OK\r\n$-1\r\n+OK\r\n:6\r\n$-1\r\n+OK\r\n+OK\r\n+OK\r\n$1\r\n"
             "1\r\n$1\r\n1\r\n"},
            {"B", "+OK\r\n+OK\r\n"},
        });
}

// BCAST in RESP3: one array per prefix per event-loop turn, NOLOOP dropping keys last modified by
// the client itself, prefix errors and the doubled reply on a collision between given prefixes,
// FLUSHALL null, tracking off. Expected bytes recorded from redis-server 7.0.15 by a throwaway
// script running this scenario (one connection per client, first id 5).
TEST(TrackingReferenceTest, BcastResp3) {
  Check(R"(
A> HELLO 3
B> HELLO 3
C> CLIENT ID
A> CLIENT TRACKING on BCAST PREFIX a PREFIX b
B> CLIENT TRACKING on BCAST NOLOOP
C> SET a1 1|SET a2 2|SET b1 1|SET c1 1|SET a1 3
C> SET zz 1
B> SET a1 1
A> SET b2 1
B> SET c2 1|SET c3 1
C> SET c2 2|DEL nothere
A> CLIENT TRACKINGINFO
A> CLIENT TRACKING on BCAST PREFIX ab
A> CLIENT TRACKING on BCAST PREFIX c PREFIX d PREFIX dx
A> CLIENT TRACKINGINFO
C> SET dx1 1
A> CLIENT TRACKING on BCAST PREFIX x PREFIX xy
C> FLUSHALL
A> CLIENT TRACKING off
C> SET a1 1
)",
        5,
        {
            {"A",
             "%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n$5\r\n"
             "proto\r\n:3\r\n$2\r\nid\r\n:5\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\n"
             "role\r\n$6\r\nmaster\r\n$7\r\nmodules\r\n*0\r\n+OK\r\n>2\r\n$10\r\ninvalidate\r\n"
             "*2\r\n$2\r\na1\r\n$2\r\na2\r\n>2\r\n$10\r\ninvalidate\r\n*1\r\n$2\r\nb1\r\n"
             ">2\r\n$10\r\ninvalidate\r\n*1\r\n$2\r\na1\r\n+OK\r\n>2\r\n$10\r\ninvalidate\r\n"
             "*1\r\n$2\r\nb2\r\n%3\r\n$5\r\nflags\r\n~2\r\n$2\r\non\r\n$5\r\nbcast\r\n"
             "$8\r\nredirect\r\n:0\r\n$8\r\nprefixes\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n-ERR Prefix "
             "'ab' overlaps with an existing prefix 'a'. Prefixes for a single client must not "
             "overlap.\r\n"
             "-ERR Prefix 'd' overlaps with another provided prefix 'dx'. Prefixes for a single "
             "client must not overlap.\r\n"
             "+OK\r\n%3\r\n$5\r\nflags\r\n~2\r\n$2\r\non\r\n$5\r\nbcast\r\n$8\r\nredirect\r\n"
             ":0\r\n$8\r\nprefixes\r\n*5\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n"
             "$2\r\ndx\r\n>2\r\n$10\r\ninvalidate\r\n*1\r\n$3\r\ndx1\r\n>2\r\n$10\r\n"
             "invalidate\r\n*1\r\n$3\r\ndx1\r\n-ERR Prefix 'x' overlaps with another provided "
             "prefix 'xy'. Prefixes for a single client must not overlap.\r\n"
             ">2\r\n$10\r\ninvalidate\r\n_\r\n+OK\r\n"},
            {"B",
             "%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n$5\r\n"
             "proto\r\n:3\r\n$2\r\nid\r\n:6\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\n"
             "role\r\n$6\r\nmaster\r\n$7\r\nmodules\r\n*0\r\n+OK\r\n>2\r\n$10\r\ninvalidate\r\n"
             "*4\r\n$2\r\na1\r\n$2\r\na2\r\n$2\r\nb1\r\n$2\r\nc1\r\n>2\r\n$10\r\ninvalidate\r\n"
             "*1\r\n$2\r\nzz\r\n+OK\r\n>2\r\n$10\r\ninvalidate\r\n*1\r\n$2\r\nb2\r\n+OK\r\n"
             "+OK\r\n>2\r\n$10\r\ninvalidate\r\n*1\r\n$2\r\nc2\r\n>2\r\n$10\r\ninvalidate\r\n"
             "*1\r\n$3\r\ndx1\r\n>2\r\n$10\r\ninvalidate\r\n_\r\n>2\r\n$10\r\ninvalidate\r\n"
             "*1\r\n$2\r\na1\r\n"},
            {"C",
             ":7\r\n+OK\r\n+OK\r\n+OK\r\n+OK\r\n+OK\r\n+OK\r\n+OK\r\n:0\r\n+OK\r\n+OK\r\n"
             "+OK\r\n"},
        });
}

// BCAST with NOLOOP in RESP2 through a subscribed redirect, and FLUSHDB. Expected bytes recorded
// from redis-server 7.0.15 by a throwaway script running this scenario (one connection per client,
// first id 5).
TEST(TrackingReferenceTest, BcastResp2) {
  Check(R"(
R> SUBSCRIBE __redis__:invalidate
A> CLIENT TRACKING on BCAST PREFIX a REDIRECT $R NOLOOP
B> CLIENT TRACKING on BCAST
C> SET a1 1|SET b1 1
A> SET a2 1|SET a3 1
C> SET a3 2
A> FLUSHDB
)",
        5,
        {
            {"R",
             "*3\r\n$9\r\nsubscribe\r\n$20\r\n__redis__:invalidate\r\n:1\r\n*3\r\n$7\r\n"
             "message\r\n$20\r\n__redis__:invalidate\r\n*1\r\n$2\r\na1\r\n*3\r\n$7\r\n"
             "message\r\n$20\r\n__redis__:invalidate\r\n*1\r\n$2\r\na3\r\n*3\r\n$7\r\n"
             "message\r\n$20\r\n__redis__:invalidate\r\n$-1\r\n"},
            {"A", "+OK\r\n+OK\r\n+OK\r\n+OK\r\n"},
            {"B", "+OK\r\n"},
            {"C", "+OK\r\n+OK\r\n+OK\r\n"},
        });
}

// NOLOOP in default mode: own writes send nothing but still end the entry. Expected bytes recorded
// from redis-server 7.0.15 by a throwaway script running this scenario (one connection per client,
// first id 5).
TEST(TrackingReferenceTest, NoloopResp3) {
  Check(R"(
A> HELLO 3
B> CLIENT ID
A> CLIENT TRACKING on NOLOOP
A> GET k
A> SET k 1
B> SET k 2
A> GET k
B> SET k 3
A> GET j
A> MULTI
A> SET j 1
A> GET j
A> EXEC
B> SET j 2
A> FLUSHALL
)",
        5,
        {
            {"A",
             "%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n$5\r\n"
             "proto\r\n:3\r\n$2\r\nid\r\n:5\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\n"
             "role\r\n$6\r\nmaster\r\n$7\r\nmodules\r\n*0\r\n+OK\r\n_\r\n+OK\r\n$1\r\n"
             "2\r\n>2\r\n$10\r\ninvalidate\r\n*1\r\n$1\r\nk\r\n_\r\n+OK\r\n+QUEUED\r\n"
             "+QUEUED\r\n*2\r\n+OK\r\n$1\r\n1\r\n>2\r\n$10\r\ninvalidate\r\n*1\r\n$1\r\n"
             "j\r\n+OK\r\n>2\r\n$10\r\ninvalidate\r\n_\r\n"},
            {"B", ":6\r\n+OK\r\n+OK\r\n+OK\r\n"},
        });
}

// Lazy expiry by the reading client (pushed after its reply; nothing under NOLOOP), lazy expiry by
// another client (pushed at once), active expiry. Expected bytes recorded from redis-server 7.0.15
// by a throwaway script running this scenario (one connection per client, first id 5).
TEST(TrackingReferenceTest, Expiry) {
  Check(R"(
A> HELLO 3
B> HELLO 3
C> CLIENT ID
C> SET k 1 PX 1500
C> SET j 1 PX 1500
C> SET i 1 PX 1500
A> CLIENT TRACKING on
B> CLIENT TRACKING on NOLOOP
A> GET k
A> GET j
A> GET i
B> GET k
B> GET j
sleep 2000
A> GET k
B> GET j
active-expire
A> GET i
C> SET i 1 PX 1500
sleep 2000
C> GET i
)",
        5,
        {
            {"A",
             "%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n$5\r\n"
             "proto\r\n:3\r\n$2\r\nid\r\n:5\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\n"
             "role\r\n$6\r\nmaster\r\n$7\r\nmodules\r\n*0\r\n+OK\r\n$1\r\n1\r\n$1\r\n"
             "1\r\n$1\r\n1\r\n_\r\n>2\r\n$10\r\ninvalidate\r\n*1\r\n$1\r\nk\r\n>2\r\n"
             "$10\r\ninvalidate\r\n*1\r\n$1\r\nj\r\n>2\r\n$10\r\ninvalidate\r\n*1\r\n"
             "$1\r\ni\r\n_\r\n>2\r\n$10\r\ninvalidate\r\n*1\r\n$1\r\ni\r\n"},
            {"B",
             "%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n$5\r\n"
             "proto\r\n:3\r\n$2\r\nid\r\n:6\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\n"
             "role\r\n$6\r\nmaster\r\n$7\r\nmodules\r\n*0\r\n+OK\r\n$1\r\n1\r\n$1\r\n"
             "1\r\n>2\r\n$10\r\ninvalidate\r\n*1\r\n$1\r\nk\r\n_\r\n"},
            {"C", ":7\r\n+OK\r\n+OK\r\n+OK\r\n+OK\r\n$-1\r\n"},
        });
}

// SWAPDB sends no invalidation: the cached value of db 0 goes stale. Expected bytes recorded from
// redis-server 7.0.15 by a throwaway script running this scenario (one connection per client, first
// id 5).
TEST(TrackingReferenceTest, SwapDbSendsNothing) {
  Check(R"(
A> HELLO 3
B> CLIENT ID
B> SET k 0
B> SELECT 1
B> SET k 1
A> CLIENT TRACKING on
A> GET k
B> SWAPDB 0 1
A> GET k
B> SET k 2
A> GET k
)",
        5,
        {
            {"A",
             "%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n$5\r\n"
             "proto\r\n:3\r\n$2\r\nid\r\n:5\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\n"
             "role\r\n$6\r\nmaster\r\n$7\r\nmodules\r\n*0\r\n+OK\r\n$1\r\n0\r\n$1\r\n"
             "1\r\n>2\r\n$10\r\ninvalidate\r\n*1\r\n$1\r\nk\r\n$1\r\n1\r\n"},
            {"B", ":6\r\n+OK\r\n+OK\r\n+OK\r\n+OK\r\n+OK\r\n"},
        });
}

// CLIENT TRACKING/CACHING/GETREDIR/TRACKINGINFO errors and replies. Expected bytes recorded from
// redis-server 7.0.15 by a throwaway script running this scenario (one connection per client, first
// id 5).
TEST(TrackingReferenceTest, Errors) {
  Check(R"(
A> HELLO 3
B> CLIENT ID
A> CLIENT TRACKING
A> CLIENT TRACKING on PREFIX a
A> CLIENT TRACKING on BCAST OPTIN
A> CLIENT TRACKING on OPTIN OPTOUT
A> CLIENT TRACKING on REDIRECT 999
A> CLIENT TRACKING on REDIRECT x
A> CLIENT TRACKING on REDIRECT $B REDIRECT $B
A> CLIENT TRACKING on FOO
A> CLIENT TRACKING maybe
A> CLIENT TRACKING on BCAST PREFIX a PREFIX ab
A> CLIENT TRACKING on BCAST PREFIX ""
A> CLIENT CACHING yes
A> CLIENT CACHING
A> CLIENT GETREDIR x
A> CLIENT TRACKINGINFO
A> CLIENT TRACKING on OPTIN
A> CLIENT TRACKING on OPTOUT
A> CLIENT TRACKING on BCAST
A> CLIENT TRACKING off
A> CLIENT TRACKING on BCAST PREFIX a
A> CLIENT TRACKING on BCAST PREFIX abc
A> CLIENT TRACKING on
A> CLIENT TRACKING off OPTIN OPTOUT
A> CLIENT TRACKINGINFO
)",
        5,
        {
            {"A",
             "%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n$5\r\n"
             "proto\r\n:3\r\n$2\r\nid\r\n:5\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\n"
             "role\r\n$6\r\nmaster\r\n$7\r\nmodules\r\n*0\r\n-ERR wrong number of arguments for "
             "'client|tracking' command\r\n"
             "-ERR PREFIX option requires BCAST mode to be enabled\r\n-ERR OPTIN and OPTOUT are "
             "not compatible with BCAST\r\n"
             "-ERR You can't specify both OPTIN mode and OPTOUT mode\r\n-ERR The client ID you "
             "want redirect to does not exist\r\n"
             "-ERR value is not an integer or out of range\r\n-ERR A client can only redirect to a "
             "single other client\r\n"
             "-ERR syntax error\r\n-ERR syntax error\r\n-ERR Prefix 'a' overlaps with another "
             "provided prefix 'ab'. Prefixes for a single client must not overlap.\r\n"
             "+OK\r\n-ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN "
             "mode.\r\n"
             "-ERR wrong number of arguments for 'client|caching' command\r\n-ERR wrong number of "
             "arguments for 'client|getredir' command\r\n"
             "%3\r\n$5\r\nflags\r\n~2\r\n$2\r\non\r\n$5\r\nbcast\r\n$8\r\nredirect\r\n"
             ":0\r\n$8\r\nprefixes\r\n*1\r\n$2\r\n\"\"\r\n-ERR You can't switch BCAST mode on/off "
             "before disabling tracking for this client, and then re-enabling it with a different "
             "mode.\r\n"
             "-ERR You can't switch BCAST mode on/off before disabling tracking for this client, "
             "and then re-enabling it with a different mode.\r\n"
             "+OK\r\n+OK\r\n+OK\r\n-ERR Prefix 'abc' overlaps with an existing prefix 'a'. "
             "Prefixes for a single client must not overlap.\r\n"
             "-ERR You can't switch BCAST mode on/off before disabling tracking for this client, "
             "and then re-enabling it with a different mode.\r\n"
             "+OK\r\n%3\r\n$5\r\nflags\r\n~1\r\n$3\r\noff\r\n$8\r\nredirect\r\n:-1\r\n"
             "$8\r\nprefixes\r\n*0\r\n"},
            {"B", ":6\r\n"},
        });
}

// A closed client's table entries are skipped; a new connection gets a new id. Expected bytes
// recorded from redis-server 7.0.15 by a throwaway script running this scenario (one connection per
// client, first id 5).
TEST(TrackingReferenceTest, ClosedClient) {
  Check(R"(
A> HELLO 3
B> CLIENT ID
A> CLIENT TRACKING on
A> GET k
close A
D> HELLO 3
D> CLIENT TRACKING on
D> GET k
B> SET k 1
)",
        5,
        {
            {"A",
             "%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n$5\r\n"
             "proto\r\n:3\r\n$2\r\nid\r\n:5\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\n"
             "role\r\n$6\r\nmaster\r\n$7\r\nmodules\r\n*0\r\n+OK\r\n_\r\n"},
            {"B", ":6\r\n+OK\r\n"},
            {"D",
             "%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n$5\r\n"
             "proto\r\n:3\r\n$2\r\nid\r\n:7\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\n"
             "role\r\n$6\r\nmaster\r\n$7\r\nmodules\r\n*0\r\n+OK\r\n_\r\n>2\r\n$10\r\n"
             "invalidate\r\n*1\r\n$1\r\nk\r\n"},
        });
}

// tracking-table-max-keys: over the limit, keys are invalidated before the
// next command (or by the cron). Redis picks them at random: recorded from
// redis-server 7.0.15 by the throwaway script, eight runs gave two streams
// for A (a then b, twice; b then a, six times). The model takes the smallest
// key first, so it must give the first one; the test also checks it is one
// of the two the server wrote.
TEST(TrackingReferenceTest, TableMaxKeysEviction) {
  const std::string script = R"(
A> HELLO 3
B> CLIENT ID
A> CLIENT TRACKING on
A> MGET a b
B> CONFIG SET tracking-table-max-keys 1
B> CONFIG GET tracking-table-max-keys
B> PING
B> MSET a 1 b 1
B> CONFIG SET tracking-table-max-keys x
B> CONFIG SET tracking-table-max-keys -1
)";
  std::map<std::string, std::string> a_first = {
      {"A",
       "%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n$5\r\n"
       "proto\r\n:3\r\n$2\r\nid\r\n:5\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\n"
       "role\r\n$6\r\nmaster\r\n$7\r\nmodules\r\n*0\r\n+OK\r\n*2\r\n_\r\n_\r\n>2\r\n"
       "$10\r\ninvalidate\r\n*1\r\n$1\r\na\r\n>2\r\n$10\r\ninvalidate\r\n*1\r\n"
       "$1\r\nb\r\n"},
      {"B",
       ":6\r\n+OK\r\n*2\r\n$23\r\ntracking-table-max-keys\r\n$1\r\n1\r\n+PONG\r\n"
       "+OK\r\n-ERR CONFIG SET failed (possibly related to argument 'tracking-table-max-keys') - "
       "argument couldn't be parsed into an integer\r\n"
       "-ERR CONFIG SET failed (possibly related to argument 'tracking-table-max-keys') - argument "
       "must be between 0 and 9223372036854775807 inclusive\r\n"},
  };
  std::map<std::string, std::string> b_first = {
      {"A",
       "%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n$5\r\n"
       "proto\r\n:3\r\n$2\r\nid\r\n:5\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\n"
       "role\r\n$6\r\nmaster\r\n$7\r\nmodules\r\n*0\r\n+OK\r\n*2\r\n_\r\n_\r\n>2\r\n"
       "$10\r\ninvalidate\r\n*1\r\n$1\r\nb\r\n>2\r\n$10\r\ninvalidate\r\n*1\r\n"
       "$1\r\na\r\n"},
      {"B",
       ":6\r\n+OK\r\n*2\r\n$23\r\ntracking-table-max-keys\r\n$1\r\n1\r\n+PONG\r\n"
       "+OK\r\n-ERR CONFIG SET failed (possibly related to argument 'tracking-table-max-keys') - "
       "argument couldn't be parsed into an integer\r\n"
       "-ERR CONFIG SET failed (possibly related to argument 'tracking-table-max-keys') - argument "
       "must be between 0 and 9223372036854775807 inclusive\r\n"},
  };
  std::map<std::string, std::string> got = RunScript(script, 5);
  EXPECT_NE(a_first, b_first);
  EXPECT_EQ(got, a_first);
  EXPECT_TRUE(got == a_first || got == b_first);
}

// The doubled reply on a prefix collision cannot be expressed inside MULTI:
// the model says so rather than guess.
TEST(TrackingReferenceTest, UnmodelledIsReported) {
  TrackingReference m;
  m.Connect(0);
  m.Execute(0, {"MULTI"});
  m.Execute(0, {"CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "a", "PREFIX", "b", "PREFIX", "bc"});
  EXPECT_FALSE(m.unmodelled());
  m.Execute(0, {"EXEC"});
  EXPECT_TRUE(m.unmodelled());
}

// The table is keyed by name across dbs and one-shot; a closed client's
// entries stay until the key changes; TrackingClientsOf lists them in
// little-endian id order, as Redis walks them.
TEST(TrackingReferenceTest, TableState) {
  TrackingOptions o;
  o.first_client_id = 255;
  TrackingReference m(o);
  m.Connect(0);  // id 255
  m.Connect(1);  // id 256: bytes 00 01 ..., before 255 (ff 00 ...)
  for (int s : {0, 1}) {
    m.Execute(s, {"CLIENT", "TRACKING", "on"});
    m.Execute(s, {"GET", "k"});
  }
  EXPECT_EQ(m.TrackingClientsOf("k"), (std::vector<int64_t>{256, 255}));
  m.Close(0);
  EXPECT_EQ(m.table_keys(), 1u);
  m.Connect(2);
  m.Execute(2, {"SELECT", "3"});
  m.Execute(2, {"SET", "k", "1"});
  EXPECT_EQ(m.table_keys(), 0u);
  EXPECT_TRUE(m.TrackingClientsOf("k").empty());
}

}  // namespace
}  // namespace respfuzz::models
