// A file with the given content for one test, under /tmp, removed when the test ends.
#pragma once

#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

namespace ordo::test {

class temp_file {
public:
  explicit temp_file(const std::string& content) {
    char name[] = "/tmp/ordo-test-XXXXXX";
    const int fd = ::mkstemp(name);
    EXPECT_GE(fd, 0);
    ::close(fd);
    path_ = name;
    std::ofstream{path_} << content;
  }
  ~temp_file() { std::remove(path_.c_str()); }
  temp_file(const temp_file&) = delete;
  temp_file& operator=(const temp_file&) = delete;
  const std::string& path() const { return path_; }

private:
  std::string path_;
};

} // namespace ordo::test
