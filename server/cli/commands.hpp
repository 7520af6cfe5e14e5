// The `signet` subcommands. Each takes the arguments after its name and returns the exit code.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace signet::server {

int run_serve(const std::vector<std::string>& args);
int run_verify(const std::vector<std::string>& args);
int run_admit(const std::vector<std::string>& args);
int run_policy_check(const std::vector<std::string>& args);
int run_jp(const std::vector<std::string>& args);
// The same with its streams given, so tests can run it.
int run_jp(const std::vector<std::string>& args, std::istream& in, std::ostream& out, std::ostream& err);
int run_test(const std::vector<std::string>& args);
int run_sign_manifest(const std::vector<std::string>& args);
int run_verify_manifest(const std::vector<std::string>& args);
int run_verify_bundle(const std::vector<std::string>& args);
int run_verify_signature(const std::vector<std::string>& args);

// Exit codes shared by the commands.
constexpr int kExitOk = 0;
constexpr int kExitFailed = 1;  // a verification failed or a review was denied
constexpr int kExitUsage = 2;   // bad flags, unreadable input, refused policies

}  // namespace signet::server
