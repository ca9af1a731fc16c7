#include "harnesses/cluster_bus/checks.h"

#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "harnesses/common/registry.h"
#include "harnesses/models/cluster_bus_reference.h"

namespace respfuzz::harnesses {
namespace {

namespace bus = cluster::bus;

bool HasLargeExtension(const bus::Message& m) {
  for (const bus::Extension& e : m.extensions) {
    if (e.data.size() + bus::kExtHeaderLen > 0xffff) return true;
  }
  return false;
}

}  // namespace

ClusterBusInput DecodeClusterBusInput(std::string_view input) {
  ClusterBusInput in;
  if (input.empty()) return in;
  in.flags = static_cast<uint8_t>(input[0]);
  in.message = std::string(input.substr(1));
  if ((in.flags & kBusFixTotlen) && in.message.size() >= 8) {
    uint32_t n = static_cast<uint32_t>(in.message.size());
    for (int k = 0; k < 4; ++k) in.message[4 + k] = static_cast<char>(n >> (24 - 8 * k));
  }
  return in;
}

fuzz::Verdict CheckClusterBus(BusCodecUnderTest& codec, std::string_view input) {
  const ClusterBusInput in = DecodeClusterBusInput(input);
  // An exact-size heap copy: a read past the message is a heap overflow.
  const size_t n = in.message.size();
  std::unique_ptr<char[]> buf(new char[n == 0 ? 1 : n]);
  if (n > 0) std::memcpy(buf.get(), in.message.data(), n);
  const std::string_view bytes(buf.get(), n);

  const bus::Decision d = codec.Validate(bytes, bus::Profile::kStrict);
  const models::BusLengthVerdict ref = models::CheckBusLengths(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(buf.get()), n));
  if (d.accepted != ref.valid) {
    return fuzz::Verdict::Fail(
        "reference", 0,
        std::string("validator ") + (d.accepted ? "accepts" : "rejects (" + d.reason + ")") +
            ", reference " + (ref.valid ? "accepts" : "rejects (" + ref.rule + ")"));
  }
  auto decoded = codec.Decode(bytes);
  if (!d.accepted) {
    if (d.reason.empty()) return fuzz::Verdict::Fail("reason", 0, "rejected without a reason");
    if (decoded.ok()) return fuzz::Verdict::Fail("reason", 0, "rejected, but Decode succeeds");
    if (decoded.status().message() != d.reason) {
      return fuzz::Verdict::Fail("reason", 0,
                                 "Decode says '" + std::string(decoded.status().message()) +
                                     "', Validate says '" + d.reason + "'");
    }
    return fuzz::Verdict::Ok();
  }
  if (!decoded.ok()) {
    return fuzz::Verdict::Fail(
        "roundtrip", 0, "accepted, but Decode fails: " + std::string(decoded.status().message()));
  }
  const std::string encoded = codec.Encode(*decoded);
  if (encoded != bytes) {
    size_t at = 0;
    while (at < encoded.size() && at < bytes.size() && encoded[at] == bytes[at]) ++at;
    return fuzz::Verdict::Fail(
        "roundtrip", 0,
        bus::Summarize(*decoded) + ": re-encoded " + std::to_string(encoded.size()) + " bytes vs " +
            std::to_string(bytes.size()) + ", first difference at " + std::to_string(at));
  }
  auto again = codec.Decode(encoded);
  if (!again.ok() || !(*again == *decoded)) {
    return fuzz::Verdict::Fail("roundtrip", 0,
                               bus::Summarize(*decoded) + ": decoding the encoding differs");
  }
  // What the strict validator accepts is laid out as its lengths say, so 7.0.15
  // reads every extension header where it is and never past the end; it keeps
  // each length in 16 bits, so one of 64 KiB or more makes its sum fall short
  // of totlen and it rejects the message.
  const bus::Decision redis = codec.Validate(bytes, bus::Profile::kRedis7015);
  const bool large = HasLargeExtension(*decoded);
  if (redis.accepted == large || redis.reads_past_end) {
    return fuzz::Verdict::Fail("redis-7015", 0,
                               bus::Summarize(*decoded) + ": strict accepts" +
                                   (large ? " (an extension of 64 KiB or more)" : "") +
                                   ", 7.0.15 " +
                                   (redis.accepted ? "accepts" : "rejects (" + redis.reason + ")") +
                                   (redis.reads_past_end ? " and reads past the end" : ""));
  }
  return fuzz::Verdict::Ok();
}

fuzz::Verdict RunClusterBus(std::string_view input) {
  BusCodecUnderTest codec;
  return CheckClusterBus(codec, input);
}

std::string DescribeClusterBus(std::string_view input) {
  const ClusterBusInput in = DecodeClusterBusInput(input);
  std::string s = "flags " + std::to_string(in.flags) +
                  ((in.flags & kBusFixTotlen) ? " (totlen set to the length)" : "") + ", " +
                  std::to_string(in.message.size()) + " message bytes\n";
  const bus::Decision d = bus::Validate(in.message);
  if (!d.accepted) {
    s += "strict: rejected: " + d.reason + "\n";
  } else if (auto m = bus::Decode(in.message); m.ok()) {
    s += "strict: accepted: " + bus::Summarize(*m) + "\n";
  }
  const bus::Decision r = bus::Validate(in.message, bus::Profile::kRedis7015);
  s += std::string("redis 7.0.15: ") + (r.accepted ? "accepted" : "rejected: " + r.reason) +
       (r.reads_past_end ? " (reads past the end)" : "") + "\n";
  const models::BusLengthVerdict ref = models::CheckBusLengths(std::span<const uint8_t>(
      reinterpret_cast<const uint8_t*>(in.message.data()), in.message.size()));
  s += std::string("reference: ") + (ref.valid ? "valid" : "invalid (" + ref.rule + ")") + "\n";
  s += "first bytes: " + EscapeBytes(std::string_view(in.message).substr(0, 64)) + "\n";
  return s;
}

RESPFUZZ_REGISTER_HARNESS(
    cluster_bus,
    Harness{"cluster_bus",
            "one Redis Cluster bus message (Redis 7.0 header, gossip, FAIL, PUBLISH, UPDATE, "
            "MODULE, PUBLISHSHARD, PING extensions); byte 0 can fix totlen to the length",
            "the validator agrees with a separate reference length checker; a rejection has a "
            "reason Decode repeats; an accepted message decodes, re-encodes to the same bytes "
            "and decodes equal; Redis 7.0.15 reads nothing past what the strict validator "
            "accepts and accepts it too, unless an extension is 64 KiB or more",
            RunClusterBus, DescribeClusterBus});

}  // namespace respfuzz::harnesses
