// `signet test`: runs Kyverno CLI test files, with the output streams as parameters so tests can read
// what a user would see.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace signet::server {

// The whole command (flags, test discovery, the registry or OCI layout, the report). Returns the exit
// code: 0 every expectation met, 1 any missed, 2 usage errors or unreadable input.
int run_test_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace signet::server
