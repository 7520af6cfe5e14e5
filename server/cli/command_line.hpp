// A small command-line parser: `--flag value`, `--flag=value`, boolean `--flag`, repeated flags and
// positional arguments, with errors that name the flag.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "crypto/result.hpp"

namespace signet::server {

struct FlagSpec {
  std::string name;  // without the leading dashes
  bool takes_value = true;
};

class CommandLine {
 public:
  // Parses args (without the program and command names) against the known flags.
  static Result<CommandLine> parse(const std::vector<std::string>& args, const std::vector<FlagSpec>& flags);

  bool has(const std::string& name) const { return values_.count(name) > 0; }
  // The last value given for a flag, or `fallback`.
  std::string get(const std::string& name, const std::string& fallback = "") const;
  std::vector<std::string> all(const std::string& name) const;
  // A duration given in (possibly fractional) seconds, e.g. --review-deadline 2.5.
  Result<std::chrono::milliseconds> seconds(const std::string& name, double fallback) const;
  // A whole number, e.g. --threads 4.
  Result<long> number(const std::string& name, long fallback) const;
  const std::vector<std::string>& positional() const { return positional_; }

 private:
  std::map<std::string, std::vector<std::string>> values_;
  std::vector<std::string> positional_;
};

// True when the arguments ask for help (--help or -h): the command prints its usage and exits 0.
bool asks_for_help(const std::vector<std::string>& args);

}  // namespace signet::server
