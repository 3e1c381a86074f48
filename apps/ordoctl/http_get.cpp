#include "http_get.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <netdb.h>
#include <optional>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <utility>

namespace ordo::ctl {

namespace {

using clock = std::chrono::steady_clock;

// What an error message quotes of an answer: its start, bytes outside printable ASCII
// shown as '?', so that a binary answer cannot garble the terminal.
constexpr std::size_t max_quoted_chars = 80;

error unavailable(std::string why) {
  return {errc::unavailable, std::move(why)};
}

error not_http(std::string why) {
  return {errc::bad_request, "not a usable HTTP answer: " + std::move(why)};
}

class socket_fd {
 public:
  explicit socket_fd(int fd)
      : fd_(fd) {}
  socket_fd(socket_fd&& other) noexcept
      : fd_(std::exchange(other.fd_, -1)) {}
  socket_fd(const socket_fd&) = delete;
  socket_fd& operator=(const socket_fd&) = delete;
  socket_fd& operator=(socket_fd&&) = delete;
  ~socket_fd() {
    if (fd_ >= 0)
      ::close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

// Every wait of one GET shares its deadline, so that --timeout bounds the whole exchange.
struct deadline {
  clock::time_point at;
  std::chrono::milliseconds timeout;

  int ms_left() const {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(at - clock::now());
    return static_cast<int>(std::max<std::int64_t>(0, left.count()));
  }
  error missed() const {
    return unavailable("no answer within " + std::to_string(timeout.count()) + " ms");
  }
};

bool wait_for(int fd, short events, const deadline& d) {
  for (;;) {
    pollfd p{fd, events, 0};
    const int ready = ::poll(&p, 1, d.ms_left());
    if (ready > 0)
      return true;
    if (ready == 0 || errno != EINTR)
      return false;
  }
}

result<socket_fd> connect_to(const std::string& host, std::uint16_t port, const deadline& d) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (const int rc = ::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found);
      rc != 0)
    return unavailable(std::string{"cannot resolve the host: "} + ::gai_strerror(rc));
  std::string why = "no address";
  for (auto* ai = found; ai != nullptr; ai = ai->ai_next) {
    socket_fd fd{::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)};
    if (fd.get() < 0)
      continue;
    int err = ::connect(fd.get(), ai->ai_addr, ai->ai_addrlen) == 0 ? 0 : errno;
    if (err == EINPROGRESS) {
      if (!wait_for(fd.get(), POLLOUT, d)) {
        why = "no answer within " + std::to_string(d.timeout.count()) + " ms";
        continue;
      }
      socklen_t len = sizeof err;
      ::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &err, &len);
    }
    if (err == 0) {
      ::freeaddrinfo(found);
      return fd;
    }
    why = std::strerror(err);
  }
  ::freeaddrinfo(found);
  return unavailable("cannot connect: " + why);
}

result<bool> send_all(int fd, std::string_view bytes, const deadline& d) {
  while (!bytes.empty()) {
    const auto sent = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (sent > 0) {
      bytes.remove_prefix(static_cast<std::size_t>(sent));
    } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
      if (!wait_for(fd, POLLOUT, d))
        return d.missed();
    } else if (errno != EINTR) {
      return unavailable(std::string{"cannot send the request: "} + std::strerror(errno));
    }
  }
  return true;
}

bool same_letters(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return (x | 0x20) == (y | 0x20);
         });
}

// A header field's value (names are case-insensitive), without the blanks around it.
std::optional<std::string_view> header(std::string_view head, std::string_view name) {
  for (auto at = head.find("\r\n"); at != std::string_view::npos;) {
    const auto start = at + 2;
    at = head.find("\r\n", start);
    const auto line = head.substr(start, at == std::string_view::npos ? head.npos : at - start);
    const auto colon = line.find(':');
    if (colon == std::string_view::npos || !same_letters(line.substr(0, colon), name))
      continue;
    auto value = line.substr(colon + 1);
    value.remove_prefix(std::min(value.find_first_not_of(" \t"), value.size()));
    return value.substr(0, value.find_last_not_of(" \t") + 1);
  }
  return std::nullopt;
}

