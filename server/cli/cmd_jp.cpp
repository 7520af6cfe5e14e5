// signet jp query|function: what policy authors debug their conditions and variables with (as
// `kyverno jp`).
#include <fstream>
#include <iostream>
#include <sstream>

#include "policy/jmespath/functions.hpp"
#include "policy/jmespath/jmespath.hpp"
#include "server/cli/commands.hpp"

namespace signet::server {

namespace {

const char* const kJpUsage =
    "usage: signet jp query [-i FILE] EXPRESSION\n"
    "       signet jp function [NAME...]\n"
    "`query` evaluates a JMESPath expression (with Kyverno's functions) on the JSON of FILE, or of stdin,\n"
    "and prints the result as indented JSON. A bad expression or input exits 1 with the error, whose kind\n"
    "(syntax, invalid-type, invalid-value, invalid-arity, unknown-function) leads the message.\n"
    "`function` lists the functions with their signatures.\n";

void write_pretty(std::ostream& out, const policy::json::Value& value, int indent) {
  const std::string pad(static_cast<std::size_t>(indent) * 2, ' ');
  if (value.is_array() && !value.as_array().empty()) {
    out << "[\n";
    const auto& items = value.as_array();
    for (std::size_t i = 0; i < items.size(); ++i) {
      out << pad << "  ";
      write_pretty(out, items[i], indent + 1);
      out << (i + 1 < items.size() ? ",\n" : "\n");
    }
    out << pad << "]";
  } else if (value.is_object() && !value.as_object().empty()) {
    out << "{\n";
    const auto& members = value.as_object();
    for (std::size_t i = 0; i < members.size(); ++i) {
      out << pad << "  " << policy::json::to_json(policy::json::Value(members[i].first)) << ": ";
      write_pretty(out, members[i].second, indent + 1);
      out << (i + 1 < members.size() ? ",\n" : "\n");
    }
    out << pad << "}";
  } else {
    out << policy::json::to_json(value);
  }
}

int query(const std::vector<std::string>& args, std::istream& in, std::ostream& out, std::ostream& err) {
  std::string file, expression;
  bool have_expression = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if ((args[i] == "-i" || args[i] == "--input") && i + 1 < args.size()) {
      file = args[++i];
    } else if (args[i].starts_with("--input=")) {
      file = args[i].substr(8);
    } else if (!have_expression) {
      expression = args[i];
      have_expression = true;
    } else {
      err << "signet jp query: unexpected argument \"" << args[i] << "\"\n" << kJpUsage;
      return kExitUsage;
    }
  }
  if (!have_expression) {
    err << "signet jp query: no expression given\n" << kJpUsage;
    return kExitUsage;
  }
  auto compiled = policy::jmespath::compile(expression);
  if (!compiled) {
    err << "signet jp query: " << compiled.error().message << "\n";
    return kExitFailed;
  }
  std::ostringstream text;
  if (file.empty() || file == "-") {
    text << in.rdbuf();
  } else {
    std::ifstream input(file, std::ios::binary);
    if (!input) {
      err << "signet jp query: cannot read " << file << "\n";
      return kExitFailed;
    }
    text << input.rdbuf();
  }
  auto data = policy::json::parse(text.str());
  if (!data) {
    err << "signet jp query: " << (file.empty() ? std::string("stdin") : file) << ": " << data.error().message << "\n";
    return kExitFailed;
  }
  auto result = policy::jmespath::search(**compiled, *data);
  if (!result) {
    err << "signet jp query: " << result.error().message << "\n";
    return kExitFailed;
  }
  write_pretty(out, *result, 0);
  out << "\n";
  return kExitOk;
}

int function(const std::vector<std::string>& names, std::ostream& out, std::ostream& err) {
  using namespace policy::jmespath;
  int status = kExitOk;
  if (!names.empty()) {
    for (const auto& name : names) {
      if (const Function* found = find_function(name)) {
        out << describe(*found) << "\n";
      } else {
        err << "signet jp function: no function named " << name << "\n";
        status = kExitFailed;
      }
    }
    return status;
  }
  for (auto [title, table] :
       {std::pair{"Standard functions", standard_functions()}, std::pair{"Kyverno functions", kyverno_functions()},
        std::pair{"Kyverno time functions", kyverno_time_functions()}}) {
    out << title << ":\n";
    for (const auto& f : table) out << "  " << describe(f) << "\n";
  }
  return kExitOk;
}

}  // namespace

int run_jp(const std::vector<std::string>& args, std::istream& in, std::ostream& out, std::ostream& err) {
  if (args.empty()) {
    err << kJpUsage;
    return kExitUsage;
  }
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  for (const auto& arg : rest) {
    if (arg == "-h" || arg == "--help") {
      out << kJpUsage;
      return kExitOk;
    }
  }
  if (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
    out << kJpUsage;
    return kExitOk;
  }
  if (args[0] == "query") return query(rest, in, out, err);
  if (args[0] == "function") return function(rest, out, err);
  err << "signet jp: unknown subcommand \"" << args[0] << "\"\n" << kJpUsage;
  return kExitUsage;
}

int run_jp(const std::vector<std::string>& args) { return run_jp(args, std::cin, std::cout, std::cerr); }

}  // namespace signet::server
