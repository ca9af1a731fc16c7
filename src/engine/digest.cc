// DEBUG DIGEST and DEBUG DIGEST-VALUE (redis-server 7.0.15's
// computeDatasetDigest and xorObjectDigest): a 20-byte SHA-1 mix of the
// dataset that depends on its contents only, never on encodings or
// iteration order. Two steps build it: xor(d, x) is d ^= SHA1(x), and
// mix(d, x) is d = SHA1(d ^ SHA1(x)), which keeps order. A value's digest
// mixes its type code (Redis's OBJ_* number, 4 bytes big endian), then:
// a string its bytes; a list each element in order; a set xors each
// member; a sorted set xors, per member, mix(mix(0, member), score as
// "%.17g"); a hash xors, per field, mix(mix(0, field), value); a stream
// mixes each entry's "<ms>.<seq>" and then its fields and values in order
// (consumer groups are not part of it). A key with a TTL xors
// "!!expire!!" last. The dataset's digest mixes each non-empty db's index
// (4 bytes big endian) and xors, per key, mix(0, key) carried on through
// the value's digest. Keys are taken as stored: one logically expired but
// not yet deleted still counts, as Redis iterates its dict.
#include <array>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "src/engine/command.h"
#include "src/engine/keyspace.h"
#include "src/engine/object.h"
#include "src/engine/stream.h"
#include "src/script/sha1.h"

namespace respfuzz::engine {

namespace {

using Digest = std::array<uint8_t, 20>;

void Xor(Digest& d, std::string_view data) {
  const Digest h = script::Sha1(data);
  for (size_t i = 0; i < d.size(); ++i) d[i] ^= h[i];
}

void Mix(Digest& d, std::string_view data) {
  Xor(d, data);
  d = script::Sha1(std::string_view(reinterpret_cast<const char*>(d.data()), d.size()));
}

std::string BigEndian32(uint32_t v) {
  return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
          static_cast<char>(v)};
}

// redisObject's type field for each of the engine's types.
uint32_t RedisTypeCode(ObjType t) {
  switch (t) {
    case ObjType::kString:
      return 0;
    case ObjType::kList:
      return 1;
    case ObjType::kSet:
      return 2;
    case ObjType::kZSet:
      return 3;
    case ObjType::kHash:
      return 4;
    case ObjType::kStream:
      return 6;
  }
  return 0;
}

void MixValue(Digest& d, const Object& o, bool has_ttl) {
  Mix(d, BigEndian32(RedisTypeCode(TypeOf(o))));
  switch (TypeOf(o)) {
    case ObjType::kString:
      Mix(d, As<std::string>(o));
      break;
    case ObjType::kList:
      for (const std::string& e : As<List>(o)) Mix(d, e);
      break;
    case ObjType::kSet:
      for (const std::string& m : As<Set>(o)) Xor(d, m);
      break;
    case ObjType::kZSet:
      for (const auto& [member, score] : As<ZSet>(o).scores()) {
        char buf[64];
        const int n = std::snprintf(buf, sizeof buf, "%.17g", score);
        Digest e{};
        Mix(e, member);
        Mix(e, std::string_view(buf, static_cast<size_t>(n)));
        Xor(d, std::string_view(reinterpret_cast<const char*>(e.data()), e.size()));
      }
      break;
    case ObjType::kHash:
      for (const auto& [field, value] : As<Hash>(o)) {
        Digest e{};
        Mix(e, field);
        Mix(e, value);
        Xor(d, std::string_view(reinterpret_cast<const char*>(e.data()), e.size()));
      }
      break;
    case ObjType::kStream:
      for (const auto& [id, fields] : As<Stream>(o).entries()) {
        Mix(d, std::to_string(id.ms) + "." + std::to_string(id.seq));
        for (const std::string& f : fields) Mix(d, f);
      }
      break;
  }
  if (has_ttl) Xor(d, "!!expire!!");
}

std::string Hex(const Digest& d) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (uint8_t b : d) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 0xf]);
  }
  return out;
}

}  // namespace

std::string DatasetDigestHex(const Keyspace& ks) {
  Digest final_digest{};
  for (int db = 0; db < ks.num_dbs(); ++db) {
    const auto& dict = ks.db(db).dict;
    if (dict.size() == 0) continue;
    Mix(final_digest, BigEndian32(static_cast<uint32_t>(db)));
    for (const auto& [key, value] : dict) {
      Digest d{};
      Mix(d, key);
      MixValue(d, value, ks.GetExpire(db, key) != -1);
      Xor(final_digest, std::string_view(reinterpret_cast<const char*>(d.data()), d.size()));
    }
  }
  return Hex(final_digest);
}

std::string ValueDigestHex(const Keyspace& ks, int db, std::string_view key) {
  Digest d{};
  if (const Object* o = ks.Peek(db, key); o != nullptr) {
    MixValue(d, *o, ks.GetExpire(db, key) != -1);
  }
  return Hex(d);
}

}  // namespace respfuzz::engine
