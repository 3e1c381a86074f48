// ordoload as a user runs it: both modes end with a passing verification, an unreachable
// target is exit 3, a verification that finds acknowledged writes missing is exit 1, and
// --plot draws a PNG (or says why not) after the report.

#include "gateway_fixture.hpp"

#include "support/process.hpp"

#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>

namespace ordo::test {
namespace {

// Output and errors together: the progress goes to stdout, failures to stderr.
command_result ordoload_with_env(const std::string& env, const std::string& args) {
  auto r = run_command(env + " '" + ORDOLOAD_PATH + "' " + args);
  r.out += r.err;
  return r;
}

command_result ordoload(const std::string& args) {
  return ordoload_with_env("", args);
}

// For run_command's /bin/sh: the plot tests' paths hold spaces and quotes.
std::string shell_quoted(const std::string& text) {
  std::string out = "'";
  for (char c : text)
    out += c == '\'' ? std::string{"'\\''"} : std::string{c};
  return out + "'";
}

// A directory for one test, named with a space and a quote as a user's may be; removed
// when the test ends.
class temp_dir {
public:
  temp_dir() {
    char name[] = "/tmp/ordoload plot's-XXXXXX";
    EXPECT_NE(::mkdtemp(name), nullptr);
    path_ = name;
  }
  ~temp_dir() { std::filesystem::remove_all(path_); }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  const std::string& path() const { return path_; }

private:
  std::string path_;
};

std::uint32_t big_endian_u32(const std::string& bytes, std::size_t at) {
  std::uint32_t value = 0;
  for (std::size_t i = at; i < at + 4; ++i)
    value = value << 8 | static_cast<unsigned char>(bytes[i]);
  return value;
}

// What makes `bytes` not a whole PNG of a sane size, or "" when it is one: the signature,
// an IHDR chunk first (13 bytes: width, height, ...), the empty IEND chunk last.
std::string png_problem(const std::string& bytes) {
  const std::string signature{"\x89PNG\r\n\x1a\n", 8};
  const std::string iend{"\0\0\0\0IEND\xae\x42\x60\x82", 12}; // length 0, type, CRC
  constexpr std::size_t ihdr_bytes = 4 + 4 + 13 + 4;                // length, type, data, CRC
  if (bytes.size() < signature.size() + ihdr_bytes + iend.size())
    return "only " + std::to_string(bytes.size()) + " bytes";
  if (bytes.compare(0, signature.size(), signature) != 0)
    return "no PNG signature";
  if (big_endian_u32(bytes, 8) != 13 || bytes.compare(12, 4, "IHDR") != 0)
    return "the first chunk is not a 13-byte IHDR";
  const auto width = big_endian_u32(bytes, 16);
  const auto height = big_endian_u32(bytes, 20);
  if (width < 320 || width > 8192 || height < 320 || height > 8192)
    return "an image of " + std::to_string(width) + " x " + std::to_string(height);
  if (bytes.compare(bytes.size() - iend.size(), iend.size(), iend) != 0)
    return "no IEND chunk at the end";
  return "";
}

using ordoload_cli = gateway_fixture;

TEST_F(ordoload_cli, a_tcp_lifecycle_run_reports_and_verifies) {
  start_ordod();
  const auto r = ordoload("--target " + ordod->address() + " --redis " + redis.address() +
                          " --key-prefix it: --auth-key " + ordod_process::auth_key +
                          " --customers 40 --duration 2 --warmup 0.5 --concurrency 16");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("verification passed"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("place "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("refund "), std::string::npos) << r.out;
  // A partial cancel that would make the shipping fee due is refused (invalid_state): the
  // random mix may ask for one. Any other error is a fault.
  const auto errors = r.out.substr(r.out.find("errors      "), 200);
  for (const char* code : {"bad_request", "unauthenticated", "forbidden", "not_found", "conflict",
                           "unavailable", "overloaded", "internal"})
    EXPECT_EQ(errors.find(code), std::string::npos) << errors;
}

TEST_F(ordoload_cli, customers_sharing_a_few_connections_switch_sessions_and_verify) {
  start_ordod();
  const auto json = ::testing::TempDir() + "/shared.json";
  const auto r = ordoload("--target " + ordod->address() + " --redis " + redis.address() +
                          " --key-prefix it: --auth-key " + ordod_process::auth_key +
                          " --customers 30 --connections 4 --duration 2 --warmup 0.2"
                          " --concurrency 16 --json " + json);
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("verification passed"), std::string::npos) << r.out;
  std::ifstream json_in{json};
  std::string json_text{std::istreambuf_iterator<char>{json_in}, {}};
  // Every request went under its own customer's session: one sent under another's would
  // have been not_found (another customer's order) or forbidden (an operator's op).
  const auto errors = json_text.substr(json_text.find("\"errors\""), 200);
  for (const char* code : {"not_found", "forbidden", "unauthenticated", "conflict", "internal"})
    EXPECT_EQ(errors.find(code), std::string::npos) << errors;
}

TEST_F(ordoload_cli, an_inproc_open_loop_run_verifies_and_writes_json_and_csv) {
  const auto json = ::testing::TempDir() + "/ordoload.json";
  const auto csv = ::testing::TempDir() + "/ordoload.csv";
  const auto r = ordoload("--mode inproc --redis " + redis.address() + " --auth-key k --scenario place"
                          " --customers 20 --rate 300 --duration 2 --warmup 0.2 --json " + json +
                          " --csv " + csv);
  EXPECT_EQ(r.exit_code, 0) << r.out;
  std::ifstream json_in{json};
  std::string json_text{std::istreambuf_iterator<char>{json_in}, {}};
  EXPECT_NE(json_text.find("\"passed\":true"), std::string::npos) << json_text;
  std::ifstream csv_in{csv};
  std::string header;
  std::getline(csv_in, header);
  EXPECT_EQ(header, "second,requests,errors,p50_us,p99_us,max_us");
}

TEST_F(ordoload_cli, a_missing_acknowledged_write_fails_the_verification) {
  start_ordod();
  redis_server elsewhere; // holds none of the acknowledged writes
  const auto r = ordoload("--target " + ordod->address() + " --redis " + elsewhere.address() +
                          " --key-prefix it: --auth-key " + ordod_process::auth_key +
                          " --scenario place --customers 5 --orders 20 --warmup 0");
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find("VERIFICATION FAILED"), std::string::npos) << r.out;
}

TEST_F(ordoload_cli, a_plot_is_a_png_drawn_after_the_report_leaving_no_temporary_files) {
  start_ordod();
  const temp_dir dir;
  const auto png = dir.path() + "/it's a plot.png";
  // The series and script go to TMPDIR too: its quote tests their escaping, and only the
  // PNG should be left there.
  const auto r = ordoload_with_env("TMPDIR=" + shell_quoted(dir.path()),
                                   "--target " + ordod->address() + " --redis " + redis.address() +
                                   " --key-prefix it: --auth-key " + ordod_process::auth_key +
                                   " --customers 10 --duration 1 --warmup 0.2 --concurrency 8"
                                   " --plot " + shell_quoted(png));
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("verification passed"), std::string::npos) << r.out;
  std::ifstream in{png, std::ios::binary};
  const std::string bytes{std::istreambuf_iterator<char>{in}, {}};
  EXPECT_EQ(png_problem(bytes), "");
  std::vector<std::string> left;
  for (const auto& entry : std::filesystem::directory_iterator{dir.path()})
    left.push_back(entry.path().filename().string());
  EXPECT_EQ(left, std::vector<std::string>{"it's a plot.png"});
}

