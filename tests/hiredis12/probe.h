// One reply parsed by one hiredis version's reader: each version is called
// from its own translation unit (their headers share include guards).
#ifndef RESPFUZZ_TESTS_HIREDIS12_PROBE_H_
#define RESPFUZZ_TESTS_HIREDIS12_PROBE_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace respfuzz::hiredis_versions {

struct Parsed {
  bool ok = false;    // redisReaderGetReply returned REDIS_OK with a reply
  std::string error;  // the reader's errstr otherwise
  int type = 0;       // REDIS_REPLY_* of the reply
  long long integer = 0;
  std::string str;
  std::vector<int> element_types;
  std::vector<std::string> element_strs;
};

// The version its headers declare, e.g. "0.14.1".
std::string Hiredis014Version();
std::string Hiredis12Version();
// A fresh reader fed `bytes` at once, asked for one reply.
Parsed ParseWithHiredis014(std::string_view bytes);
Parsed ParseWithHiredis12(std::string_view bytes);

}  // namespace respfuzz::hiredis_versions

#endif  // RESPFUZZ_TESTS_HIREDIS12_PROBE_H_
