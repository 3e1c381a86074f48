// Reading ordod's config file with CAF's own grammar (caf/detail/parser/read_ini.hpp), but
// keeping every value with the line of its key, so that runtime/config.cpp can report each
// problem (an unknown key, a value of the wrong type, a syntax error) with the file, the
// line and the key, all of them at once. CAF's own reader drops a mistyped value, keeps
// unknown keys and forgets lines.
#pragma once

#include <caf/config_value.hpp>
#include <caf/pec.hpp>
#include <caf/string_view.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ordo::runtime {

struct option_doc;

// A value the file assigns: its option's qualified name ("global.listen",
// "scheduler.max-threads"), the value as written, and the line of its key.
struct file_entry {
  std::string name;
  caf::config_value value;
  std::int32_t line;
};

struct file_reading {
  std::vector<file_entry> entries;
  caf::pec code = caf::pec::success;
  std::size_t stop = 0; // where the parser stopped on a syntax error
  // CAF's own reader fails only when the parser stops before the end, and so takes a file
  // that ends inside a block (unexpected_eof at its end); that file is cut short.
  bool ok() const { return code == caf::pec::success; }
};

file_reading read_config_text(const std::string& text);

// Where `offset` is in `text`: line and column, both from 1, and where that line begins.
struct text_position {
  std::ptrdiff_t line;
  std::size_t column;
  std::size_t line_begin;
};

text_position position_of(std::string_view text, std::size_t offset);

// A string and a number as the file's syntax writes them.
std::string quoted(const std::string& text);
std::string number_text(double value);

// A value as the file wrote it.
std::string as_written(const caf::config_value& value);

const option_doc* find_doc(const std::vector<option_doc>& docs, std::string_view name);

// " did you mean ...?" for a misspelt option name, if one is close enough.
std::string suggestion(std::string_view name, const std::vector<std::string>& known);

// What went wrong where CAF's parser stopped, and how to put it right.
std::string describe_syntax_error(const file_reading& read, std::string_view text,
                                  const std::vector<option_doc>& docs);

// CAF 0.17 has a string_view of its own.
inline std::string text_of(caf::string_view view) {
  return {view.data(), view.size()};
}

} // namespace ordo::runtime
