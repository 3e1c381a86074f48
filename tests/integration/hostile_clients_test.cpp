// Hostile and careless clients against one ordod, while a well-behaved customer keeps
// placing and reading orders: slow-loris writers (cut off at the auth timeout; an
// authenticated one holds at most one frame's buffer), random and truncated frames and
// oversized lengths from many connections, thousands of connections that connect and
// vanish, and 10,000 idle connections held at once with ordod's memory bounded. (Clients
// that never read their replies: gateway_test.) The well-behaved customer is served
// throughout, and ordod lets go of what the others held.

#include "gateway_fixture.hpp"

#include "messages/codec.hpp"
#include "messages/frame.hpp"

#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

namespace ordo::test {
namespace {

using namespace std::chrono_literals;

long rss_kib(pid_t pid) {
  std::ifstream status{"/proc/" + std::to_string(pid) + "/status"};
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("VmRSS:", 0) == 0)
      return std::stol(line.substr(6));
  return -1;
}

std::size_t open_fds(pid_t pid) {
  std::size_t n = 0;
  for ([[maybe_unused]] const auto& entry :
       std::filesystem::directory_iterator{"/proc/" + std::to_string(pid) + "/fd"})
    ++n;
  return n;
}

// A customer that keeps placing and reading its orders on its own thread, counting what
// failed, until stopped.
class well_behaved {
public:
  explicit well_behaved(client c) : c_(std::move(c)), thread_([this] { run(); }) {}
  ~well_behaved() { stop(); }

