// ordo::client: the wire protocol (docs/PROTOCOL.md) over one TCP connection, for ordoctl,
// ordoload and tests. Requests can be pipelined (send several, then receive); call() sends
// one and waits for its reply, keeping whatever else arrives meanwhile. Every failure is a
// value: the server's error code, or unavailable when the connection fails or times out.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <string_view>

#include "ordo/error.hpp"
#include "messages/frame.hpp"
#include "ordo/reply.hpp"
#include "ordo/request.hpp"

namespace ordo {

class client {
public:
  using duration = std::chrono::milliseconds;

  static result<client> connect(const std::string& host, std::uint16_t port,
                                duration timeout = duration{5'000});

  client(client&& other) noexcept;
  client& operator=(client&& other) noexcept;
  client(const client&) = delete;
  client& operator=(const client&) = delete;
  ~client();

  // Sends one request and returns its rid.
  result<std::uint64_t> send(request_body body);
  // Sends bytes as they are: malformed frames for tests.
  result<bool> send_raw(std::string_view bytes);

  // The next reply or push, in arrival order (buffered ones first).
  result<server_message> receive(duration timeout = duration{10'000});

  // Sends `body` and waits for its reply; an error reply becomes an error value.
  result<reply_body> call(request_body body, duration timeout = duration{10'000});

  // call() for requests whose result type is known.
  template <class Result>
  result<Result> call_as(request_body body, duration timeout = duration{10'000}) {
    auto r = call(std::move(body), timeout);
    if (!r)
      return std::move(r).error();
    if (auto* typed = std::get_if<Result>(&*r))
      return std::move(*typed);
    return error{errc::internal, "unexpected result type"};
  }

  // True until the connection failed or the server closed it.
  bool open() const { return fd_ >= 0; }

  // The socket, for callers that wait on many clients with poll(); -1 once closed.
  int native_handle() const { return fd_; }

private:
  explicit client(int fd);
  result<bool> write_all(std::string_view bytes);
  // Gives up at `deadline`, saying `timeout`: the caller's limit, not what was left of it.
  result<server_message> read_one(std::chrono::steady_clock::time_point deadline, duration timeout);
  void close();

  int fd_ = -1;
  std::uint64_t next_rid_ = 1;
  frame_splitter splitter_{64 * 1024 * 1024};
  std::deque<server_message> arrived_; // what call() read while waiting for its own reply
};

// A reply as the error it carries, if it is one.
inline const error_result* as_error(const reply_body& body) {
  return std::get_if<error_result>(&body);
}

} // namespace ordo
