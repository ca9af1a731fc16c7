#include "src/cluster/bus.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace respfuzz::cluster::bus {
namespace {

// Offsets of the header fields (see the table in bus.h).
constexpr size_t kOffTotlen = 4, kOffVer = 8, kOffPort = 10, kOffType = 12, kOffCount = 14;
constexpr size_t kOffCurrentEpoch = 16, kOffConfigEpoch = 24, kOffOffset = 32;
constexpr size_t kOffSender = 40, kOffMyslots = 80, kOffSlaveof = 2128, kOffMyip = 2168;
constexpr size_t kOffExtensions = 2214, kOffNotused1 = 2216, kOffPport = 2246;
constexpr size_t kOffCport = 2248, kOffFlags = 2250, kOffState = 2252, kOffMflags = 2253;
static_assert(kOffMflags + 3 == kHeaderLen);

uint16_t Get16(std::string_view b, size_t at) {
  return static_cast<uint16_t>((static_cast<uint8_t>(b[at]) << 8) |
                               static_cast<uint8_t>(b[at + 1]));
}
uint32_t Get32(std::string_view b, size_t at) {
  return (uint32_t{Get16(b, at)} << 16) | Get16(b, at + 2);
}
uint64_t Get64(std::string_view b, size_t at) {
  return (uint64_t{Get32(b, at)} << 32) | Get32(b, at + 4);
}
template <size_t N, typename T>
void GetArray(std::string_view b, size_t at, std::array<T, N>* out) {
  std::memcpy(out->data(), b.data() + at, N);
}

void Put16(std::string* s, uint16_t v) {
  s->push_back(static_cast<char>(v >> 8));
  s->push_back(static_cast<char>(v));
}
void Put32(std::string* s, uint32_t v) {
  Put16(s, static_cast<uint16_t>(v >> 16));
  Put16(s, static_cast<uint16_t>(v));
}
void Put64(std::string* s, uint64_t v) {
  Put32(s, static_cast<uint32_t>(v >> 32));
  Put32(s, static_cast<uint32_t>(v));
}
template <size_t N, typename T>
void PutArray(std::string* s, const std::array<T, N>& a) {
  s->append(reinterpret_cast<const char*>(a.data()), N);
}
void PutBE32At(std::string* s, size_t at, uint32_t v) {
  (*s)[at] = static_cast<char>(v >> 24);
  (*s)[at + 1] = static_cast<char>(v >> 16);
  (*s)[at + 2] = static_cast<char>(v >> 8);
  (*s)[at + 3] = static_cast<char>(v);
}

size_t Pad8(size_t n) { return (n + 7) / 8 * 8; }

bool IsPingLike(uint16_t type) { return type == kPing || type == kPong || type == kMeet; }

Decision Reject(std::string reason) { return Decision{false, std::move(reason), false}; }

// The body length a type needs, or -1 for PING/PONG/MEET and unknown types.
// PUBLISH and MODULE lengths are read from the body (the caller has checked
// their fixed part is there).
int64_t FixedExpected(std::string_view b, uint16_t type) {
  switch (type) {
    case kFail:
      return kHeaderLen + kFailBodyLen;
    case kPublish:
    case kPublishShard:
      return int64_t{kHeaderLen} + kPublishFixedLen + Get32(b, kHeaderLen) +
             Get32(b, kHeaderLen + 4);
    case kFailoverAuthRequest:
    case kFailoverAuthAck:
    case kMfStart:
      return kHeaderLen;
    case kUpdate:
      return kHeaderLen + kUpdateBodyLen;
    case kModule:
      return int64_t{kHeaderLen} + kModuleFixedLen + Get32(b, kHeaderLen + 8);
    default:
      return -1;
  }
}

Decision ValidateStrict(std::string_view b) {
  if (b.size() < 8) return Reject(absl::StrCat("only ", b.size(), " bytes, the preamble is 8"));
  if (b.substr(0, 4) != "RCmb") return Reject("bad signature (not \"RCmb\")");
  uint32_t totlen = Get32(b, kOffTotlen);
  if (totlen < kHeaderLen) {
    return Reject(absl::StrCat("totlen ", totlen, " below the header length ", kHeaderLen));
  }
  if (totlen != b.size()) {
    return Reject(absl::StrCat("totlen ", totlen, " but the message has ", b.size(), " bytes"));
  }
  if (Get16(b, kOffVer) != kProtocolVersion) {
    return Reject(absl::StrCat("protocol version ", Get16(b, kOffVer), ", not 1"));
  }
  uint16_t type = Get16(b, kOffType);
  const std::string name = MsgTypeName(type);
  if (IsPingLike(type)) {
    uint16_t count = Get16(b, kOffCount);
    uint16_t extensions = Get16(b, kOffExtensions);
    uint64_t explen = kHeaderLen + uint64_t{kGossipLen} * count;
    if (explen > totlen) {
      return Reject(absl::StrCat(name, ": ", count, " gossip entries need ", explen,
                                 " bytes, totlen is ", totlen));
    }
    bool ext_data = (static_cast<uint8_t>(b[kOffMflags]) & kFlag0ExtData) != 0;
    if (!ext_data && extensions != 0) {
      return Reject(absl::StrCat(name, ": ", extensions, " extensions without the EXT_DATA flag"));
    }
    for (uint16_t i = 0; ext_data && i < extensions; ++i) {
      uint64_t remaining = totlen - explen;
      if (remaining < kExtHeaderLen) {
        return Reject(absl::StrCat(name, ": extension ", i, " header past the end"));
      }
      uint32_t extlen = Get32(b, explen);
      uint16_t ext_type = Get16(b, explen + 4);
      if (extlen < kExtHeaderLen) {
        return Reject(absl::StrCat(name, ": extension ", i, " length ", extlen, " below 8"));
      }
      if (extlen % 8 != 0) {
        return Reject(
            absl::StrCat(name, ": extension ", i, " length ", extlen, " not a multiple of 8"));
      }
      if (extlen > remaining) {
        return Reject(absl::StrCat(name, ": extension ", i, " length ", extlen, " exceeds the ",
                                   remaining, " bytes left"));
      }
      std::string_view data = b.substr(explen + kExtHeaderLen, extlen - kExtHeaderLen);
      if ((ext_type == kExtHostname || ext_type == kExtHumanNodename) &&
          data.find('\0') == std::string_view::npos) {
        return Reject(absl::StrCat(name, ": extension ", i, " (type ", ext_type,
                                   ") string without a NUL terminator"));
      }
      if (ext_type == kExtForgottenNode && data.size() < kForgottenNodeLen) {
        return Reject(absl::StrCat(name, ": extension ", i, " forgotten-node data of ", data.size(),
                                   " bytes, needs ", kForgottenNodeLen));
      }
      if (ext_type == kExtShardId && data.size() < kShardIdLen) {
        return Reject(absl::StrCat(name, ": extension ", i, " shard-id data of ", data.size(),
                                   " bytes, needs ", kShardIdLen));
      }
      explen += extlen;
    }
    if (explen != totlen) {
      return Reject(absl::StrCat(name, ": totlen ", totlen, " but expected ", explen));
    }
    return Decision{true, "", false};
  }
  if (type >= kTypeCount) return Decision{true, "", false};  // Redis takes it as well formed
  if ((type == kPublish || type == kPublishShard) && totlen < kHeaderLen + kPublishFixedLen) {
    return Reject(absl::StrCat(name, ": totlen ", totlen, " has no room for the lengths"));
  }
  if (type == kModule && totlen < kHeaderLen + kModuleFixedLen) {
    return Reject(absl::StrCat(name, ": totlen ", totlen, " has no room for the module header"));
  }
  int64_t explen = FixedExpected(b, type);
  if (explen != totlen) {
    return Reject(absl::StrCat(name, ": totlen ", totlen, " but expected ", explen));
  }
  return Decision{true, "", false};
}

// Redis 7.0.15's clusterReadHandler + clusterProcessPacket checks, its 32-bit
// and 16-bit arithmetic kept. Where that code would read past the packet, the
// read is not made here: reads_past_end is set and the decision is what Redis
// would decide given the bytes it can see (zeros are assumed past the end,
// which is the most common content of the freshly grown receive buffer).
Decision ValidateRedis7015(std::string_view b) {
  if (b.size() < 8) return Reject("fewer than 8 bytes: the read handler waits for more");
  if (b.substr(0, 4) != "RCmb" || Get32(b, kOffTotlen) < kHeaderLen) {
    return Reject("bad message length or signature (link dropped)");
  }
  uint32_t totlen = Get32(b, kOffTotlen);
  if (totlen != b.size()) return Reject("totlen differs from the bytes: the packet is incomplete");
  if (Get16(b, kOffVer) != kProtocolVersion) return Reject("protocol version mismatch");
  uint16_t type = Get16(b, kOffType);
  bool past_end = false;
  // Reads 4 bytes at `at`, zeros past the end.
  auto read32 = [&](uint64_t at) -> uint32_t {
    if (at + 4 <= b.size()) return Get32(b, at);
    past_end = true;
    std::string tmp(4, '\0');
    for (uint64_t k = 0; k < 4; ++k) {
      if (at + k < b.size()) tmp[k] = b[at + k];
    }
    return Get32(tmp, 0);
  };
  uint32_t explen;
  if (IsPingLike(type)) {
    uint16_t count = Get16(b, kOffCount);
    uint16_t extensions = Get16(b, kOffExtensions);
    explen = kHeaderLen + static_cast<uint32_t>(kGossipLen * count);
    uint64_t ext_at = explen;
    bool ext_data = (static_cast<uint8_t>(b[kOffMflags]) & kFlag0ExtData) != 0;
    if (ext_data) {
      for (uint16_t i = 0; i < extensions; ++i) {
        const uint32_t len32 = read32(ext_at);
        const uint16_t extlen = static_cast<uint16_t>(len32);  // uint16_t extlen = ntohl()
        if (extlen % 8 != 0) return Decision{false, "extension without proper padding", past_end};
        if (static_cast<uint32_t>(totlen - explen) < extlen) {
          return Decision{false, "extension data exceeds the total packet length", past_end};
        }
        explen += extlen;
        // getNextPingExt steps by the full 32-bit length, not by extlen: past
        // an extension of 64 KiB or more, the next header is read 64 KiB (or a
        // multiple) further on than explen counts.
        ext_at += len32;
      }
    }
    if (totlen != explen) {
      return Decision{
          false, absl::StrCat(MsgTypeName(type), ": totlen ", totlen, " but expected ", explen),
          past_end};
    }
    // Accepted: clusterProcessPingExtensions walks `extensions` entries
    // whether or not EXT_DATA was set, and strcmp()s every hostname.
    ext_at = kHeaderLen + uint64_t{kGossipLen} * count;
    for (uint16_t i = 0; i < extensions; ++i) {
      uint32_t len32 = read32(ext_at);
      uint16_t ext_type = 0;
      if (ext_at + 6 <= b.size()) {
        ext_type = Get16(b, ext_at + 4);
      } else {
        past_end = true;
      }
      if (ext_type == kExtHostname) {
        uint64_t s = ext_at + kExtHeaderLen;
        if (s >= b.size() || b.find('\0', s) == std::string_view::npos) past_end = true;
      }
      if (past_end) break;
      // getNextPingExt adds the full 32-bit length; the next iteration's reads
      // (there is none after the last extension) are what may go past the end.
      ext_at += len32;
    }
    return Decision{true, "", past_end};
  }
  if (type >= kTypeCount) return Decision{true, "", false};
  switch (type) {
    case kFail:
      explen = kHeaderLen + kFailBodyLen;
      break;
    case kPublish:
    case kPublishShard: {
      uint32_t channel_len = read32(kHeaderLen), message_len = read32(kHeaderLen + 4);
      explen = static_cast<uint32_t>(kHeaderLen + kPublishFixedLen) + channel_len + message_len;
      if (explen == totlen &&
          uint64_t{kHeaderLen} + kPublishFixedLen + channel_len + message_len > b.size()) {
        past_end = true;  // the wrapped sum passed: the payload is read past the packet
      }
      break;
    }
    case kUpdate:
      explen = kHeaderLen + kUpdateBodyLen;
      break;
    case kModule:
      explen = static_cast<uint32_t>(kHeaderLen + kModuleFixedLen) + read32(kHeaderLen + 8);
      break;
    default:
      explen = kHeaderLen;
      break;
  }
  if (totlen != explen) {
    return Decision{false,
                    absl::StrCat(MsgTypeName(type), ": totlen ", totlen, " but expected ", explen),
                    past_end};
  }
  return Decision{true, "", past_end};
}

}  // namespace

