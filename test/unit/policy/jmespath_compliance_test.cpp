// The JMESPath compliance suite (jmespath/jmespath.test), read from ../shared/vectors/jmespath.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <catch2/catch.hpp>

#include "policy/jmespath/jmespath.hpp"

namespace fs = std::filesystem;
using namespace signet::policy;

namespace {

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// "syntax: unexpected ']' at column 4" -> "syntax"
std::string kind_of(const std::string& message) { return message.substr(0, message.find(':')); }

}  // namespace

TEST_CASE("every case of the JMESPath compliance suite gives its result or its error", "[jmespath][compliance]") {
  const fs::path dir = fs::path(SIGNET_VECTORS_DIR) / "jmespath";
  if (!fs::is_directory(dir)) {
    WARN("skipped: no JMESPath compliance suite under " << dir.string());
    return;
  }
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() == ".json") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  REQUIRE(files.size() >= 15);

  std::size_t cases = 0, passed = 0;
  for (const auto& file : files) {
    auto suite = json::parse(read_text(file));
    REQUIRE(suite.ok());
    for (const auto& group : suite->as_array()) {
      const json::Value& given = *group.find("given");
      for (const auto& test : group.find("cases")->as_array()) {
        const std::string expression = test.find("expression")->as_string();
        const json::Value* result = test.find("result");
        const json::Value* error = test.find("error");
        ++cases;
        auto got = jmespath::search(expression, given);
        INFO(file.filename().string() << ": " << expression);
        if (error != nullptr) {
          CHECK_FALSE(got.ok());
          if (!got.ok()) {
            CHECK(kind_of(got.error().message) == error->as_string());
            if (kind_of(got.error().message) == error->as_string()) ++passed;
          }
        } else if (result != nullptr) {
          if (!got.ok()) FAIL_CHECK(got.error().message);
          if (got.ok()) {
            INFO("got " << json::to_json(*got) << ", want " << json::to_json(*result));
            CHECK(*got == *result);
            if (*got == *result) ++passed;
          }
        } else {
          // benchmarks.json: no expected value, so the expression must compile and evaluate.
          if (!got.ok()) FAIL_CHECK(got.error().message);
          if (got.ok()) ++passed;
        }
      }
    }
  }
  WARN("JMESPath compliance: " << passed << " of " << cases << " cases pass");
  CHECK(passed == cases);
  CHECK(cases >= 900);
}
