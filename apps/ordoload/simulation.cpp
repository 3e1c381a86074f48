#include "simulation.hpp"

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <functional>
#include <map>
#include <random>
#include <unordered_map>

namespace ordo::load {

namespace {

using clock_type = std::chrono::steady_clock;

volatile std::sig_atomic_t stop_asked = 0;

std::int64_t micros_between(clock_type::time_point from, clock_type::time_point to) {
  return std::chrono::duration_cast<std::chrono::microseconds>(to - from).count();
}

class simulation {
public:
  simulation(transport& t, const load_options& opts) : t_(t), opts_(opts), rng_(opts.seed) {}
  // The transport outlives the run (the verification pumps it), and pushes may still come.
  ~simulation() { t_.on_push = nullptr; }
  simulation(const simulation&) = delete;
  simulation& operator=(const simulation&) = delete;

  load_result run(const std::function<void(const std::string&)>& progress) {
    t_.on_push = [this](const order& o) { pushed(o); };
    start_ = clock_type::now();
    measure_from_ = start_ + to_duration(opts_.warmup_s);
    stop_starting_ = measure_from_ + to_duration(opts_.duration_s);
    auto next_report = start_ + std::chrono::seconds{1};
    auto next_start = start_;
    while (true) {
      const auto now = clock_type::now();
      if (stop_asked != 0 && now < stop_starting_)
        stop_starting_ = std::max(now, measure_from_);
      const bool starting = now < stop_starting_ && (opts_.orders == 0 || started_ < opts_.orders);
      if (starting)
        next_start = start_flows(now, next_start);
      run_due_timers(now);
      if (!starting && t_.in_flight() == 0 && active_ == 0)
        break;
      if (!starting && now > give_up_at())
        break; // what is still unanswered by now counts as lost in the report
      t_.pump(std::chrono::milliseconds{1});
      if (clock_type::now() >= next_report) {
        progress(status_line());
        next_report += std::chrono::seconds{1};
      }
    }
    result_.measured_s = std::chrono::duration<double>(
                           std::min(clock_type::now(), stop_starting_) - measure_from_).count();
    result_.connections_lost = t_.connections_lost();
    return std::move(result_);
  }

private:
  struct flow {
    std::size_t customer = 0;
    std::string id;
    std::string idem;
    clock_type::time_point intended;
    std::vector<line_item> lines;
  };
  using flow_ptr = std::shared_ptr<flow>;

  static clock_type::duration to_duration(double seconds) {
    return std::chrono::duration_cast<clock_type::duration>(std::chrono::duration<double>(seconds));
  }

  double uniform() { return std::uniform_real_distribution<double>{0.0, 1.0}(rng_); }

  clock_type::time_point give_up_at() const { return stop_starting_ + std::chrono::seconds{30}; }

  void after(clock_type::duration wait, std::function<void()> action) {
    timers_.emplace(clock_type::now() + wait, std::move(action));
  }

  void run_due_timers(clock_type::time_point now) {
    while (!timers_.empty() && timers_.begin()->first <= now) {
      auto action = std::move(timers_.begin()->second);
      timers_.erase(timers_.begin());
      action();
    }
  }

  std::size_t operator_channel() { return opts_.customers + (next_operator_++ % opts_.operators); }

  // Starts the flows that are due; returns the next start time (open loop).
  clock_type::time_point start_flows(clock_type::time_point now, clock_type::time_point next) {
    if (opts_.scenario == "flash-sale") {
      // Every second, every customer places at the same instant.
      while (next <= now) {
        for (std::size_t c = 0; c < opts_.customers; ++c)
          begin(c, next);
        next += std::chrono::seconds{1};
      }
      return next;
    }
    if (opts_.rate > 0) {
      const auto gap = to_duration(1.0 / opts_.rate);
      while (next <= now && (opts_.orders == 0 || started_ < opts_.orders)) {
        begin(started_ % opts_.customers, next);
        next += gap;
      }
      return next;
    }
    while (active_ < opts_.concurrency && (opts_.orders == 0 || started_ < opts_.orders))
      begin(started_ % opts_.customers, now);
    return next;
  }

