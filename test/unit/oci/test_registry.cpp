#include "test_registry.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace signet::test {

std::string read_file(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  std::stringstream content;
  content << file.rdbuf();
  return content.str();
}

std::string shell_quote(const std::string& text) {
  std::string out = "'";
  for (const char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

CommandResult run_command(const std::string& command) {
  CommandResult result;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) throw std::runtime_error("cannot run " + command);
  char buffer[4096];
  std::size_t n;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) result.out.append(buffer, n);
  const int status = pclose(pipe);
  result.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  while (!result.out.empty() && (result.out.back() == '\n' || result.out.back() == '\r')) result.out.pop_back();
  return result;
}

std::string run_ok(const std::string& command) {
  const CommandResult result = run_command(command);
  if (result.status != 0) throw std::runtime_error("failed (" + std::to_string(result.status) + "): " + command);
  return result.out;
}

std::string support_command(const std::string& script, const std::vector<std::string>& args) {
  std::string command = "/usr/bin/python3 " + shell_quote(std::string(SIGNET_SUPPORT_DIR) + "/" + script);
  for (const auto& arg : args) command += " " + shell_quote(arg);
  return command;
}

TempDir::TempDir() {
  char pattern[] = "/tmp/signet-oci-test-XXXXXX";
  if (mkdtemp(pattern) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

ChildProcess::ChildProcess(const std::vector<std::string>& argv) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  // Its stdout would interleave with the test report.
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  const int failed = posix_spawn(&pid_, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (failed != 0) throw std::runtime_error("cannot start " + argv[0]);
}

ChildProcess::~ChildProcess() {
  if (pid_ <= 0) return;
  kill(pid_, SIGTERM);
  int status = 0;
  waitpid(pid_, &status, 0);
}

int free_port() { return std::stoi(run_ok(support_command("registry.py", {"free-port"}))); }

void wait_for_port(int port) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const bool connected = connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
    close(fd);
    if (connected) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  throw std::runtime_error("nothing listens on port " + std::to_string(port));
}

TestRegistry::TestRegistry(std::vector<std::string> options) : dir_(temp_ / "registry"), port_(free_port()) {
  for (std::size_t i = 0; i < options.size(); ++i) {
    if (options[i] == "--tls") tls_ = true;
    if (options[i] == "--htpasswd" && i + 1 < options.size()) creds_ = options[i + 1];
  }
  std::vector<std::string> args{"start", dir_, std::to_string(port_)};
  args.insert(args.end(), options.begin(), options.end());
  run_ok(support_command("registry.py", args));
}

TestRegistry::~TestRegistry() { stop(); }

void TestRegistry::stop() { (void)run_command(support_command("registry.py", {"stop", dir_})); }

std::string TestRegistry::push(const std::string& repo_and_tag, const std::string& text) const {
  std::vector<std::string> args{host() + "/" + repo_and_tag, "--text", text};
  if (tls_) args.insert(args.end(), {"--ca", dir_});
  if (!creds_.empty()) args.insert(args.end(), {"--creds", creds_});
  return run_ok(support_command("push_image.py", args));
}

std::string TestRegistry::sign(const std::string& repo, const std::string& digest, const std::string& key,
                               const std::vector<std::string>& extra) const {
  std::vector<std::string> args{host(), repo, digest, key};
  if (tls_) {
    args.insert(args.end(), {"--ca", ca_file()});
  } else {
    args.push_back("--plain-http");
  }
  if (!creds_.empty()) args.insert(args.end(), {"--creds", creds_});
  args.insert(args.end(), extra.begin(), extra.end());
  return run_ok(support_command("cosign_sign.py", args));
}

std::string TestRegistry::blob_path(const std::string& digest) const {
  const std::string hex = digest.substr(digest.find(':') + 1);
  return dir_ + "/storage/docker/registry/v2/blobs/sha256/" + hex.substr(0, 2) + "/" + hex + "/data";
}

}  // namespace signet::test