  void stop() {
    done_ = true;
    if (thread_.joinable())
      thread_.join();
  }
  int served() const { return served_; }
  int failed() const { return failed_; }
  const std::string& first_failure() const { return first_failure_; }

private:
  void run() {
    for (int i = 0; !done_; ++i) {
      auto placed = c_.call_as<order_result>(place_request{"wb-" + std::to_string(i), {{"A", 1, 1'000}}});
      auto got = placed ? c_.call_as<order_result>(get_request{placed->order.id})
                        : result<order_result>{placed.error()};
      if (got) {
        ++served_;
      } else {
        if (failed_++ == 0)
          first_failure_ = got.error().message;
      }
    }
  }

  client c_;
  std::atomic<bool> done_{false};
  std::atomic<int> served_{0};
  std::atomic<int> failed_{0};
  std::string first_failure_;
  std::thread thread_;
};

class hostile : public gateway_fixture {};

TEST_F(hostile, slow_loris_writers_and_garbage_are_cut_off_and_a_well_behaved_customer_is_served) {
  start_ordod({"--auth-timeout-ms=1500"});
  well_behaved customer{login("alice")};
  // 50 slow-loris writers dribble one hello frame a byte at a time, 30 ms apart.
  std::string hello;
  const auto header = begin_frame(hello);
  encode_request({1, hello_request{token(role::customer, "loris")}}, hello);
  end_frame(hello, header);
  std::vector<int> loris;
  for (int i = 0; i < 50; ++i)
    loris.push_back(connect_loopback(ordod->port()));
  // 50 writers of random bytes, truncated frames and oversized lengths.
  std::mt19937 rng{7};
  std::vector<int> garbage;
  for (int i = 0; i < 50; ++i) {
    const int fd = connect_loopback(ordod->port());
    std::string bytes;
    switch (i % 3) {
      case 0:
        for (int k = 0; k < 512; ++k)
          bytes.push_back(static_cast<char>(rng()));
        break;
      case 1:
        bytes = hello.substr(0, hello.size() / 2); // then nothing more
        break;
      default:
        bytes = std::string("\x7f\xff\xff\xff", 4) + "xx"; // 2 GiB declared
    }
    (void)::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    garbage.push_back(fd);
  }
  // The dribble takes longer than the auth timeout: ordod hangs up on every slow writer
  // (sends to a closed connection fail or vanish; the read sees the end).
  for (std::size_t at = 0; at < hello.size(); ++at) {
    for (const int fd : loris)
      (void)::send(fd, hello.data() + at, 1, MSG_NOSIGNAL);
    std::this_thread::sleep_for(30ms);
  }
  for (const int fd : loris) {
    char buffer[512];
    timeval tv{2, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    EXPECT_LE(::recv(fd, buffer, sizeof buffer, 0), 0) << "a slow writer outlived the auth timeout";
  }
  customer.stop();
  EXPECT_GT(customer.served(), 10);
  EXPECT_EQ(customer.failed(), 0) << customer.first_failure();
  // Connections that never authenticated are closed after the auth timeout.
  std::this_thread::sleep_for(2500ms);
  for (const int fd : garbage) {
    char buffer[64];
    timeval tv{1, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ssize_t n = 0;
    while ((n = ::recv(fd, buffer, sizeof buffer, 0)) > 0) {
    }
    EXPECT_EQ(n, 0) << "connection still open";
    ::close(fd);
  }
  for (const int fd : loris)
    ::close(fd);
}

// An order id that carries no customer tag names no order: every op on it is not_found,
// for customers and operators alike, and the engine stays up (such an id once reached the
// node's tag table and crashed ordod).
TEST_F(hostile, made_up_order_ids_are_not_found_and_crash_nothing) {
  for (const auto role : {ordo::role::customer, ordo::role::operator_}) {
    auto c = login(role == ordo::role::customer ? "alice" : "ops", role);
    for (const std::string& id : std::vector<std::string>{"k-3", "", "0123456789012345678901234567", std::string(28, 'Z')}) {
      const request_body ops[] = {get_request{id},
                                  cancel_request{id, "i-1", std::nullopt},
                                  ship_request{id, "T"},
                                  deliver_request{id},
                                  return_request{id, "i-2", std::nullopt},
                                  refund_request{id}};
      for (const auto& op : ops) {
        const auto answer = c.call(op);
        ASSERT_FALSE(answer.ok()) << id;
        EXPECT_TRUE(answer.error().code == errc::not_found || answer.error().code == errc::forbidden ||
                    answer.error().code == errc::bad_request)
          << id << ": " << answer.error().message;
      }
    }
    EXPECT_TRUE(c.call(ping_request{}).ok());
  }
}

TEST_F(hostile, thousands_of_connections_that_vanish_leave_nothing_behind) {
  start_ordod();
  well_behaved customer{login("alice")};
  const auto fds_before = open_fds(ordod->pid());
  std::string half;
  const auto header = begin_frame(half);
  encode_request({1, ping_request{}}, half);
  end_frame(half, header);
  half.resize(half.size() / 2);
  for (int i = 0; i < 3'000; ++i) {
    const int fd = connect_loopback(ordod->port());
    ASSERT_GE(fd, 0);
    if (i % 2 == 0)
      (void)::send(fd, half.data(), half.size(), MSG_NOSIGNAL);
    if (i % 3 == 0) {
      linger hard{1, 0}; // close with RST, as a crashed client's kernel would
      ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
    }
    ::close(fd);
  }
  customer.stop();
  EXPECT_EQ(customer.failed(), 0) << customer.first_failure();
  EXPECT_GT(customer.served(), 0);
  // ordod closes its side of every one of them.
  std::size_t fds_after = 0;
  const auto fds_deadline = std::chrono::steady_clock::now() + 30s;
  while (std::chrono::steady_clock::now() < fds_deadline) {
    fds_after = open_fds(ordod->pid());
    if (fds_after <= fds_before)
      break;
    std::this_thread::sleep_for(50ms);
  }
  EXPECT_LE(fds_after, fds_before);
}

TEST_F(hostile, ten_thousand_idle_connections_are_held_with_bounded_memory) {
  constexpr int idle = 10'000;
  rlimit files{};
  ::getrlimit(RLIMIT_NOFILE, &files);
  if (files.rlim_cur < idle + 1'000) {
    files.rlim_cur = std::min<rlim_t>(files.rlim_max, idle + 1'000);
    ::setrlimit(RLIMIT_NOFILE, &files);
  }
  ASSERT_GE(files.rlim_cur, static_cast<rlim_t>(idle + 1'000)) << "raise ulimit -n";
  start_ordod({"--max-connections=" + std::to_string(idle + 100), "--auth-timeout-ms=120000"});
  well_behaved customer{login("alice")};
  std::this_thread::sleep_for(200ms);
  const auto rss_before = rss_kib(ordod->pid());
  std::vector<client> held;
  held.reserve(idle);
  const auto t = token(role::customer, "idler");
  for (int i = 0; i < idle; ++i) {
    auto c = client::connect("127.0.0.1", ordod->port());
    ASSERT_TRUE(c.ok()) << i << ": " << c.error().message;
    // Every hundredth authenticates; the rest stay idle before hello, within the auth timeout.
    if (i % 100 == 0) {
      ASSERT_TRUE(c->call(hello_request{t}).ok());
    }
    held.push_back(std::move(*c));
  }
  const auto rss_after = rss_kib(ordod->pid());
  const auto per_connection = (rss_after - rss_before) * 1024 / idle;
  std::printf("ordod RSS %ld -> %ld KiB with %d idle connections: %ld bytes each\n", rss_before,
              rss_after, idle, per_connection);
  EXPECT_LT(per_connection, 16 * 1024);
  EXPECT_TRUE(held.back().call(ping_request{}).ok());
  customer.stop();
  EXPECT_EQ(customer.failed(), 0) << customer.first_failure();
}

} // namespace
} // namespace ordo::test
