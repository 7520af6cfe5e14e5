// signet jp query / function, run through the command function with its streams.
#include <filesystem>
#include <fstream>
#include <sstream>

#include <catch2/catch.hpp>

#include "server/cli/commands.hpp"

using signet::server::run_jp;

namespace {

struct Run {
  int status;
  std::string out, err;
};

Run jp(const std::vector<std::string>& args, const std::string& input = "") {
  std::istringstream in(input);
  std::ostringstream out, err;
  const int status = run_jp(args, in, out, err);
  return {status, out.str(), err.str()};
}

}  // namespace

TEST_CASE("jp query prints the result of an expression on stdin as indented JSON", "[jmespath][cli]") {
  const auto run = jp({"query", "items[?size > `1`] | [0]"}, R"({"items": [{"name": "a", "size": 2, "tags": []}]})");
  CHECK(run.status == 0);
  CHECK(run.out == "{\n  \"name\": \"a\",\n  \"size\": 2,\n  \"tags\": []\n}\n");
  CHECK(run.err.empty());
}

TEST_CASE("jp query reads the input file given with -i", "[jmespath][cli]") {
  const auto path = std::filesystem::temp_directory_path() / "signet_jp_query_test.json";
  std::ofstream(path) << R"({"a": [1, 2]})";
  const auto run = jp({"query", "-i", path.string(), "a"});
  std::filesystem::remove(path);
  CHECK(run.status == 0);
  CHECK(run.out == "[\n  1,\n  2\n]\n");
}

TEST_CASE("jp query exits 1 naming the error kind of a bad expression or a bad input", "[jmespath][cli]") {
  auto run = jp({"query", "foo[?"}, "{}");
  CHECK(run.status == 1);
  CHECK(run.err.find("syntax: ") != std::string::npos);
  run = jp({"query", "abs('x')"}, "{}");
  CHECK(run.status == 1);
  CHECK(run.err.find("invalid-type: ") != std::string::npos);
  run = jp({"query", "nope(@)"}, "{}");
  CHECK(run.status == 1);
  CHECK(run.err.find("unknown-function: ") != std::string::npos);
  run = jp({"query", "a"}, "{not json");
  CHECK(run.status == 1);
  CHECK(run.err.find("invalid JSON") != std::string::npos);
  run = jp({"query", "-i", "/nonexistent/input.json", "a"});
  CHECK(run.status == 1);
  CHECK(run.err.find("/nonexistent/input.json") != std::string::npos);
}

TEST_CASE("jp --help prints usage and jp function lists signatures", "[jmespath][cli]") {
  auto run = jp({"query", "--help"});
  CHECK(run.status == 0);
  CHECK(run.out.find("usage: signet jp query") != std::string::npos);
  run = jp({"function"});
  CHECK(run.status == 0);
  CHECK(run.out.find("  sort_by(array, expref) array\n") != std::string::npos);
  CHECK(run.out.find("  semver_compare(string, string) boolean") != std::string::npos);
  run = jp({"function", "nope"});
  CHECK(run.status == 1);
  run = jp({"frobnicate"});
  CHECK(run.status == 2);
}