const char* MsgTypeName(uint16_t type) {
  static constexpr const char* kNames[] = {"PING",
                                           "PONG",
                                           "MEET",
                                           "FAIL",
                                           "PUBLISH",
                                           "FAILOVER_AUTH_REQUEST",
                                           "FAILOVER_AUTH_ACK",
                                           "UPDATE",
                                           "MFSTART",
                                           "MODULE",
                                           "PUBLISHSHARD"};
  return type < kTypeCount ? kNames[type] : "UNKNOWN";
}

Name MakeName(std::string_view s) {
  Name n{};
  std::memcpy(n.data(), s.data(), std::min(s.size(), n.size()));
  return n;
}

Ip MakeIp(std::string_view s) {
  Ip ip{};
  std::memcpy(ip.data(), s.data(), std::min(s.size(), ip.size() - 1));
  return ip;
}

Extension StringExtension(uint16_t type, std::string_view s) {
  Extension e;
  e.type = type;
  e.data = std::string(s);
  e.data.resize(Pad8(s.size() + 1), '\0');
  return e;
}

Extension ForgottenNodeExtension(const Name& name, uint64_t ttl) {
  Extension e;
  e.type = kExtForgottenNode;
  PutArray(&e.data, name);
  Put64(&e.data, ttl);
  return e;
}

