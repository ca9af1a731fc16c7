// SHA-1 (FIPS 180-4) of a byte string, as lower-case hex: the name of a
// script in Redis's script cache (SCRIPT LOAD, EVALSHA) and redis.sha1hex.
#ifndef RESPFUZZ_SCRIPT_SHA1_H_
#define RESPFUZZ_SCRIPT_SHA1_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace respfuzz::script {

std::string Sha1Hex(std::string_view data);
// The 20 bytes of the same digest (DEBUG DIGEST's mixing, digest.cc).
std::array<uint8_t, 20> Sha1(std::string_view data);

}  // namespace respfuzz::script

#endif  // RESPFUZZ_SCRIPT_SHA1_H_