  void begin(std::size_t customer, clock_type::time_point intended) {
    auto f = std::make_shared<flow>();
    f->customer = customer;
    f->intended = intended;
    f->idem = "load-" + std::to_string(opts_.seed) + "-" + std::to_string(started_);
    const auto lines = 1 + rng_() % 5;
    for (std::uint64_t i = 0; i < lines; ++i)
      f->lines.push_back({"SKU-" + std::to_string(rng_() % 1'000), static_cast<std::uint32_t>(1 + rng_() % 3),
                          static_cast<std::int64_t>(1'000 + rng_() % 30'000)});
    std::sort(f->lines.begin(), f->lines.end(), [](auto& a, auto& b) { return a.sku < b.sku; });
    f->lines.erase(std::unique(f->lines.begin(), f->lines.end(),
                               [](auto& a, auto& b) { return a.sku == b.sku; }),
                   f->lines.end());
    ++started_;
    ++active_;
    if (intended >= measure_from_)
      ++result_.orders_started;
    place(f, "place", f->intended);
  }

  // A place whose answer is unavailable (the engine, its Redis or the connection failed
  // meanwhile) may or may not have been applied: like any careful client, send it again
  // with the same idempotency key until it is answered; the engine makes that one order.
  void place(const flow_ptr& f, const std::string& op, clock_type::time_point measured_from) {
    send(f, f->customer, place_request{f->idem, f->lines}, op, measured_from,
         [this, f](result<reply_body>& r) {
           if (!r) {
             if (r.error().code != errc::unavailable)
               return finish(f, false);
             if (clock_type::now() >= give_up_at()) {
               result_.customers_with_unsure_places.insert(f->customer);
               return finish(f, false);
             }
             ++result_.unavailable_retries;
             after(std::chrono::milliseconds{100},
                   [this, f] { place(f, "place_again", clock_type::now()); });
             return;
           }
           f->id = std::get<order_result>(*r).order.id;
           if (uniform() < opts_.retry_share)
             retry_place(f);
           if (opts_.scenario != "lifecycle")
             return finish(f, true);
           await_payment(f);
         });
  }

  void retry_place(const flow_ptr& f) {
    ++result_.retries;
    send(f, f->customer, place_request{f->idem, f->lines}, "place_retry", clock_type::now(),
         [this, f](result<reply_body>& r) {
           if (r && std::get<order_result>(*r).order.id != f->id)
             ++result_.retry_mismatches;
         });
  }

  // The customer learns of the payment from the push of its order's next change.
  void await_payment(const flow_ptr& f) {
    if (auto early = settled_early_.find(f->id); early != settled_early_.end()) {
      const auto status = early->second;
      settled_early_.erase(early);
      return settled(f, status);
    }
    awaiting_payment_.emplace(f->id, f);
    poll_payment_later(f);
  }

  // Pushes are not guaranteed (one sent while the customer's connection moves to another
  // node is lost with it), so a customer that has heard nothing for a while asks.
  void poll_payment_later(const flow_ptr& f) {
    after(std::chrono::seconds{2}, [this, f] {
      if (awaiting_payment_.count(f->id) == 0)
        return;
      send(f, f->customer, get_request{f->id}, "get_payment", clock_type::now(),
           [this, f](result<reply_body>& r) {
             const auto* got = r ? std::get_if<order_result>(&*r) : nullptr;
             if (awaiting_payment_.count(f->id) == 0)
               return;
             if (!got || got->order.status == order_status::pending_payment)
               return poll_payment_later(f);
             awaiting_payment_.erase(f->id);
             settled(f, got->order.status);
           });
    });
  }

  void pushed(const order& o) {
    if (o.status == order_status::pending_payment)
      return;
    auto it = awaiting_payment_.find(o.id);
    if (it == awaiting_payment_.end()) {
      // The push may overtake the reply to place: keep it for await_payment.
      if (o.version == 2)
        settled_early_.emplace(o.id, o.status);
      return;
    }
    auto f = it->second;
    awaiting_payment_.erase(it);
    settled(f, o.status);
  }

  void settled(const flow_ptr& f, order_status status) {
    if (status != order_status::paid)
      return finish(f, true);
    after_payment(f);
  }

  void after_payment(const flow_ptr& f) {
    const double roll = uniform();
    if (roll < opts_.cancel_share) {
      send(f, f->customer, cancel_request{f->id, f->idem + "-c", std::nullopt}, "cancel",
           clock_type::now(), [this, f](result<reply_body>& r) { finish(f, r.ok()); });
      return;
    }
    const bool partial = roll < opts_.cancel_share + opts_.partial_cancel_share &&
                         (f->lines.size() > 1 || f->lines[0].qty > 1);
    if (!partial)
      return ship(f);
    send(f, f->customer,
         cancel_request{f->id, f->idem + "-p", std::vector<line_quantity>{{f->lines[0].sku, 1}}},
         "cancel_partial", clock_type::now(), [this, f](result<reply_body>&) { ship(f); });
  }

  void ship(const flow_ptr& f) {
    send(f, operator_channel(), ship_request{f->id, "TRK-" + f->id}, "ship", clock_type::now(),
         [this, f](result<reply_body>& r) {
           if (!r)
             return finish(f, r.error().code == errc::invalid_state);
           send(f, operator_channel(), deliver_request{f->id}, "deliver", clock_type::now(),
                [this, f](result<reply_body>& r2) {
                  if (!r2 || uniform() >= opts_.return_share)
                    return finish(f, r2.ok());
                  send(f, f->customer, return_request{f->id, f->idem + "-r", std::nullopt}, "return",
                       clock_type::now(), [this, f](result<reply_body>& r3) {
                         if (!r3)
                           return finish(f, false);
                         send(f, operator_channel(), refund_request{f->id}, "refund", clock_type::now(),
                              [this, f](result<reply_body>& r4) { finish(f, r4.ok()); });
                       });
                });
         });
  }

  void finish(const flow_ptr& f, bool completed) {
    --active_;
    if (completed && f->intended >= measure_from_)
      ++result_.orders_finished;
  }

  template <class Then>
  void send(const flow_ptr&, std::size_t channel, request_body body, const std::string& op,
            clock_type::time_point measured_from, Then then) {
    t_.submit(channel, std::move(body), [this, op, measured_from, then](result<reply_body> r) mutable {
      const auto done_at = clock_type::now();
      record(op, measured_from, done_at, r);
      then(r);
    });
  }

  void record(const std::string& op, clock_type::time_point from, clock_type::time_point to,
              const result<reply_body>& r) {
    if (r) {
      if (const auto* o = std::get_if<order_result>(&*r)) {
        auto& acked = result_.acked[o->order.id];
        if (o->order.version >= acked.version) {
          acked = {o->order.customer, o->order.version, o->order.status};
        }
        result_.acked_events.emplace(o->order.id, o->order.version);
      }
    }
    if (to < measure_from_)
      return;
    const auto second = static_cast<std::size_t>(
      std::chrono::duration_cast<std::chrono::seconds>(to - measure_from_).count());
    if (result_.per_second.size() <= second)
      result_.per_second.resize(second + 1);
    auto& sample = result_.per_second[second];
    ++sample.requests;
    ++result_.requests;
    const auto latency = micros_between(from, to);
    sample.latency.record(latency);
    result_.latency_by_op[op].record(latency);
    if (!r) {
      ++sample.errors;
      ++result_.errors_by_code[std::string{to_string(r.error().code)}];
    }
  }

  std::string status_line() const {
    const auto elapsed = std::chrono::duration<double>(clock_type::now() - start_).count();
    std::uint64_t errors = 0;
    for (const auto& [code, n] : result_.errors_by_code)
      errors += n;
    histogram all;
    for (const auto& [op, h] : result_.latency_by_op)
      all.merge(h);
    // The last whole second; the current one is still filling.
    const auto& series = result_.per_second;
    const auto last = series.size() < 2 ? 0 : series[series.size() - 2].requests;
    char line[256];
    std::snprintf(line, sizeof line, "elapsed %5.1fs  %7llu req/s  errors %llu  p99 %.2f ms  in flight %zu",
                  elapsed, static_cast<unsigned long long>(last), static_cast<unsigned long long>(errors),
                  static_cast<double>(all.percentile(99)) / 1000.0, t_.in_flight());
    return line;
  }

  transport& t_;
  const load_options& opts_;
  std::mt19937_64 rng_;
  load_result result_;
  clock_type::time_point start_, measure_from_, stop_starting_;
  std::uint64_t started_ = 0;
  std::size_t active_ = 0;
  std::size_t next_operator_ = 0;
  std::unordered_map<std::string, flow_ptr> awaiting_payment_;
  std::unordered_map<std::string, order_status> settled_early_;
  std::multimap<clock_type::time_point, std::function<void()>> timers_;
};

} // namespace

void ask_to_stop() {
  stop_asked = 1;
}

load_result run_load(transport& t, const load_options& opts,
                     const std::function<void(const std::string&)>& progress) {
  return simulation{t, opts}.run(progress);
}

} // namespace ordo::load