Extension ShardIdExtension(const Name& shard_id) {
  Extension e;
  e.type = kExtShardId;
  PutArray(&e.data, shard_id);
  return e;
}

Decision Validate(std::string_view bytes, Profile profile) {
  return profile == Profile::kStrict ? ValidateStrict(bytes) : ValidateRedis7015(bytes);
}

absl::StatusOr<Message> Decode(std::string_view b) {
  Decision d = ValidateStrict(b);
  if (!d.accepted) return absl::InvalidArgumentError(d.reason);
  Message m;
  Header& h = m.header;
  h.totlen = Get32(b, kOffTotlen);
  h.ver = Get16(b, kOffVer);
  h.port = Get16(b, kOffPort);
  h.type = Get16(b, kOffType);
  h.count = Get16(b, kOffCount);
  h.current_epoch = Get64(b, kOffCurrentEpoch);
  h.config_epoch = Get64(b, kOffConfigEpoch);
  h.offset = Get64(b, kOffOffset);
  GetArray(b, kOffSender, &h.sender);
  GetArray(b, kOffMyslots, &h.myslots);
  GetArray(b, kOffSlaveof, &h.replicaof);
  GetArray(b, kOffMyip, &h.myip);
  h.extensions = Get16(b, kOffExtensions);
  GetArray(b, kOffNotused1, &h.notused1);
  h.pport = Get16(b, kOffPport);
  h.cport = Get16(b, kOffCport);
  h.flags = Get16(b, kOffFlags);
  h.state = static_cast<uint8_t>(b[kOffState]);
  GetArray(b, kOffMflags, &h.mflags);
  size_t at = kHeaderLen;
  switch (h.type) {
    case kPing:
    case kPong:
    case kMeet:
      for (uint16_t i = 0; i < h.count; ++i, at += kGossipLen) {
        Gossip g;
        GetArray(b, at, &g.nodename);
        g.ping_sent = Get32(b, at + 40);
        g.pong_received = Get32(b, at + 44);
        GetArray(b, at + 48, &g.ip);
        g.port = Get16(b, at + 94);
        g.cport = Get16(b, at + 96);
        g.flags = Get16(b, at + 98);
        g.pport = Get16(b, at + 100);
        g.notused1 = Get16(b, at + 102);
        m.gossip.push_back(g);
      }
      for (uint16_t i = 0; i < h.extensions; ++i) {  // zero unless EXT_DATA (validated)
        uint32_t len = Get32(b, at);
        Extension e;
        e.type = Get16(b, at + 4);
        e.unused = Get16(b, at + 6);
        e.data = std::string(b.substr(at + kExtHeaderLen, len - kExtHeaderLen));
        m.extensions.push_back(std::move(e));
        at += len;
      }
      break;
    case kFail:
      GetArray(b, at, &m.fail_nodename);
      break;
    case kPublish:
    case kPublishShard: {
      uint32_t channel_len = Get32(b, at), message_len = Get32(b, at + 4);
      m.channel = std::string(b.substr(at + 8, channel_len));
      m.message = std::string(b.substr(at + 8 + channel_len, message_len));
      break;
    }
    case kUpdate:
      m.update_config_epoch = Get64(b, at);
      GetArray(b, at + 8, &m.update_nodename);
      GetArray(b, at + 8 + kNameLen, &m.update_slots);
      break;
    case kModule:
      m.module_id = Get64(b, at);
      m.module_type = static_cast<uint8_t>(b[at + 12]);
      m.module_payload = std::string(b.substr(at + kModuleFixedLen, Get32(b, at + 8)));
      break;
    case kFailoverAuthRequest:
    case kFailoverAuthAck:
    case kMfStart:
      break;
    default:
      m.raw_body = std::string(b.substr(at));
      break;
  }
  return m;
}

