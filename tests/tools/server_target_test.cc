// tools/server_target: target names to server programs, each error one line
// that says what to do, and the same answers as scripts/server-target.
#include "tools/server_target.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace respfuzz::targets {
namespace {

namespace fs = std::filesystem;

// The lock file's row for `name`: Debian version and .dsc SHA-256.
std::pair<std::string, std::string> LockRow(const std::string& name) {
  std::ifstream in(std::string(RESPFUZZ_SOURCE_DIR) + "/oss-fuzz/debian-sources.lock");
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream ss(line);
    std::string n, v, sha;
    ss >> n >> v >> sha;
    if (n == name) return {v, sha};
  }
  ADD_FAILURE() << "no lock row for " << name;
  return {};
}

void WriteExecutable(const std::string& path, bool executable = true) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream(path) << "#!/bin/sh\nexit 0\n";
  chmod(path.c_str(), executable ? 0755 : 0644);
}

// A scratch cache and system directory, set in the environment for the
// test's duration (RESPFUZZ_TARGETS_CACHE, RESPFUZZ_SYSTEM_SERVER_DIR).
class ServerTargetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/respfuzz-server-target-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    Save("RESPFUZZ_TARGETS_CACHE", dir_ + "/cache");
    Save("RESPFUZZ_SYSTEM_SERVER_DIR", dir_ + "/usr-bin");
  }
  void TearDown() override {
    for (const auto& [name, value] : saved_) {
      if (value.has_value()) {
        setenv(name.c_str(), value->c_str(), 1);
      } else {
        unsetenv(name.c_str());
      }
    }
    fs::remove_all(dir_);
  }
  void Save(const std::string& name, const std::string& value) {
    const char* old = getenv(name.c_str());
    saved_.emplace_back(name, old ? std::optional<std::string>(old) : std::nullopt);
    setenv(name.c_str(), value.c_str(), 1);
  }
  // A cached build of `name` as scripts/targets leaves it; returns its bin/.
  std::string Build(const std::string& name, const std::string& family,
                    const std::string& stamp_sha = "") {
    const auto [version, sha] = LockRow(name);
    const std::string home = dir_ + "/cache/" + name + "-" + sha.substr(0, 12);
    fs::create_directories(home + "/bin");
    std::ofstream(home + "/.respfuzz-target")
        << name << " " << version << " " << (stamp_sha.empty() ? sha : stamp_sha)
        << " srcdir 0123456789abcdef\n";
    WriteExecutable(home + "/bin/" + family + "-server");
    WriteExecutable(home + "/bin/" + family + "-cli");
    return home + "/bin";
  }
  std::string dir_;
  std::vector<std::pair<std::string, std::optional<std::string>>> saved_;
};

TEST_F(ServerTargetTest, DefaultIsDebiansRedis70) {
  WriteExecutable(dir_ + "/usr-bin/redis-server");
  WriteExecutable(dir_ + "/usr-bin/redis-cli");
  absl::StatusOr<ServerProgram> p = ResolveServer("", "");
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->target, "redis-7.0");
  EXPECT_EQ(p->version, "7.0.15");
  EXPECT_EQ(p->family, "redis");
  EXPECT_EQ(p->server, dir_ + "/usr-bin/redis-server");
  EXPECT_EQ(p->cli, dir_ + "/usr-bin/redis-cli");
  EXPECT_EQ(p->Describe(), "redis-7.0 (redis-server 7.0.15, " + dir_ + "/usr-bin/redis-server)");
}

TEST_F(ServerTargetTest, BuiltTargetsAreInTheCache) {
  const std::string redis = Build("redis-8.0", "redis");
  const std::string valkey = Build("valkey-9.1", "valkey");
  absl::StatusOr<ServerProgram> r = ResolveServer("redis-8.0", "");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->server, redis + "/redis-server");
  EXPECT_EQ(r->cli, redis + "/redis-cli");
  EXPECT_EQ(r->version, "8.0.6");
  absl::StatusOr<ServerProgram> v = ResolveServer("valkey-9.1", "");
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(v->server, valkey + "/valkey-server");
  EXPECT_EQ(v->cli, valkey + "/valkey-cli");
  EXPECT_EQ(v->version, "9.1.2");
  EXPECT_EQ(v->family, "valkey");
}

