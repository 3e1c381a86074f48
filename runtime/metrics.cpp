#include "runtime/metrics.hpp"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <cassert>
#include <sstream>
#include <utility>

#include "runtime/cluster_node.hpp"
#include "runtime/process_figures.hpp"

namespace ordo::runtime {

namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;

// 100 us to 10 s: a cached read takes well under a millisecond, a request that waits out
// the Redis timeout a second, one that waits out the request timeout ten.
const prometheus::Histogram::BucketBoundaries& duration_buckets() {
  static const prometheus::Histogram::BucketBoundaries buckets{
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
    0.05,   0.1,     0.25,   0.5,   1,     2.5,   5,     10};
  return buckets;
}

// Up to the Redis client's largest batch.
const prometheus::Histogram::BucketBoundaries& batch_buckets() {
  static const prometheus::Histogram::BucketBoundaries buckets{1,   2,   4,    8,    16,  32, 64,
                                                               128, 256, 512, 1024, 2048, 4096};
  return buckets;
}

double seconds(metrics_clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

constexpr const char* store_op_names[] = {
  "load",         "commit",       "idempotency", "list",          "membership_read", "membership_write",
  "session_write", "session_read", "deadlines",   "stream_length", "trim", "archive", "announce",
};
static_assert(std::size(store_op_names) == store_op_count);

constexpr const char* actor_kind_names[] = {"order", "session"};
static_assert(std::size(actor_kind_names) == actors::actor_kind_count);

// In actors::payment_decision's order.
constexpr const char* payment_outcome_names[] = {"authorized", "declined", "timed_out"};
static_assert(std::size(payment_outcome_names) == actors::payment_outcome_count);

std::string op_name_of(std::size_t op) {
  if (op == unknown_op)
    return "unknown";
  return [op]<std::size_t... I>(std::index_sequence<I...>) {
    std::string name;
    ((I == op ? (name = std::string{ordo::op_name(request_body{std::in_place_index<I>})}, 0) : 0),
     ...);
    return name;
  }(std::make_index_sequence<unknown_op>{});
}

std::string event_type_of(std::size_t index) {
  using body = domain::event_body;
  return [index]<std::size_t... I>(std::index_sequence<I...>) {
    std::string name;
    ((I == index ? (name = std::string{domain::event_type(body{std::in_place_index<I>})}, 0) : 0),
     ...);
    return name;
  }(std::make_index_sequence<std::variant_size_v<body>>{});
}

// One series of a family read at scrape time: a counter or a gauge as the family's type.
ClientMetric sample(MetricType type, double value, std::vector<ClientMetric::Label> labels = {}) {
  ClientMetric m;
  m.label = std::move(labels);
  (type == MetricType::Gauge ? m.gauge.value : m.counter.value) = value;
  return m;
}

void add_family(std::vector<MetricFamily>& out, std::string name, std::string help,
                MetricType type, std::vector<ClientMetric> series) {
  out.push_back(MetricFamily{std::move(name), std::move(help), type, std::move(series)});
}

void add_single(std::vector<MetricFamily>& out, std::string name, std::string help,
                MetricType type, double value) {
  add_family(out, std::move(name), std::move(help), type, {sample(type, value)});
}

template <class T>
double read(const std::atomic<T>& figure) {
  return static_cast<double>(figure.load(std::memory_order_relaxed));
}

// The families the actors count, read from their atomics.
void add_actor_families(const actors::actor_metrics& a, std::vector<MetricFamily>& out) {
  using figures = actors::directory_figures;
  auto per_kind = [&](std::string name, std::string help, auto figure) {
    std::vector<ClientMetric> series;
    for (std::size_t k = 0; k < actors::actor_kind_count; ++k)
      series.push_back(sample(MetricType::Counter, read(figure(a.directories[k])),
                              {{"kind", actor_kind_names[k]}}));
    add_family(out, std::move(name), std::move(help), MetricType::Counter, std::move(series));
  };
  const auto order = static_cast<std::size_t>(actors::actor_kind::order);
  const auto session = static_cast<std::size_t>(actors::actor_kind::session);
  add_single(out, "ordo_resident_orders", "Live order actors.", MetricType::Gauge,
             read(a.directories[order].resident));
  add_single(out, "ordo_parked_orders", "Passivated orders whose state is kept compactly in memory.",
             MetricType::Gauge, read(a.directories[order].parked));
  add_single(out, "ordo_resident_sessions", "Live session actors.", MetricType::Gauge,
             read(a.directories[session].resident));
  per_kind("ordo_activations_total", "Virtual actors activated.",
           [](const figures& f) -> const auto& { return f.activations; });
  per_kind("ordo_passivations_total", "Virtual actors passivated.",
           [](const figures& f) -> const auto& { return f.passivations; });
  per_kind("ordo_actor_restarts_total",
           "Virtual actors that crashed; the next request starts them again from durable state.",
           [](const figures& f) -> const auto& { return f.restarts; });
  add_single(out, "ordo_commit_conflicts_total",
             "Commits refused as conflicts: another writer had moved the order, or a place "
             "assumed a membership that changed.",
             MetricType::Counter, read(a.commit_conflicts));
  std::vector<ClientMetric> outcomes;
  for (std::size_t i = 0; i < actors::payment_outcome_count; ++i)
    outcomes.push_back(sample(MetricType::Counter, read(a.payment_outcomes[i]),
                              {{"outcome", payment_outcome_names[i]}}));
  add_family(out, "ordo_payment_outcomes_total", "Payment answers received by orders.",
             MetricType::Counter, std::move(outcomes));
  add_single(out, "ordo_deadline_expiries_total",
             "Orders cancelled because their payment deadline passed.", MetricType::Counter,
             read(a.deadline_expiries));
  std::vector<ClientMetric> events;
  for (std::size_t i = 0; i < a.events_committed.size(); ++i)
    events.push_back(
      sample(MetricType::Counter, read(a.events_committed[i]), {{"type", event_type_of(i)}}));
  add_family(out, "ordo_events_committed_total",
             "Order events committed, by the events stream's type.", MetricType::Counter,
             std::move(events));
}

void add_process_families(std::vector<MetricFamily>& out) {
  const auto p = read_process_figures();
  add_single(out, "ordo_process_cpu_seconds_total", "User and system CPU time of the process.",
             MetricType::Counter, p.cpu_seconds);
  add_single(out, "ordo_process_resident_memory_bytes", "Resident memory of the process.",
             MetricType::Gauge, static_cast<double>(p.resident_bytes));
  add_single(out, "ordo_process_start_time_seconds", "When the process started, Unix time.",
             MetricType::Gauge, p.start_time_seconds);
}

// Families kept in the registry; a lone_* is a family's one unlabelled series.
prometheus::Family<prometheus::Counter>& counters(prometheus::Registry& r, const char* name,
                                                  const char* help) {
  return prometheus::BuildCounter().Name(name).Help(help).Register(r);
}

prometheus::Family<prometheus::Histogram>& histograms(prometheus::Registry& r, const char* name,
                                                      const char* help) {
  return prometheus::BuildHistogram().Name(name).Help(help).Register(r);
}

prometheus::Counter* lone_counter(prometheus::Registry& r, const char* name, const char* help) {
  return &counters(r, name, help).Add({});
}

prometheus::Gauge* lone_gauge(prometheus::Registry& r, const char* name, const char* help) {
  return &prometheus::BuildGauge().Name(name).Help(help).Register(r).Add({});
}

prometheus::Histogram* lone_histogram(prometheus::Registry& r, const char* name, const char* help,
                                      const prometheus::Histogram::BucketBoundaries& buckets) {
  return &histograms(r, name, help).Add({}, buckets);
}

} // namespace

request_metrics::request_metrics(prometheus::Registry& registry)
  : in_flight_(lone_gauge(registry, "ordo_requests_in_flight",
                          "Requests handed to the actors whose answers are not back yet.")),
    forwarded_(lone_counter(registry, "ordo_requests_forwarded_total",
                            "Requests sent on to the node serving their customer tag.")) {
  auto& durations = histograms(registry, "ordo_request_duration_seconds",
                               "Time from a request's arrival to its answer, by op.");
  auto& counts =
    counters(registry, "ordo_requests_total",
             "Requests answered, by op and outcome code (ok, or the protocol's error code).");
  for (std::size_t op = 0; op < op_count; ++op) {
    const auto name = op_name_of(op);
    durations_[op] = &durations.Add({{"op", name}}, duration_buckets());
    if (op != unknown_op) // a frame that is no request never succeeds
      by_code_[op][0] = &counts.Add({{"op", name}, {"code", "ok"}});
    for (const auto code : all_errcs)
      by_code_[op][1 + static_cast<std::size_t>(code)] =
        &counts.Add({{"op", name}, {"code", std::string{to_string(code)}}});
  }
}

prometheus::Counter& request_metrics::counter(std::size_t op, std::optional<errc> failure) {
  auto* c = by_code_[op][failure ? 1 + static_cast<std::size_t>(*failure) : 0];
  assert(c != nullptr);
  return *c;
}

void request_metrics::forwarded() {
  forwarded_->Increment();
}

void request_metrics::entered() {
  in_flight_->Increment();
}

void request_metrics::left() {
  in_flight_->Decrement();
}

void request_metrics::answered(std::size_t op, std::optional<errc> failure,
                               metrics_clock::duration took) {
  counter(op, failure).Increment();
  durations_[op]->Observe(seconds(took));
}

void request_metrics::answered_at_once(std::size_t op, std::optional<errc> failure) {
  counter(op, failure).Increment();
  durations_[op]->Observe(0);
}

connection_metrics::connection_metrics(prometheus::Registry& registry)
  : open_(lone_gauge(registry, "ordo_connections", "Open client connections.")),
    accepted_(lone_counter(registry, "ordo_connections_accepted_total", "Client connections accepted.")),
    refused_(lone_counter(registry, "ordo_connections_refused_total",
                          "Client connections refused because max-connections were open.")) {}

void connection_metrics::opened() {
  open_->Increment();
  accepted_->Increment();
}

void connection_metrics::closed() {
  open_->Decrement();
}

void connection_metrics::refused() {
  refused_->Increment();
}

redis_metrics::redis_metrics(prometheus::Registry& registry)
  : round_trips_(lone_counter(registry, "ordo_redis_round_trips_total",
                              "Pipelined batches written to Redis and answered.")),
    commands_(lone_histogram(registry, "ordo_redis_commands_per_round_trip",
                             "Redis commands carried by one round trip.", batch_buckets())),
    commits_(lone_histogram(registry, "ordo_redis_commits_per_round_trip",
                            "Order commits carried by one round trip that carried any (group commit).",
                            batch_buckets())),
    duration_(lone_histogram(registry, "ordo_redis_round_trip_duration_seconds",
                             "From writing a batch to Redis to reading its last reply.",
                             duration_buckets())),
    failures_(lone_counter(registry, "ordo_redis_connection_failures_total",
                           "Connections to Redis refused or lost.")),
    up_gauge_(lone_gauge(registry, "ordo_redis_up", "1 while Redis answers, 0 while it does not.")) {
  up_gauge_->Set(1);
}

void redis_metrics::round_trip(std::size_t commands, std::size_t commits,
                               metrics_clock::duration took) {
  round_trips_->Increment();
  commands_->Observe(static_cast<double>(commands));
  if (commits > 0)
    commits_->Observe(static_cast<double>(commits));
  duration_->Observe(seconds(took));
}

void redis_metrics::connection_failed() {
  failures_->Increment();
}

void redis_metrics::set_up(bool up) {
  up_.store(up, std::memory_order_relaxed);
  up_gauge_->Set(up ? 1 : 0);
}

store_metrics::store_metrics(prometheus::Registry& registry)
  : stream_length_(lone_gauge(registry, "ordo_events_stream_length",
                              "Entries in the events stream, sampled every second.")) {
  auto& durations = histograms(registry, "ordo_store_request_duration_seconds",
                               "From a store request to Redis' answer, by op.");
  auto& errors = counters(registry, "ordo_store_errors_total",
                          "Store requests Redis failed, by op and code (unavailable, internal).");
  for (std::size_t op = 0; op < store_op_count; ++op) {
    durations_[op] = &durations.Add({{"op", store_op_names[op]}}, duration_buckets());
    errors_[op][0] = &errors.Add({{"op", store_op_names[op]}, {"code", "unavailable"}});
    errors_[op][1] = &errors.Add({{"op", store_op_names[op]}, {"code", "internal"}});
  }
}

void store_metrics::finished(store_op op, metrics_clock::duration took,
                             std::optional<errc> failure) {
  const auto index = static_cast<std::size_t>(op);
  durations_[index]->Observe(seconds(took));
  if (failure)
    errors_[index][*failure == errc::unavailable ? 0 : 1]->Increment();
}

void store_metrics::stream_length(std::int64_t entries) {
  stream_length_->Set(static_cast<double>(entries));
}

engine_metrics::engine_metrics()
  : registry_(std::make_shared<prometheus::Registry>()),
    requests_(std::make_unique<request_metrics>(*registry_)),
    connections_(std::make_unique<connection_metrics>(*registry_)),
    redis_(std::make_unique<redis_metrics>(*registry_)),
    store_(std::make_unique<store_metrics>(*registry_)),
    actors_(std::make_shared<actors::actor_metrics>()) {}

engine_metrics::~engine_metrics() = default;

std::optional<std::string> engine_metrics::not_ready() const {
  switch (phase_.load()) {
    case serving_phase::starting:
      return "starting";
    case serving_phase::stopping:
      return "stopping";
    case serving_phase::serving:
      break;
  }
  if (!redis_->up())
    return "redis unreachable";
  return std::nullopt;
}

void engine_metrics::watch_cluster(std::shared_ptr<const cluster_node> node) {
  std::lock_guard lock{node_mutex_};
  node_ = std::move(node);
}

std::string engine_metrics::exposition() const {
  auto families = registry_->Collect();
  add_actor_families(*actors_, families);
  add_process_families(families);
  std::shared_ptr<const cluster_node> node;
  {
    std::lock_guard lock{node_mutex_};
    node = node_;
  }
  if (node) {
    add_single(families, "ordo_cluster_nodes", "Live nodes of the engine this node sees, itself included.",
               MetricType::Gauge, static_cast<double>(node->members().size()));
    add_single(families, "ordo_cluster_tags_owned", "Customer shard tags this node serves now.",
               MetricType::Gauge, static_cast<double>(node->tags_served()));
    add_single(families, "ordo_lease_renewals_failed_total",
               "Lease renewals refused or unanswered (a tag lost or at risk).", MetricType::Counter,
               static_cast<double>(node->renewals_failed()));
    add_single(families, "ordo_tag_handoffs_total", "Tags this node handed to another node.",
               MetricType::Counter, static_cast<double>(node->handoffs()));
  }
  add_single(families, "ordo_ready", "1 while the process serves (/ready answers 200).",
             MetricType::Gauge, not_ready() ? 0 : 1);
  add_family(families, "ordo_build_info", "The running build; always 1.", MetricType::Gauge,
             {sample(MetricType::Gauge, 1, {{"version", ORDO_VERSION}})});
  std::ostringstream out;
  prometheus::TextSerializer{}.Serialize(out, families);
  return out.str();
}

archive_metrics::archive_metrics()
  : registry_(std::make_shared<prometheus::Registry>()),
    events_(lone_counter(*registry_, "ordo_archive_events_total",
                         "Events written into the warehouse and acknowledged (a redelivered one counts again).")),
    batches_(lone_counter(*registry_, "ordo_archive_batches_total", "Batches committed to PostgreSQL.")),
    failures_(lone_counter(*registry_, "ordo_archive_batch_failures_total",
                           "Batches PostgreSQL did not commit; they are written again.")),
    unreadable_(lone_counter(*registry_, "ordo_archive_unreadable_entries_total",
                             "Stream entries the warehouse cannot take, sent to the dead-letter stream.")),
    claimed_(lone_counter(*registry_, "ordo_archive_claimed_entries_total",
                          "Entries claimed from archivers that left them pending too long.")),
    evicted_(lone_counter(*registry_, "ordo_archive_evicted_orders_total",
                          "Archived orders that left Redis after the grace.")),
    lag_entries_(lone_gauge(*registry_, "ordo_archive_lag_entries",
                            "Entries of the events streams not yet archived by this group.")),
    lag_seconds_(lone_gauge(*registry_, "ordo_archive_lag_seconds",
                            "Age of the oldest entry not yet archived; 0 when none waits.")),
    batch_duration_(lone_histogram(*registry_, "ordo_archive_batch_duration_seconds",
                                   "From a batch's decoding to its commit in PostgreSQL.", duration_buckets())) {}

archive_metrics::~archive_metrics() = default;

void archive_metrics::batch_written(std::size_t events, metrics_clock::duration took) {
  events_->Increment(static_cast<double>(events));
  batches_->Increment();
  batch_duration_->Observe(seconds(took));
}

void archive_metrics::batch_failed() {
  failures_->Increment();
}

void archive_metrics::unreadable(std::size_t entries) {
  unreadable_->Increment(static_cast<double>(entries));
}

void archive_metrics::claimed(std::size_t entries) {
  claimed_->Increment(static_cast<double>(entries));
}

void archive_metrics::evicted(std::size_t orders) {
  evicted_->Increment(static_cast<double>(orders));
}

void archive_metrics::lag(std::int64_t entries, double seconds) {
  lag_entries_->Set(static_cast<double>(entries));
  lag_seconds_->Set(seconds);
}

void archive_metrics::set_connected(bool redis, bool postgres) {
  redis_up_.store(redis);
  postgres_up_.store(postgres);
}

std::optional<std::string> archive_metrics::not_ready() const {
  switch (phase_.load()) {
    case serving_phase::starting:
      return "starting";
    case serving_phase::stopping:
      return "stopping";
    case serving_phase::serving:
      break;
  }
  if (!redis_up_.load())
    return "redis unreachable";
  if (!postgres_up_.load())
    return "postgres unreachable";
  return std::nullopt;
}

std::string archive_metrics::exposition() const {
  auto families = registry_->Collect();
  add_single(families, "ordo_ready", "1 while the process serves (/ready answers 200).",
             MetricType::Gauge, not_ready() ? 0 : 1);
  add_family(families, "ordo_build_info", "The running build; always 1.", MetricType::Gauge,
             {sample(MetricType::Gauge, 1, {{"version", ORDO_VERSION}})});
  add_process_families(families);
  std::ostringstream out;
  prometheus::TextSerializer{}.Serialize(out, families);
  return out.str();
}

} // namespace ordo::runtime
