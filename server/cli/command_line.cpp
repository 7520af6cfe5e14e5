#include "server/cli/command_line.hpp"

#include <cstdlib>

namespace signet::server {

Result<CommandLine> CommandLine::parse(const std::vector<std::string>& args, const std::vector<FlagSpec>& flags) {
  CommandLine line;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--") {
      line.positional_.insert(line.positional_.end(), args.begin() + static_cast<long>(i) + 1, args.end());
      break;
    }
    if (arg.size() < 3 || arg.compare(0, 2, "--") != 0) {
      line.positional_.push_back(arg);
      continue;
    }
    std::string name = arg.substr(2);
    std::optional<std::string> value;
    if (auto equals = name.find('='); equals != std::string::npos) {
      value = name.substr(equals + 1);
      name.resize(equals);
    }
    const FlagSpec* spec = nullptr;
    for (const auto& flag : flags)
      if (flag.name == name) spec = &flag;
    if (!spec) return Error::invalid("unknown flag --" + name);
    if (!spec->takes_value) {
      if (value) return Error::invalid("flag --" + name + " takes no value");
      line.values_[name].push_back("true");
      continue;
    }
    if (!value) {
      if (i + 1 >= args.size()) return Error::invalid("flag --" + name + " needs a value");
      value = args[++i];
    }
    line.values_[name].push_back(*value);
  }
  return line;
}

std::string CommandLine::get(const std::string& name, const std::string& fallback) const {
  auto it = values_.find(name);
  return it == values_.end() ? fallback : it->second.back();
}

std::vector<std::string> CommandLine::all(const std::string& name) const {
  auto it = values_.find(name);
  return it == values_.end() ? std::vector<std::string>{} : it->second;
}

bool asks_for_help(const std::vector<std::string>& args) {
  for (const auto& arg : args)
    if (arg == "--help" || arg == "-h") return true;
  return false;
}

Result<std::chrono::milliseconds> CommandLine::seconds(const std::string& name, double fallback) const {
  if (!has(name)) return std::chrono::milliseconds(static_cast<long>(fallback * 1000));
  const std::string text = get(name);
  char* end = nullptr;
  double value = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0' || !(value > 0) || value > 86400)
    return Error::invalid("--" + name + " must be a number of seconds between 0 and 86400, not \"" + text + "\"");
  return std::chrono::milliseconds(static_cast<long>(value * 1000));
}

Result<long> CommandLine::number(const std::string& name, long fallback) const {
  if (!has(name)) return fallback;
  const std::string text = get(name);
  char* end = nullptr;
  long value = std::strtol(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || value < 0)
    return Error::invalid("--" + name + " must be a whole number, not \"" + text + "\"");
  return value;
}

}  // namespace signet::server