TEST_F(ServerTargetTest, UnknownTargetNamesTheKnownOnes) {
  absl::StatusOr<ServerProgram> p = ResolveServer("redis-6.2", "");
  ASSERT_EQ(p.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(p.status().message(),
            "unknown target 'redis-6.2' (known: redis-7.0, redis-8.0, valkey-9.1)");
}

TEST_F(ServerTargetTest, NotBuiltNamesTheBuildCommand) {
  absl::StatusOr<ServerProgram> p = ResolveServer("valkey-9.1", "");
  ASSERT_EQ(p.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(p.status().message().find("valkey-9.1 is not built"), std::string::npos);
  EXPECT_NE(p.status().message().find("scripts/targets --build valkey-9.1"), std::string::npos);
  EXPECT_EQ(p.status().message().find('\n'), std::string::npos);
  // A stamp that names another pin is not this build.
  Build("valkey-9.1", "valkey", std::string(64, '0'));
  p = ResolveServer("valkey-9.1", "");
  ASSERT_EQ(p.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(p.status().message().find("is not built"), std::string::npos);
}

TEST_F(ServerTargetTest, MissingProgramIsAnError) {
  const std::string bin = Build("redis-8.0", "redis");
  fs::remove(bin + "/redis-cli");
  absl::StatusOr<ServerProgram> p = ResolveServer("redis-8.0", "");
  ASSERT_EQ(p.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(p.status().message(), "redis-8.0: " + bin +
                                      "/redis-cli is missing or not executable (scripts/targets "
                                      "--rebuild redis-8.0)");
  // Debian's, not installed.
  p = ResolveServer("redis-7.0", "");
  ASSERT_EQ(p.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(p.status().message(), "redis-7.0: " + dir_ +
                                      "/usr-bin/redis-server is missing or not executable "
                                      "(scripts/setup installs it)");
}

TEST_F(ServerTargetTest, ServerBinaryMustBeAnExecutableFile) {
  for (const std::string& bad : {dir_ + "/nothing", dir_ + "/plain", dir_}) {
    if (bad == dir_ + "/plain") WriteExecutable(bad, /*executable=*/false);
    absl::StatusOr<ServerProgram> p = ResolveServer("", bad);
    ASSERT_EQ(p.status().code(), absl::StatusCode::kNotFound) << bad;
    EXPECT_EQ(p.status().message(), "--server-binary: " + bad + " is not an executable file");
  }
}

TEST_F(ServerTargetTest, ServerBinaryAloneFindsItsCli) {
  WriteExecutable(dir_ + "/x/valkey-server");
  WriteExecutable(dir_ + "/x/valkey-cli");
  WriteExecutable(dir_ + "/y/my-server");
  absl::StatusOr<ServerProgram> p = ResolveServer("", dir_ + "/x/../x/valkey-server");
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->server, dir_ + "/x/valkey-server");
  EXPECT_EQ(p->cli, dir_ + "/x/valkey-cli");
  EXPECT_TRUE(p->target.empty());
  EXPECT_TRUE(p->version.empty());
  EXPECT_EQ(p->Describe(), dir_ + "/x/valkey-server");
  p = ResolveServer("", dir_ + "/y/my-server");
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_TRUE(p->cli.empty());
  EXPECT_TRUE(CheckInfo(*p, "redis_version:1.2.3\r\n").ok());  // nothing expected
}

TEST_F(ServerTargetTest, TargetAndBinaryExpectTheTargetsVersion) {
  const std::string bin = Build("redis-8.0", "redis");
  WriteExecutable(dir_ + "/mine/redis-server");
  absl::StatusOr<ServerProgram> p = ResolveServer("redis-8.0", dir_ + "/mine/redis-server");
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->server, dir_ + "/mine/redis-server");
  EXPECT_EQ(p->cli, bin + "/redis-cli");
  EXPECT_EQ(p->version, "8.0.6");
  EXPECT_TRUE(CheckInfo(*p, "# Server\r\nredis_version:8.0.6\r\nredis_mode:standalone\r\n").ok());
  absl::Status s = CheckInfo(*p, "# Server\r\nredis_version:7.0.15\r\n");
  ASSERT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.message(), dir_ + "/mine/redis-server is not redis-8.0: INFO server says " +
                             "redis_version:7.0.15, expected 8.0.6");
}

TEST_F(ServerTargetTest, ValkeyIsCheckedByItsOwnVersionField) {
  Build("valkey-9.1", "valkey");
  absl::StatusOr<ServerProgram> p = ResolveServer("valkey-9.1", "");
  ASSERT_TRUE(p.ok()) << p.status();
  // valkey-server 9.1.2 answers both; only valkey_version names it.
  EXPECT_TRUE(
      CheckInfo(*p, "redis_version:7.2.4\r\nserver_name:valkey\r\nvalkey_version:9.1.2\r\n").ok());
  absl::Status s = CheckInfo(*p, "redis_version:9.1.2\r\n");
  ASSERT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("INFO server says no valkey_version:"), std::string::npos);
}

TEST(UpstreamVersion, DropsEpochRevisionAndRepack) {
  EXPECT_EQ(UpstreamVersion("5:8.0.6-3"), "8.0.6");
  EXPECT_EQ(UpstreamVersion("5:7.0.15-1~deb12u10"), "7.0.15");
  EXPECT_EQ(UpstreamVersion("9.1.2-1"), "9.1.2");
  EXPECT_EQ(UpstreamVersion("8.1.1+dfsg1-3+deb13u3"), "8.1.1");
  EXPECT_EQ(UpstreamVersion("1.2"), "1.2");
}

// What scripts/server-target prints for `args` (stdout and exit status).
std::pair<std::string, int> Shell(const std::string& args) {
  const std::string cmd =
      std::string(RESPFUZZ_SOURCE_DIR) + "/scripts/server-target " + args + " 2>/dev/null";
  FILE* f = popen(cmd.c_str(), "r");
  std::string out;
  char buf[512];
  while (f != nullptr && fgets(buf, sizeof buf, f) != nullptr) out += buf;
  const int status = f != nullptr ? pclose(f) : -1;
  if (!out.empty() && out.back() == '\n') out.pop_back();
  return {out, WIFEXITED(status) ? WEXITSTATUS(status) : -1};
}

// Both sides, on this machine's cache and on scratch ones, agree: the same
// programs, or both refuse.
void ExpectAgreement(const std::string& where) {
  for (const std::string& name : KnownTargets()) {
    SCOPED_TRACE(where + ": " + name);
    absl::StatusOr<ServerProgram> p = ResolveServer(name, "");
    const auto [server, rc] = Shell(name);
    if (!p.ok()) {
      EXPECT_EQ(rc, 2) << p.status();
      continue;
    }
    EXPECT_EQ(rc, 0);
    EXPECT_EQ(server, p->server);
    EXPECT_EQ(Shell("--cli " + name).first, p->cli);
    EXPECT_EQ(Shell("--version " + name).first, p->version);
    EXPECT_EQ(Shell("--family " + name).first, p->family);
  }
  EXPECT_EQ(Shell("no-such-target").second, 2);
}

TEST(ServerTargetShell, AgreesOnThisMachine) { ExpectAgreement("this machine"); }

TEST_F(ServerTargetTest, ShellAgreesOnAScratchCache) {
  ExpectAgreement("nothing built");
  WriteExecutable(dir_ + "/usr-bin/redis-server");
  WriteExecutable(dir_ + "/usr-bin/redis-cli");
  Build("redis-8.0", "redis");
  Build("valkey-9.1", "valkey", std::string(64, 'f'));
  ExpectAgreement("redis-8.0 built, valkey-9.1 stamped for another pin");
}

}  // namespace
}  // namespace respfuzz::targets
