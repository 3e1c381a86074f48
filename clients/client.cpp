#include "clients/client.hpp"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "messages/codec.hpp"

namespace ordo {

namespace {

error unavailable(std::string why) {
  return {errc::unavailable, std::move(why)};
}

} // namespace

result<client> client::connect(const std::string& host, std::uint16_t port, duration timeout) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const auto service = std::to_string(port);
  if (const int rc = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &found); rc != 0)
    return unavailable("cannot resolve " + host + ": " + ::gai_strerror(rc));
  std::string why = "no address";
  for (auto* ai = found; ai != nullptr; ai = ai->ai_next) {
    const int fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
      continue;
    int rc = ::connect(fd, ai->ai_addr, ai->ai_addrlen);
    if (rc != 0 && errno == EINPROGRESS) {
      pollfd p{fd, POLLOUT, 0};
      if (::poll(&p, 1, static_cast<int>(timeout.count())) != 1) {
        ::close(fd);
        why = "no answer within " + std::to_string(timeout.count()) + " ms";
        continue;
      }
      int err = 0;
      socklen_t len = sizeof err;
      ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
      rc = err == 0 ? 0 : -1;
      errno = err;
    }
    if (rc == 0) {
      const int on = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
      ::freeaddrinfo(found);
      return client{fd};
    }
    why = std::strerror(errno);
    ::close(fd);
  }
  ::freeaddrinfo(found);
  return unavailable("cannot connect to " + host + ":" + service + ": " + why);
}

client::client(int fd) : fd_(fd) {}

client::client(client&& other) noexcept
  : fd_(other.fd_)
  , next_rid_(other.next_rid_)
  , splitter_(std::move(other.splitter_))
  , arrived_(std::move(other.arrived_)) {
  other.fd_ = -1;
}

client& client::operator=(client&& other) noexcept {
  if (this != &other) {
    close();
    fd_ = other.fd_;
    next_rid_ = other.next_rid_;
    splitter_ = std::move(other.splitter_);
    arrived_ = std::move(other.arrived_);
    other.fd_ = -1;
  }
  return *this;
}

client::~client() {
  close();
}

void client::close() {
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
}

result<bool> client::write_all(std::string_view bytes) {
  while (!bytes.empty()) {
    if (fd_ < 0)
      return unavailable("connection closed");
    const auto n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        pollfd p{fd_, POLLOUT, 0};
        ::poll(&p, 1, 1'000);
        continue;
      }
      if (errno == EINTR)
        continue;
      const std::string why = std::strerror(errno);
      close();
      return unavailable("write failed: " + why);
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

result<std::uint64_t> client::send(request_body body) {
  const auto rid = next_rid_++;
  std::string frame;
  const auto header = begin_frame(frame);
  encode_request(request{rid, std::move(body)}, frame);
  end_frame(frame, header);
  if (auto written = write_all(frame); !written)
    return std::move(written).error();
  return rid;
}

result<bool> client::send_raw(std::string_view bytes) {
  return write_all(bytes);
}

result<server_message> client::read_one(std::chrono::steady_clock::time_point deadline,
                                        duration timeout) {
  for (;;) {
    const auto event = splitter_.next();
    if (event.status == frame_status::frame)
      return decode_server_message(event.payload);
    if (event.status != frame_status::need_more)
      return error{errc::bad_request, "the server sent a broken frame"};
    if (fd_ < 0)
      return unavailable("connection closed");
    const auto left = std::chrono::duration_cast<duration>(deadline - std::chrono::steady_clock::now());
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(std::max<std::int64_t>(0, left.count()))) <= 0) {
      if (left.count() <= 0)
        return unavailable("no reply within " + std::to_string(timeout.count()) + " ms");
      continue;
    }
    char buffer[64 * 1024];
    const auto n = ::recv(fd_, buffer, sizeof buffer, 0);
    if (n == 0) {
      close();
      return unavailable("the server closed the connection");
    }
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
        continue;
      const std::string why = std::strerror(errno);
      close();
      return unavailable("read failed: " + why);
    }
    splitter_.append(std::string_view{buffer, static_cast<std::size_t>(n)});
  }
}

result<server_message> client::receive(duration timeout) {
  if (!arrived_.empty()) {
    auto next = std::move(arrived_.front());
    arrived_.pop_front();
    return next;
  }
  return read_one(std::chrono::steady_clock::now() + timeout, timeout);
}

result<reply_body> client::call(request_body body, duration timeout) {
  auto rid = send(std::move(body));
  if (!rid)
    return std::move(rid).error();
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto message = read_one(deadline, timeout);
    if (!message)
      return std::move(message).error();
    auto* rep_ptr = std::get_if<reply>(&*message);
    if (rep_ptr == nullptr || rep_ptr->rid != *rid) {
      arrived_.push_back(std::move(*message));
      continue;
    }
    if (const auto* err = as_error(rep_ptr->body))
      return error{err->code, err->message};
    return std::move(rep_ptr->body);
  }
}

} // namespace ordo
