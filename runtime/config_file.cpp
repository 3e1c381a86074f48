#include "runtime/config_file.hpp"

#include <algorithm>
#include <cctype>
#include <numeric>
#include <sstream>

#include <caf/detail/parser/read_ini.hpp>

#include "runtime/config.hpp"

namespace ordo::runtime {

namespace {

// CAF's parser hands what it reads to a consumer; these consumers keep every value with the
// line of its key.

class value_sink {
public:
  virtual ~value_sink() = default;
  virtual void take(caf::config_value x) = 0;

  template <class T>
  void value(T&& x) {
    take(caf::config_value{std::forward<T>(x)});
  }
};

class dict_sink;

// A list value, handed to its parent once it is complete.
class list_sink : public value_sink {
public:
  explicit list_sink(value_sink& parent) : parent_(parent) {}
  void take(caf::config_value x) override { items_.push_back(std::move(x)); }
  void end_list() { parent_.take(caf::config_value{std::move(items_)}); }
  list_sink begin_list() { return list_sink{*this}; }
  dict_sink begin_map();

private:
  value_sink& parent_;
  caf::config_value::list items_;
};

// A map inside a list: a value, not a section.
class dict_sink : public value_sink {
public:
  explicit dict_sink(value_sink& parent) : parent_(parent) {}
  void key(std::string name) { key_ = std::move(name); }
  void take(caf::config_value x) override { entries_.insert_or_assign(key_, std::move(x)); }
  void end_map() { parent_.take(caf::config_value{std::move(entries_)}); }
  list_sink begin_list() { return list_sink{*this}; }
  dict_sink begin_map() { return dict_sink{*this}; }

private:
  value_sink& parent_;
  std::string key_;
  caf::config_value::dictionary entries_;
};

dict_sink list_sink::begin_map() {
  return dict_sink{*this};
}

// A [section] or a `name { ... }` block, whose keys are options of its category. The top
// level, [global] and a global { ... } block have the empty prefix: ordod's own options.
class section_sink : public value_sink {
public:
  section_sink(const caf::string_parser_state& ps, std::vector<file_entry>& out, std::string prefix)
    : ps_(ps), out_(out), prefix_(std::move(prefix)) {}
  void key(std::string name) {
    key_ = std::move(name);
    line_ = ps_.line;
  }
  void take(caf::config_value x) override {
    out_.push_back({(prefix_.empty() ? "global" : prefix_) + "." + key_, std::move(x), line_});
  }
  void end_map() {}
  list_sink begin_list() { return list_sink{*this}; }
  section_sink begin_map() {
    if (prefix_.empty())
      return {ps_, out_, key_ == "global" ? "" : key_};
    return {ps_, out_, prefix_ + "." + key_};
  }

private:
  const caf::string_parser_state& ps_;
  std::vector<file_entry>& out_;
  std::string prefix_;
  std::string key_;
  std::int32_t line_ = 0;
};

// The file: a series of sections, the first one unnamed ("global").
class file_sink {
public:
  file_sink(const caf::string_parser_state& ps, std::vector<file_entry>& out)
    : ps_(ps), out_(out) {}
  void key(std::string name) { section_ = std::move(name); }
  section_sink begin_map() { return {ps_, out_, section_ == "global" ? "" : section_}; }

private:
  const caf::string_parser_state& ps_;
  std::vector<file_entry>& out_;
  std::string section_;
};

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  std::iota(row.begin(), row.end(), std::size_t{0});
  for (std::size_t i = 1; i <= a.size(); ++i) {
    auto diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const auto above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::string trimmed(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r");
  if (first == std::string_view::npos)
    return {};
  return std::string{text.substr(first, text.find_last_not_of(" \t\r") - first + 1)};
}

// A broken line taken apart as well as it goes: KEY = VALUE, without its comment.
struct line_parts {
  std::string key;
  std::string value;
  bool assigns = false;
};

line_parts split_line(std::string_view line) {
  bool quoted_text = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    if (line[i] == '"' && (i == 0 || line[i - 1] != '\\')) {
      quoted_text = !quoted_text;
    } else if (line[i] == ';' && !quoted_text) {
      line = line.substr(0, i);
      break;
    }
  }
  const auto eq = line.find('=');
  if (eq == std::string_view::npos)
    return {trimmed(line), {}, false};
  return {trimmed(line.substr(0, eq)), trimmed(line.substr(eq + 1)), true};
}

// How to mend the line the parser stopped on with an unexpected character.
std::string mend_line(const line_parts& line, char unexpected,
                      const std::vector<option_doc>& docs) {
  if (!line.assigns)
    return line.key.starts_with("[") ? "write a section as [name] on a line of its own"
                                     : "write key = value, [section] or a ; comment";
  if (const auto dot = line.key.rfind('.'); dot != std::string::npos)
    return "a key has no '.': write [" + line.key.substr(0, dot) + "] on a line of its own and " +
           line.key.substr(dot + 1) + " = " + line.value + " below it";
  if (unexpected == ',' && line.value.find('=') != std::string::npos)
    return "write one key = value per line";
  const auto* doc = find_doc(docs, line.key);
  if (doc != nullptr && doc->type != "string")
    return line.key + " takes " + (doc->type == "integer" ? "an integer" : "a number") + ", e.g. " +
           line.key + " = " + doc->default_value;
  if (doc != nullptr && !line.value.starts_with("\""))
    return "quote string values, e.g. " + line.key + " = " + quoted(line.value);
  return "write strings in double quotes and atoms in single quotes";
}

} // namespace

std::string quoted(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\')
      out += '\\';
    out += c;
  }
  return out + '"';
}