std::optional<std::size_t> content_length(std::string_view head) {
  const auto text = header(head, "Content-Length");
  std::size_t length = 0;
  if (!text)
    return std::nullopt;
  const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), length);
  if (ec != std::errc{} || end != text->data() + text->size())
    return std::nullopt;
  return length;
}

// Whether the answer holds its whole body; one without a Content-Length ends at the close.
bool complete(std::string_view answer) {
  const auto end = answer.find("\r\n\r\n");
  if (end == std::string_view::npos)
    return false;
  const auto length = content_length(answer.substr(0, end));
  return length && answer.size() - end - 4 >= *length;
}

result<std::string> receive_answer(int fd, const deadline& d) {
  std::string answer;
  char buffer[64 * 1024];
  while (!complete(answer)) {
    if (!wait_for(fd, POLLIN, d))
      return d.missed();
    const auto got = ::recv(fd, buffer, sizeof buffer, 0);
    if (got == 0)
      break;
    if (got < 0 && errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK)
      return unavailable(std::string{"cannot read the answer: "} + std::strerror(errno));
    if (got > 0)
      answer.append(buffer, static_cast<std::size_t>(got));
    if (answer.size() > max_http_answer_bytes)
      return error{errc::bad_request,
                   "the answer exceeds " + std::to_string(max_http_answer_bytes) + " bytes"};
  }
  return answer;
}

std::string first_line(std::string_view text) {
  std::string line{text.substr(0, std::min(text.find_first_of("\r\n"), max_quoted_chars))};
  std::replace_if(
      line.begin(), line.end(), [](char c) { return c < ' ' || c > '~'; }, '?');
  return line;
}

std::string host_header(const std::string& host, std::uint16_t port) {
  const bool ipv6 = host.find(':') != std::string::npos;
  return (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

} // namespace

result<std::string> http_body(std::string_view answer) {
  if (answer.empty())
    return unavailable("the connection closed without an answer");
  if (!answer.starts_with("HTTP/"))
    return not_http("it begins '" + first_line(answer) + "'");
  const auto end = answer.find("\r\n\r\n");
  if (end == std::string_view::npos)
    return unavailable("the answer was cut short in its header");
  const auto head = answer.substr(0, end);
  auto body = answer.substr(end + 4);
  const auto status_line = head.substr(0, head.find("\r\n"));
  const auto space = status_line.find(' ');
  int status = 0;
  if (space == std::string_view::npos ||
      std::from_chars(status_line.data() + space + 1, status_line.data() + status_line.size(),
                      status)
              .ec != std::errc{})
    return not_http("bad status line '" + first_line(status_line) + "'");
  if (const auto encoding = header(head, "Transfer-Encoding"); encoding && *encoding != "identity")
    return not_http("a " + std::string{*encoding} + " body in answer to HTTP/1.0");
  if (header(head, "Content-Length")) {
    const auto length = content_length(head);
    if (!length)
      return not_http("bad Content-Length");
    if (body.size() < *length)
      return unavailable("the answer was cut short: " + std::to_string(body.size()) + " of " +
                         std::to_string(*length) + " bytes");
    body = body.substr(0, *length);
  }
  if (status != 200)
    return unavailable("answered " + std::string{status_line.substr(space + 1)} +
                       (body.empty() ? "" : ": " + first_line(body)));
  return std::string{body};
}

result<std::string> http_get(const std::string& host, std::uint16_t port, const std::string& path,
                             std::chrono::milliseconds timeout) {
  const deadline d{clock::now() + timeout, timeout};
  auto fd = connect_to(host, port, d);
  if (!fd)
    return std::move(fd).error();
  const auto request = "GET " + path + " HTTP/1.0\r\nHost: " + host_header(host, port) +
                       "\r\nAccept: text/plain; version=0.0.4\r\nConnection: close\r\n\r\n";
  if (auto sent = send_all(fd->get(), request, d); !sent)
    return std::move(sent).error();
  auto answer = receive_answer(fd->get(), d);
  if (!answer)
    return std::move(answer).error();
  return http_body(*answer);
}

} // namespace ordo::ctl
