#include "exposition.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>

namespace ordo::ctl {

namespace {

// What a message quotes of a bad line, which may hold anything a node sent.
constexpr std::size_t max_quoted_chars = 40;

error malformed(std::string why) {
  return {errc::bad_request, std::move(why)};
}

std::string quoted(std::string_view text) {
  std::string shown{text.substr(0, max_quoted_chars)};
  std::replace_if(
      shown.begin(), shown.end(), [](char c) { return c < ' ' || c > '~'; }, '?');
  return "'" + shown + (text.size() > max_quoted_chars ? "...'" : "'");
}

bool is_blank(char c) {
  return c == ' ' || c == '\t';
}

bool is_name_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

void skip_blanks(std::string_view& rest) {
  while (!rest.empty() && is_blank(rest.front()))
    rest.remove_prefix(1);
}

bool take(std::string_view& rest, char c) {
  if (rest.empty() || rest.front() != c)
    return false;
  rest.remove_prefix(1);
  return true;
}

// A metric name may hold ':' (recording rules use it); a label name may not.
std::string take_name(std::string_view& rest, bool colons) {
  std::size_t n = 0;
  while (n < rest.size() && (is_name_start(rest[n]) || (colons && rest[n] == ':') ||
                             (n > 0 && rest[n] >= '0' && rest[n] <= '9')))
    ++n;
  std::string name{rest.substr(0, n)};
  rest.remove_prefix(n);
  return name;
}

std::string_view take_word(std::string_view& rest) {
  std::size_t n = 0;
  while (n < rest.size() && !is_blank(rest[n]))
    ++n;
  const auto word = rest.substr(0, n);
  rest.remove_prefix(n);
  return word;
}

result<std::string> take_label_value(std::string_view& rest) {
  if (!take(rest, '"'))
    return malformed("a label value must be in double quotes");
  std::string value;
  while (!rest.empty()) {
    const char c = rest.front();
    rest.remove_prefix(1);
    if (c == '"')
      return value;
    if (c != '\\') {
      value += c;
      continue;
    }
    const char escaped = rest.empty() ? '\0' : rest.front();
    if (escaped != '\\' && escaped != '"' && escaped != 'n')
      return malformed("a label value may escape only \\\\, \\\" and \\n");
    rest.remove_prefix(1);
    value += escaped == 'n' ? '\n' : escaped;
  }
  return malformed("a label value lacks its closing quote");
}

// After the '{': pairs `name="value"` separated by commas (one may trail), then '}'.
result<labels> take_labels(std::string_view& rest) {
  labels found;
  for (;;) {
    skip_blanks(rest);
    if (take(rest, '}'))
      return found;
    const auto name = take_name(rest, false);
    if (name.empty())
      return malformed("expected a label name or '}'");
    skip_blanks(rest);
    if (!take(rest, '='))
      return malformed("expected '=' after label " + name);
    skip_blanks(rest);
    auto value = take_label_value(rest);
    if (!value)
      return std::move(value).error();
    if (!found.emplace(name, std::move(*value)).second)
      return malformed("label " + name + " is given twice");
    skip_blanks(rest);
    if (!take(rest, ',') && (rest.empty() || rest.front() != '}'))
      return malformed("expected ',' or '}' after label " + name);
  }
}

result<sample> parse_sample(std::string_view rest) {
  sample s;
  s.name = take_name(rest, true);
  if (s.name.empty())
    return malformed("expected a metric name");
  skip_blanks(rest);
  if (take(rest, '{')) {
    auto found = take_labels(rest);
    if (!found)
      return std::move(found).error();
    s.labels = std::move(*found);
  }
  skip_blanks(rest);
  const auto value_text = take_word(rest);
  const auto value = parse_sample_value(value_text);
  if (!value)
    return malformed(value_text.empty() ? "expected a value after " + s.name
                                        : "not a number: " + quoted(value_text));
  s.value = *value;
  skip_blanks(rest);
  if (rest.empty())
    return s;
  const auto stamp = take_word(rest);
  std::int64_t ms = 0;
  const auto [end, ec] = std::from_chars(stamp.data(), stamp.data() + stamp.size(), ms);
  if (ec != std::errc{} || end != stamp.data() + stamp.size())
    return malformed("not a timestamp in milliseconds: " + quoted(stamp));
  skip_blanks(rest);
  if (!rest.empty())
    return malformed("unexpected " + quoted(rest) + " after the timestamp");
  return s;
}

// `# TYPE name type` declares a family; every other comment, # HELP included, says nothing
// that stats needs.
void read_comment(std::string_view rest, exposition& into) {
  rest.remove_prefix(1);
  skip_blanks(rest);
  if (take_word(rest) != "TYPE")
    return;
  skip_blanks(rest);
  const auto name = take_name(rest, true);
  skip_blanks(rest);
  if (!name.empty())
    into.types[name] = std::string{take_word(rest)};
}

} // namespace

std::optional<double> parse_sample_value(std::string_view text) {
  // Go's ParseFloat, which Prometheus uses, takes a leading '+'; from_chars does not.
  if (text.size() > 1 && text.front() == '+' && text[1] != '-')
    text.remove_prefix(1);
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size())
    return std::nullopt;
  return value;
}

result<exposition> parse_exposition(std::string_view text) {
  exposition parsed;
  std::size_t number = 0;
  while (!text.empty()) {
    ++number;
    const auto end = text.find('\n');
    auto line = text.substr(0, end);
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    skip_blanks(line);
    if (line.empty())
      continue;
    if (line.front() == '#') {
      read_comment(line, parsed);
      continue;
    }
    auto s = parse_sample(line);
    if (!s)
      return malformed("line " + std::to_string(number) + ": " + s.error().message);
    parsed.samples.push_back(std::move(*s));
  }
  return parsed;
}

} // namespace ordo::ctl
