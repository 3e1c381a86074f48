// The smallest program that embeds Ordo: start the engine on Redis, open a customer
// session, place an order, print it. Usage: place-one-order REDIS_HOST:PORT AUTH_KEY

#include <ordo/engine.hpp>

#include <chrono>
#include <iostream>

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: place-one-order REDIS_HOST:PORT AUTH_KEY\n";
    return 2;
  }
  ordo::engine_options opts;
  opts.redis = argv[1];
  opts.auth_key = argv[2];
  auto engine = ordo::engine::start(opts);
  if (!engine) {
    std::cerr << "cannot start: " << engine.error().message << '\n';
    return 1;
  }
  const auto in_an_hour = std::chrono::duration_cast<std::chrono::seconds>(
                            std::chrono::system_clock::now().time_since_epoch()).count() + 3600;
  const auto token = ordo::mint_token(ordo::role::customer, "alice", in_an_hour, opts.auth_key);
  auto session = (*engine)->hello(token).get();
  if (!session) {
    std::cerr << "hello: " << session.error().message << '\n';
    return 1;
  }
  auto placed =
    (*engine)->place(session->session, {"first-order", {{"SKU-1", 2, 9'900}}}).get();
  if (!placed) {
    std::cerr << to_string(placed.error().code) << ": " << placed.error().message << '\n';
    return 1;
  }
  std::cout << "placed " << placed->id << " for " << placed->total << " KRW, "
            << to_string(placed->status) << '\n';
  return 0;
}
