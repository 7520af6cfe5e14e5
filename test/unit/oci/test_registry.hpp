// Test fixtures for the registry integration tests: the scripts of test/support run as processes, a
// real docker-registry on a free loopback port, and a way to run a coroutine to completion.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

#include "crypto/result.hpp"
#include "oci/reference.hpp"
#include "oci/registry.hpp"

namespace signet::test {

// The output of a finished command.
struct CommandResult {
  int status = -1;
  std::string out;  // stdout, trailing newline removed
};

// Runs a command line through /bin/sh (stderr goes to the test's stderr).
CommandResult run_command(const std::string& command);
// run_command that must succeed; returns its stdout.
std::string run_ok(const std::string& command);
// "/usr/bin/python3 <support dir>/<script>" + arguments, each shell-quoted.
std::string support_command(const std::string& script, const std::vector<std::string>& args);
std::string shell_quote(const std::string& text);

// A fresh directory under /tmp, removed with everything in it.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// A background process started without a shell, killed (SIGTERM) when this goes away.
class ChildProcess {
 public:
  // argv[0] is a path; the process's stdout goes to /dev/null.
  explicit ChildProcess(const std::vector<std::string>& argv);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

 private:
  int pid_ = -1;
};

int free_port();
// Waits (up to 10 s) until something accepts connections on 127.0.0.1:port.
void wait_for_port(int port);

// docker-registry started by test/support/registry.py on a free port; stopped on destruction.
class TestRegistry {
 public:
  // `options` are registry.py's: "--tls", "--htpasswd", "user:pass", "--token".
  explicit TestRegistry(std::vector<std::string> options = {});
  ~TestRegistry();
  TestRegistry(const TestRegistry&) = delete;
  TestRegistry& operator=(const TestRegistry&) = delete;

  std::string host() const { return "127.0.0.1:" + std::to_string(port_); }
  int port() const { return port_; }
  const std::string& dir() const { return dir_; }
  std::string ca_file() const { return dir_ + "/ca.crt"; }
  bool tls() const { return tls_; }
  const std::string& creds() const { return creds_; }
  void stop();

  // push_image.py HOST/REPO:TAG with this registry's CA and credentials; returns the digest.
  std::string push(const std::string& repo_and_tag, const std::string& text) const;
  // cosign_sign.py with this registry's CA and credentials plus `extra` options; returns the manifest digest.
  std::string sign(const std::string& repo, const std::string& digest, const std::string& key,
                   const std::vector<std::string>& extra = {}) const;
  // The file holding a blob in the registry's filesystem storage.
  std::string blob_path(const std::string& digest) const;

 private:
  TempDir temp_;
  std::string dir_;
  int port_;
  bool tls_ = false;
  std::string creds_;
};

// Ten seconds from now: the deadline of a request that should finish.
inline oci::Deadline soon() { return oci::Clock::now() + std::chrono::seconds(10); }

// `text` parsed as an image reference; fails the test when it does not parse.
inline oci::Reference image_ref(const std::string& text) {
  auto parsed = oci::parse_reference(text);
  REQUIRE(parsed.ok());
  return *parsed;
}

// The error of a result that must have failed.
inline Error error_of(const auto& result) {
  REQUIRE_FALSE(result.ok());
  return result.error();
}

// The whole content of a file ("" when it cannot be read).
std::string read_file(const std::string& path);

// Runs `work` on `ioc` until it finishes and returns what it returned.
template <class T>
T run_until_done(boost::asio::io_context& ioc, boost::asio::awaitable<T> work) {
  std::optional<T> out;
  boost::asio::co_spawn(
      ioc, [&]() -> boost::asio::awaitable<void> { out.emplace(co_await std::move(work)); },
      [](std::exception_ptr e) {
        if (e) std::rethrow_exception(e);
      });
  ioc.restart();
  ioc.run();
  return std::move(*out);
}

}  // namespace signet::test
