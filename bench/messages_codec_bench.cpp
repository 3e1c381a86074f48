// The codec's cost per message on the gateway's hot path: decoding a place request,
// encoding its reply, and splitting a stream of frames.

#include <benchmark/benchmark.h>

#include "messages/codec.hpp"
#include "messages/frame.hpp"

namespace {

ordo::request place_request(int lines) {
  ordo::place_request place;
  place.idem = "idem-0001";
  for (int i = 0; i < lines; ++i)
    place.lines.push_back({"SKU-" + std::to_string(i), 2, 9'900});
  return {17, place};
}

ordo::order placed_order(int lines) {
  ordo::order o;
  o.id = "01J9Z3K4M5N6P7Q8R9S0T1V2W3";
  o.customer = "customer-000042";
  for (int i = 0; i < lines; ++i)
    o.lines.push_back({"SKU-" + std::to_string(i), 2, 9'900, 0, 0});
  o.subtotal = lines * 2 * 9'900;
  o.total = o.subtotal;
  o.version = 1;
  o.created_at = o.updated_at = 1'764'000'000'000;
  return o;
}

void decode_place(benchmark::State& state) {
  std::string payload;
  ordo::encode_request(place_request(static_cast<int>(state.range(0))), payload);
  for (auto _ : state) {
    auto decoded = ordo::decode_request(payload);
    benchmark::DoNotOptimize(decoded);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * payload.size()));
}
BENCHMARK(decode_place)->Arg(1)->Arg(5)->Arg(100);

void encode_order_reply(benchmark::State& state) {
  const ordo::reply rep{17, ordo::order_result{placed_order(static_cast<int>(state.range(0)))}};
  std::string out;
  for (auto _ : state) {
    out.clear();
    const auto header = ordo::begin_frame(out);
    ordo::encode_reply(rep, out);
    ordo::end_frame(out, header);
    benchmark::DoNotOptimize(out.data());
  }
}
BENCHMARK(encode_order_reply)->Arg(1)->Arg(5)->Arg(100);

void split_frames(benchmark::State& state) {
  std::string stream;
  for (int i = 0; i < 64; ++i) {
    const auto header = ordo::begin_frame(stream);
    ordo::encode_request(place_request(3), stream);
    ordo::end_frame(stream, header);
  }
  ordo::frame_splitter splitter{ordo::limits::default_max_frame_bytes};
  for (auto _ : state) {
    splitter.append(stream);
    for (auto e = splitter.next(); e.status == ordo::frame_status::frame; e = splitter.next())
      benchmark::DoNotOptimize(e.payload.data());
  }
  state.SetItemsProcessed(state.iterations() * 64);
}
BENCHMARK(split_frames);

} // namespace

BENCHMARK_MAIN();