TEST_F(ordoload_cli, a_plot_path_without_its_directory_or_not_png_is_refused_before_the_load) {
  // Nothing listens on the target: a run that got as far as the load would be exit 3.
  const auto target = "127.0.0.1:" + std::to_string(free_loopback_port());
  const temp_dir dir;
  for (const auto& plot : {dir.path() + "/missing/run.png", dir.path() + "/run.txt"}) {
    const auto r = ordoload("--target " + target + " --auth-key k --customers 2 --duration 1"
                            " --plot " + shell_quoted(plot));
    EXPECT_EQ(r.exit_code, 2) << r.out;
    EXPECT_NE(r.out.find("--plot"), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("opening"), std::string::npos) << r.out;
  }
}

TEST_F(ordoload_cli, a_plot_without_gnuplot_is_exit_4_naming_it_after_the_report) {
  const temp_dir dir;
  const auto r = ordoload_with_env("PATH=/nonexistent",
                                   "--mode inproc --redis " + redis.address() +
                                   " --auth-key k --scenario place --customers 5 --orders 10"
                                   " --warmup 0 --plot " + shell_quoted(dir.path() + "/run.png"));
  EXPECT_EQ(r.exit_code, 4) << r.out;
  EXPECT_NE(r.out.find("verification passed"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("gnuplot not found (install gnuplot-nox)"), std::string::npos) << r.out;
}

TEST_F(ordoload_cli, an_unreachable_target_is_exit_3_naming_it) {
  const auto target = "127.0.0.1:" + std::to_string(free_loopback_port());
  const auto r = ordoload("--target " + target + " --auth-key k --customers 2 --duration 1");
  EXPECT_EQ(r.exit_code, 3) << r.out;
  EXPECT_NE(r.out.find(target), std::string::npos) << r.out;
}

TEST_F(ordoload_cli, help_and_usage_errors) {
  EXPECT_EQ(ordoload("--help").exit_code, 0);
  EXPECT_NE(ordoload("--help").out.find("--scenario S"), std::string::npos);
  EXPECT_EQ(ordoload("--auth-key k --scenario nope").exit_code, 2);
  EXPECT_EQ(ordoload("--target x").exit_code, 2);
  const auto unknown = ordoload("--auth-key k --connexions 3");
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.out.find("unknown option --connexions"), std::string::npos) << unknown.out;
  EXPECT_EQ(ordoload("--auth-key k --mode inproc --redis 127.0.0.1:1 --connections 2").exit_code, 2);
}

} // namespace
} // namespace ordo::test
