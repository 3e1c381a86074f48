// ordo::engine: the order engine embedded in your process (an API gateway, say), with no
// network hop. It runs the same session and order actors as ordod, on Redis, and speaks
// the wire protocol's types: requests, replies and the same error codes, as values.
//
// Every call is asynchronous: pass a callback (it runs on an engine thread, so keep it
// short) or take a std::future. Calls are safe from any number of threads. stop() answers
// every call still in flight, with its reply or `unavailable`; none is left hanging.
//
// This header includes no CAF, hiredis or msgpack header: link ordo::ordo and nothing else.
#pragma once

#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <string>
#include <vector>

#include "ordo/engine_options.hpp"
#include "ordo/error.hpp"
#include "ordo/reply.hpp"
#include "ordo/request.hpp"

namespace ordo {

// A token of docs/PROTOCOL.md for `subject`, valid until `expires_at_s` (Unix seconds), signed
// with the engine's auth key: what a gateway that authenticates users itself hands on.
std::string mint_token(role r, const std::string& subject, std::int64_t expires_at_s,
                       const std::string& auth_key);

class engine {
public:
  using reply_callback = std::function<void(result<reply_body>)>;
  using push_callback = std::function<void(const order&)>;

  // Validates the options and connects to Redis first: an error names what is wrong.
  static result<std::unique_ptr<engine>> start(engine_options opts);

  ~engine(); // stop()
  engine(const engine&) = delete;
  engine& operator=(const engine&) = delete;

  // Answers every call in flight (a reply or unavailable), then stops the engine's actors.
  // Calls after stop() get unavailable at once.
  void stop();

  // hello: opens a session for a token (docs/PROTOCOL.md) and returns its id and claims.
  std::future<result<session_result>> hello(std::string token);
  std::future<result<session_result>> resume(std::string session);

  // Any request on a session, as on the wire.
  void call(const std::string& session, request_body body, reply_callback done);
  std::future<result<reply_body>> call(const std::string& session, request_body body);

  std::future<result<order>> place(const std::string& session, place_request req);
  std::future<result<order>> get(const std::string& session, std::string order_id);
  std::future<result<std::vector<order>>> list(const std::string& session, list_request req = {});
  std::future<result<order>> cancel(const std::string& session, cancel_request req);
  std::future<result<order>> ship(const std::string& session, ship_request req);
  std::future<result<order>> deliver(const std::string& session, std::string order_id);
  std::future<result<order>> return_order(const std::string& session, return_request req);
  std::future<result<order>> refund(const std::string& session, std::string order_id);
  std::future<result<bool>> membership(const std::string& session, bool member);

  // Pushes every change of the session's customer's orders (made through this engine) to
  // `on_push` until the subscription is destroyed.
  class subscription {
  public:
    subscription() = default;
    subscription(subscription&& other) noexcept;
    subscription& operator=(subscription&& other) noexcept;
    ~subscription();

  private:
    friend class engine;
    subscription(std::weak_ptr<void> owner, std::uint64_t id) : owner_(std::move(owner)), id_(id) {}
    void cancel() noexcept;
    std::weak_ptr<void> owner_;
    std::uint64_t id_ = 0;
  };
  std::future<result<subscription>> subscribe(const std::string& session, push_callback on_push);

private:
  struct impl;
  explicit engine(std::shared_ptr<impl> i);
  std::shared_ptr<impl> impl_;
};

} // namespace ordo