std::string Encode(const Message& m) {
  const Header& h = m.header;
  const bool ping_like = IsPingLike(h.type);
  std::string s;
  s.reserve(kHeaderLen + kGossipLen * m.gossip.size() + 64);
  s.append("RCmb");
  Put32(&s, 0);  // totlen, written at the end
  Put16(&s, h.ver);
  Put16(&s, h.port);
  Put16(&s, h.type);
  Put16(&s, ping_like ? static_cast<uint16_t>(m.gossip.size()) : h.count);
  Put64(&s, h.current_epoch);
  Put64(&s, h.config_epoch);
  Put64(&s, h.offset);
  PutArray(&s, h.sender);
  PutArray(&s, h.myslots);
  PutArray(&s, h.replicaof);
  PutArray(&s, h.myip);
  Put16(&s, ping_like ? static_cast<uint16_t>(m.extensions.size()) : h.extensions);
  PutArray(&s, h.notused1);
  Put16(&s, h.pport);
  Put16(&s, h.cport);
  Put16(&s, h.flags);
  s.push_back(static_cast<char>(h.state));
  PutArray(&s, h.mflags);
  switch (h.type) {
    case kPing:
    case kPong:
    case kMeet:
      for (const Gossip& g : m.gossip) {
        PutArray(&s, g.nodename);
        Put32(&s, g.ping_sent);
        Put32(&s, g.pong_received);
        PutArray(&s, g.ip);
        Put16(&s, g.port);
        Put16(&s, g.cport);
        Put16(&s, g.flags);
        Put16(&s, g.pport);
        Put16(&s, g.notused1);
      }
      for (const Extension& e : m.extensions) {
        size_t padded = Pad8(e.data.size());
        Put32(&s, static_cast<uint32_t>(kExtHeaderLen + padded));
        Put16(&s, e.type);
        Put16(&s, e.unused);
        s.append(e.data);
        s.append(padded - e.data.size(), '\0');
      }
      break;
    case kFail:
      PutArray(&s, m.fail_nodename);
      break;
    case kPublish:
    case kPublishShard:
      Put32(&s, static_cast<uint32_t>(m.channel.size()));
      Put32(&s, static_cast<uint32_t>(m.message.size()));
      s.append(m.channel);
      s.append(m.message);
      break;
    case kUpdate:
      Put64(&s, m.update_config_epoch);
      PutArray(&s, m.update_nodename);
      PutArray(&s, m.update_slots);
      break;
    case kModule:
      Put64(&s, m.module_id);
      Put32(&s, static_cast<uint32_t>(m.module_payload.size()));
      s.push_back(static_cast<char>(m.module_type));
      s.append(m.module_payload);
      break;
    case kFailoverAuthRequest:
    case kFailoverAuthAck:
    case kMfStart:
      break;
    default:
      s.append(m.raw_body);
      break;
  }
  PutBE32At(&s, kOffTotlen, static_cast<uint32_t>(s.size()));
  return s;
}

std::string Summarize(const Message& m) {
  std::string s = absl::StrCat(MsgTypeName(m.header.type), " (type ", m.header.type,
                               ") totlen=", m.header.totlen);
  switch (m.header.type) {
    case kPing:
    case kPong:
    case kMeet:
      absl::StrAppend(&s, " gossip=", m.gossip.size(), " extensions=[");
      for (size_t i = 0; i < m.extensions.size(); ++i) {
        absl::StrAppend(&s, i ? "," : "", m.extensions[i].type, ":", m.extensions[i].data.size());
      }
      s += "]";
      break;
    case kPublish:
    case kPublishShard:
      absl::StrAppend(&s, " channel=", m.channel.size(), "B message=", m.message.size(), "B");
      break;
    case kModule:
      absl::StrAppend(&s, " module=", m.module_id, " payload=", m.module_payload.size(), "B");
      break;
    default:
      if (m.header.type >= kTypeCount) absl::StrAppend(&s, " body=", m.raw_body.size(), "B");
      break;
  }
  return s;
}

}  // namespace respfuzz::cluster::bus