std::string number_text(double value) {
  std::ostringstream out;
  out << value;
  return out.str();
}

file_reading read_config_text(const std::string& text) {
  caf::string_parser_state ps{text.data(), text.data() + text.size()};
  file_reading read;
  file_sink sink{ps, read.entries};
  caf::detail::parser::read_ini(ps, sink);
  read.code = ps.code;
  read.stop = static_cast<std::size_t>(ps.i - text.data());
  return read;
}

text_position position_of(std::string_view text, std::size_t offset) {
  const auto before = text.substr(0, offset);
  const auto newline = before.rfind('\n');
  const auto begin = newline == std::string_view::npos ? 0 : newline + 1;
  return {1 + std::count(before.begin(), before.end(), '\n'), offset - begin + 1, begin};
}

// A value as the file wrote it.
std::string as_written(const caf::config_value& value) {
  if (caf::holds_alternative<double>(value))
    return number_text(caf::get<double>(value));
  return caf::to_string(value);
}

const option_doc* find_doc(const std::vector<option_doc>& docs, std::string_view name) {
  const auto it = std::find_if(docs.begin(), docs.end(),
                               [name](const option_doc& d) { return d.name == name; });
  return it == docs.end() ? nullptr : &*it;
}

// " did you mean ...?" for a misspelt option name, if one is close enough.
std::string suggestion(std::string_view name, const std::vector<std::string>& known) {
  const std::string* closest = nullptr;
  std::size_t distance = 3; // farther than a typo or two
  for (const auto& candidate : known)
    if (const auto d = edit_distance(name, candidate); d < distance) {
      closest = &candidate;
      distance = d;
    }
  return closest == nullptr ? "" : "; did you mean '" + *closest + "'?";
}

// What went wrong where CAF's parser stopped, and how to put it right.
std::string describe_syntax_error(const file_reading& read, std::string_view text,
                                  const std::vector<option_doc>& docs) {
  using caf::pec;
  const auto begin = position_of(text, read.stop).line_begin;
  const auto line = split_line(text.substr(begin, text.substr(begin).find('\n')));
  const char unexpected = read.stop < text.size() ? text[read.stop] : '\0';
  const std::string cut_short =
    "unexpected end of file; close every {, [ and \" that the file opens";
  switch (read.code) {
    case pec::unexpected_eof:
      return cut_short;
    case pec::unexpected_newline:
      if (line.assigns && line.value.empty()) {
        const auto* doc = find_doc(docs, line.key);
        return "unexpected end of line; give " + line.key + " a value" +
               (doc != nullptr ? ", e.g. " + line.key + " = " + doc->current_value() : "");
      }
      return "unexpected end of line; close the string with \" on the same line";
    case pec::trailing_character:
    case pec::unexpected_character:
      if (unexpected == '\0')
        return cut_short;
      return std::string{"unexpected character"} +
             (std::isprint(static_cast<unsigned char>(unexpected))
                ? std::string{" '"} + unexpected + "'"
                : std::string{}) +
             "; " + mend_line(line, unexpected, docs);
    case pec::illegal_escape_sequence:
      return "invalid escape sequence; inside quotes write \\\\ for \\ and \\\" for \"";
    case pec::integer_overflow:
    case pec::integer_underflow:
      return "integer out of range; integers have 64 bits";
    case pec::exponent_overflow:
    case pec::exponent_underflow:
      return "number out of range";
    case pec::too_many_characters:
      return "atom longer than 10 characters; write strings in double quotes";
    default:
      return "cannot read the value (" + caf::to_string(read.code) + ")";
  }
}

} // namespace ordo::runtime
