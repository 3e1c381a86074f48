// gnuplot runs on two temporary files, the series and the script, with no shell in between:
// the paths may hold spaces and quotes, which only gnuplot's own string syntax has to escape.

#include "plot.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <fcntl.h>
#include <filesystem>
#include <spawn.h>
#include <sstream>
#include <sys/wait.h>
#include <system_error>
#include <unistd.h>

extern char** environ;

namespace ordo::load {

namespace {

constexpr int plot_width_px = 1'200;
constexpr int plot_height_px = 800;
// gnuplot's complaints are short and its last line names the failure.
constexpr std::size_t max_gnuplot_stderr_bytes = 8'192;

std::string errno_text(int code) {
  return std::generic_category().message(code);
}

bool write_all(int fd, const std::string& text) {
  std::size_t done = 0;
  while (done < text.size()) {
    const auto n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

// A file under $TMPDIR (or /tmp) that lives as long as this object.
class scratch_file {
 public:
  scratch_file() = default;
  ~scratch_file() {
    if (!path_.empty())
      ::unlink(path_.c_str());
  }
  scratch_file(const scratch_file&) = delete;
  scratch_file& operator=(const scratch_file&) = delete;

  // Creates the file holding `content`; returns why it could not.
  std::optional<std::string> create(const std::string& content) {
    const char* dir = std::getenv("TMPDIR");
    std::string name =
        std::string{dir != nullptr && *dir != '\0' ? dir : "/tmp"} + "/ordoload-plot-XXXXXX";
    const int fd = ::mkstemp(name.data());
    if (fd < 0)
      return "cannot create a temporary file " + name + ": " + errno_text(errno);
    path_ = name;
    if (!write_all(fd, content)) {
      const auto why = errno_text(errno);
      ::close(fd);
      return "cannot write " + path_ + ": " + why;
    }
    if (::close(fd) != 0)
      return "cannot write " + path_ + ": " + errno_text(errno);
    return std::nullopt;
  }

  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// gnuplot's single-quoted strings take everything literally but the quote, which doubles.
std::string quoted(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    out += c;
    if (c == '\'')
      out += '\'';
  }
  return out + "'";
}

// One line a second: its middle (sample s covers [s, s + 1) s after the warm-up), requests
// and errors answered in it, p50 and p99 in ms. A second without answers has no latency:
// NaN, which gnuplot leaves out.
std::string series_text(const load_result& r) {
  std::ostringstream out;
  out << "# second requests errors p50_ms p99_ms\n";
  for (std::size_t s = 0; s < r.per_second.size(); ++s) {
    const auto& sample = r.per_second[s];
    out << static_cast<double>(s) + 0.5 << ' ' << sample.requests << ' ' << sample.errors;
    if (sample.latency.count() == 0)
      out << " NaN NaN\n";
    else
      out << ' ' << static_cast<double>(sample.latency.percentile(50)) / 1000.0 << ' '
          << static_cast<double>(sample.latency.percentile(99)) / 1000.0 << '\n';
  }
  return out.str();
}

void throughput_panel(std::ostringstream& out, const load_result& r, const std::string& data) {
  std::uint64_t errors = 0;
  std::size_t error_seconds = 0;
  for (const auto& sample : r.per_second) {
    errors += sample.errors;
    error_seconds += sample.errors > 0 ? 1 : 0;
  }
  out << "set ylabel 'requests/s'\n";
  const auto requests = "plot " + data +
                        " using 1:2 with linespoints lw 2 pt 7 ps 0.5 lc rgb '#1f5fa8'"
                        " title 'requests/s'";
  if (errors == 0) {
    out << "set title 'throughput, no errors'\n" << requests << "\n";
    return;
  }
  // Errors get their own axis: a handful would vanish on the scale of the throughput.
  const auto only_errors = " using 1:($3 > 0 ? $3 : NaN) axes x1y2";
  out << "set title 'throughput, " << errors << (errors == 1 ? " error" : " errors") << " in "
      << error_seconds << " s'\n"
      << "set ytics nomirror\nset y2tics textcolor rgb 'red'\nset y2range [0:*]\n"
      << "set y2label 'errors/s' textcolor rgb 'red'\n"
      << requests << ", \\\n  " << data << only_errors
      << " with impulses lw 3 lc rgb 'red' title 'errors/s', \\\n  " << data << only_errors
      << " with points pt 7 lc rgb 'red' notitle\n"
      << "unset y2tics\nunset y2label\nset ytics mirror\n";
}

void latency_panel(std::ostringstream& out, const std::string& data) {
  out << "set title 'latency of the requests answered in each second'\n"
      << "set ylabel 'latency (ms)'\nset xlabel 'seconds after the warm-up'\n"
      << "plot " << data
      << " using 1:4 with linespoints lw 2 pt 7 ps 0.5 lc rgb '#2a9d3f' title 'p50', \\\n  " << data
      << " using 1:5 with linespoints lw 2 pt 7 ps 0.5 lc rgb '#7b3fa0' title 'p99'\n";
}

std::string script_text(const load_result& r, const std::string& title,
                        const std::string& series_path, const std::string& png_path) {
  const auto data = quoted(series_path);
  const auto size = std::to_string(plot_width_px) + "," + std::to_string(plot_height_px);
  std::ostringstream out;
  // pngcairo draws smoother text and lines; gnuplot builds without cairo have only png.
  out << "if (strstrt(GPVAL_TERMINALS, 'pngcairo') > 0) {\n"
      << "  set terminal pngcairo noenhanced size " << size << "\n"
      << "} else {\n"
      << "  set terminal png noenhanced size " << size << "\n"
      << "}\n"
      << "set output " << quoted(png_path) << "\n"
      << "set multiplot layout 2,1 title " << quoted(title) << "\n";
  // Fixed margins line the two panels' time axes up; the right one holds the errors axis
  // and the key.
  out << "set lmargin 12\nset rmargin 28\n"
      << "set grid\nset key outside right top vertical\n"
      << "set xrange [0:" << r.per_second.size() << "]\nset yrange [0:*]\n";
  throughput_panel(out, r, data);
  latency_panel(out, data);
  out << "unset multiplot\n";
  return out.str();
}

std::string read_tail(int fd) {
  std::string text;
  char chunk[1'024];
  while (true) {
    const auto n = ::read(fd, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return text;
    text.append(chunk, static_cast<std::size_t>(n));
    if (text.size() > max_gnuplot_stderr_bytes)
      text.erase(0, text.size() - max_gnuplot_stderr_bytes);
  }
}

std::string last_line(const std::string& text) {
  const auto end = text.find_last_not_of(" \t\r\n");
  if (end == std::string::npos)
    return "";
  const auto begin = text.find_last_of('\n', end);
  return text.substr(begin == std::string::npos ? 0 : begin + 1, end + 1 - (begin + 1));
}

// Starts `gnuplot script` with its stderr on `stderr_fd`; stdin and stdout on /dev/null,
// since stdout may carry the JSON report.
std::optional<std::string> spawn_gnuplot(const std::string& script_path, int stderr_fd,
                                         pid_t& pid) {
  posix_spawn_file_actions_t actions;
  ::posix_spawn_file_actions_init(&actions);
  ::posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  ::posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  ::posix_spawn_file_actions_adddup2(&actions, stderr_fd, STDERR_FILENO);
  std::string program = "gnuplot";
  std::string script = script_path;
  char* argv[] = {program.data(), script.data(), nullptr};
  const int spawned = ::posix_spawnp(&pid, "gnuplot", &actions, nullptr, argv, environ);
  ::posix_spawn_file_actions_destroy(&actions);
  if (spawned == ENOENT)
    return "gnuplot not found (install gnuplot-nox)";
  if (spawned != 0)
    return "cannot start gnuplot: " + errno_text(spawned);
  return std::nullopt;
}

std::optional<std::string> exit_problem(int status, const std::string& complaints) {
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
    return std::nullopt;
  const auto how = WIFEXITED(status) ? "exit status " + std::to_string(WEXITSTATUS(status))
                                     : "signal " + std::to_string(WTERMSIG(status));
  const auto why = last_line(complaints);
  return "gnuplot failed (" + how + ")" + (why.empty() ? "" : ": " + why);
}

std::optional<std::string> run_gnuplot(const std::string& script_path) {
  int err[2];
  if (::pipe2(err, O_CLOEXEC) != 0)
    return "cannot create a pipe for gnuplot: " + errno_text(errno);
  pid_t pid = 0;
  auto problem = spawn_gnuplot(script_path, err[1], pid);
  ::close(err[1]);
  if (problem) {
    ::close(err[0]);
    return problem;
  }
  const auto complaints = read_tail(err[0]);
  ::close(err[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0)
    if (errno != EINTR)
      return "cannot wait for gnuplot: " + errno_text(errno);
  return exit_problem(status, complaints);
}

bool has_png_extension(const std::filesystem::path& file) {
  auto extension = file.extension().string();
  std::transform(extension.begin(), extension.end(), extension.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return extension == ".png";
}

} // namespace

std::optional<std::string> plot_path_problem(const std::string& path) {
  namespace fs = std::filesystem;
  const fs::path file{path};
  if (!has_png_extension(file))
    return "--plot takes FILE.png: '" + path + "' does not end in .png";
  // A newline would end gnuplot's string, and with it the command.
  if (path.find('\n') != std::string::npos)
    return "--plot FILE.png must not contain a newline";
  const fs::path dir = file.has_parent_path() ? file.parent_path() : fs::path{"."};
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    return "--plot " + path + ": no directory " + dir.string();
  if (fs::is_directory(file, ec))
    return "--plot " + path + ": is a directory";
  const auto& written = fs::exists(file, ec) ? file : dir;
  if (::access(written.c_str(), W_OK) != 0)
    return "--plot " + path + ": cannot write " + written.string() + ": " + errno_text(errno);
  return std::nullopt;
}

std::optional<std::string> draw_plot(const load_result& r, const std::string& title,
                                     const std::string& png_path) {
  if (r.per_second.empty())
    return "the run measured no seconds to draw";
  scratch_file series;
  if (auto problem = series.create(series_text(r)))
    return problem;
  scratch_file script;
  if (auto problem = script.create(script_text(r, title, series.path(), png_path)))
    return problem;
  return run_gnuplot(script.path());
}

} // namespace ordo::load
