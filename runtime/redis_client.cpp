#include "runtime/redis_client.hpp"

#include <hiredis/hiredis.h>

#include <algorithm>
#include <cassert>
#include <map>

#include "runtime/log.hpp"
#include "runtime/metrics.hpp"

namespace ordo::runtime {

namespace {

timeval to_timeval(std::chrono::milliseconds ms) {
  return timeval{static_cast<time_t>(ms.count() / 1000),
                 static_cast<suseconds_t>((ms.count() % 1000) * 1000)};
}

redis_value convert(const redisReply* reply) {
  redis_value value;
  switch (reply->type) {
    case REDIS_REPLY_INTEGER:
      value.type = redis_value::kind::integer;
      value.integer = reply->integer;
      break;
    case REDIS_REPLY_STRING:
      value.type = redis_value::kind::string;
      value.text.assign(reply->str, reply->len);
      break;
    case REDIS_REPLY_STATUS:
      value.type = redis_value::kind::status;
      value.text.assign(reply->str, reply->len);
      break;
    case REDIS_REPLY_ERROR:
      value.type = redis_value::kind::error;
      value.text.assign(reply->str, reply->len);
      break;
    case REDIS_REPLY_ARRAY:
      value.type = redis_value::kind::array;
      value.elements.reserve(reply->elements);
      for (std::size_t i = 0; i < reply->elements; ++i)
        value.elements.push_back(convert(reply->element[i]));
      break;
    default:
      break;
  }
  return value;
}

void append(redisContext* ctx, const std::vector<std::string>& args) {
  std::vector<const char*> argv;
  std::vector<std::size_t> lens;
  argv.reserve(args.size());
  lens.reserve(args.size());
  for (const auto& a : args) {
    argv.push_back(a.data());
    lens.push_back(a.size());
  }
  redisAppendCommandArgv(ctx, static_cast<int>(args.size()), argv.data(), lens.data());
}

redis_command as_eval(const redis_command& cmd) {
  redis_command eval = cmd;
  eval.args[0] = "EVAL";
  eval.args[1] = *cmd.script;
  return eval;
}

bool is_noscript(const redis_value& v) {
  return v.is_error() && v.text.rfind("NOSCRIPT", 0) == 0;
}

// Whether `cmd` is an EVALSHA with exactly its batch form's keys and args.
bool fits(const redis_command& cmd) {
  const auto* form = cmd.batch_form;
  return form != nullptr && cmd.args.size() == 3 + form->keys_per_call + form->args_per_call &&
         cmd.args[0] == "EVALSHA" && cmd.args[2] == std::to_string(form->keys_per_call);
}

} // namespace

redis_client::redis_client(options opts) : opts_(std::move(opts)) {
  thread_ = std::thread{[this] { run(); }};
}

redis_client::~redis_client() {
  {
    std::lock_guard<std::mutex> guard{mutex_};
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void redis_client::submit(redis_command cmd, redis_callback done) {
  {
    std::lock_guard<std::mutex> guard{mutex_};
    queue_.push_back({std::move(cmd), std::move(done)});
  }
  wake_.notify_one();
}

result<bool> redis_client::probe(const std::string& host, std::uint16_t port,
                                 std::chrono::milliseconds timeout) {
  redisContext* ctx = redisConnectWithTimeout(host.c_str(), port, to_timeval(timeout));
  if (ctx == nullptr)
    return error{errc::unavailable, "out of memory"};
  if (ctx->err != 0) {
    error failure{errc::unavailable, ctx->errstr};
    redisFree(ctx);
    return failure;
  }
  redisSetTimeout(ctx, to_timeval(timeout));
  auto* reply = static_cast<redisReply*>(redisCommand(ctx, "PING"));
  const bool pong = reply != nullptr && reply->type == REDIS_REPLY_STATUS;
  std::string why = reply == nullptr ? std::string{ctx->errstr} : std::string{"unexpected reply"};
  if (reply != nullptr)
    freeReplyObject(reply);
  redisFree(ctx);
  if (!pong)
    return error{errc::unavailable, why};
  return true;
}

void redis_client::disconnect() {
  if (ctx_ != nullptr) {
    redisFree(ctx_);
    ctx_ = nullptr;
  }
}

bool redis_client::ensure_connected() {
  if (ctx_ != nullptr)
    return true;
  const auto now = std::chrono::steady_clock::now();
  if (now < next_connect_)
    return false;
  next_connect_ = now + opts_.reconnect_interval;
  ctx_ = redisConnectWithTimeout(opts_.host.c_str(), opts_.port, to_timeval(opts_.io_timeout));
  if (ctx_ == nullptr || ctx_->err != 0) {
    disconnect();
    if (opts_.metrics)
      opts_.metrics->connection_failed();
    return false;
  }
  redisSetTimeout(ctx_, to_timeval(opts_.io_timeout));
  redisEnableKeepAlive(ctx_);
  return true;
}

// One line when Redis stops answering and one when it answers again, however many requests
// fail meanwhile: a reconnect alone does not count as back (a frozen Redis still accepts
// connections), its first reply does.
void redis_client::note_down(const std::string& why) {
  if (down_)
    return;
  down_ = true;
  if (opts_.metrics)
    opts_.metrics->set_up(false);
  if (opts_.log_outages)
    log_event("warning", "redis_down",
            {{"redis", opts_.host + ":" + std::to_string(opts_.port)}, {"reason", why}});
}

void redis_client::note_answered() {
  if (!down_)
    return;
  down_ = false;
  if (opts_.metrics)
    opts_.metrics->set_up(true);
  if (opts_.log_outages)
    log_event("info", "redis_up", {{"redis", opts_.host + ":" + std::to_string(opts_.port)}});
}

void redis_client::fail_all(std::deque<job>& jobs, const std::string& why) {
  for (auto& j : jobs)
    j.done(error{errc::unavailable, why});
  jobs.clear();
}

std::deque<redis_client::job> redis_client::combine(std::deque<job> batch) {
  std::deque<job> out;
  std::map<const redis_batch_form*, std::vector<job>> groups;
  for (auto& j : batch) {
    if (fits(j.cmd))
      groups[j.cmd.batch_form].push_back(std::move(j));
    else
      out.push_back(std::move(j));
  }
  for (auto& [form, calls] : groups) {
    for (std::size_t start = 0; start < calls.size(); start += form->max_calls) {
      const auto end = std::min(calls.size(), start + form->max_calls);
      if (end - start == 1) {
        out.push_back(std::move(calls[start]));
        continue;
      }
      job together;
      auto& args = together.cmd.args;
      args = {"EVALSHA", form->sha1, std::to_string((end - start) * form->keys_per_call)};
      for (auto k = start; k < end; ++k)
        args.insert(args.end(), calls[k].cmd.args.begin() + 3,
                    calls[k].cmd.args.begin() + 3 + static_cast<std::ptrdiff_t>(form->keys_per_call));
      args.push_back(std::to_string(end - start));
      for (auto k = start; k < end; ++k)
        args.insert(args.end(),
                    calls[k].cmd.args.begin() + 3 + static_cast<std::ptrdiff_t>(form->keys_per_call),
                    calls[k].cmd.args.end());
      together.cmd.script = form->source;
      auto callbacks = std::make_shared<std::vector<redis_callback>>();
      for (auto k = start; k < end; ++k)
        callbacks->push_back(std::move(calls[k].done));
      together.done = [callbacks](result<redis_value> r) {
        const bool split = r && r->type == redis_value::kind::array &&
                           r->elements.size() == callbacks->size();
        for (std::size_t i = 0; i < callbacks->size(); ++i) {
          if (split)
            (*callbacks)[i](std::move(r->elements[i]));
          else if (!r || r->is_error())
            (*callbacks)[i](r);
          else
            (*callbacks)[i](error{errc::internal, "unexpected reply to a batch of script calls"});
        }
      };
      out.push_back(std::move(together));
    }
  }
  return out;
}

// Sends the whole batch, then reads the replies in order. NOSCRIPT replies are sent again
// as EVAL in a second round.
bool redis_client::execute(std::deque<job>& batch) {
  for (const auto& j : batch)
    append(ctx_, j.cmd.args);
  std::deque<job> retry;
  while (!batch.empty()) {
    void* raw = nullptr;
    if (redisGetReply(ctx_, &raw) != REDIS_OK || raw == nullptr) {
      const std::string why = std::string{"redis connection lost: "} + ctx_->errstr;
      note_down(why);
      if (opts_.metrics)
        opts_.metrics->connection_failed();
      disconnect();
      fail_all(batch, why);
      fail_all(retry, why);
      return false;
    }
    note_answered();
    auto* reply = static_cast<redisReply*>(raw);
    auto value = convert(reply);
    freeReplyObject(reply);
    auto j = std::move(batch.front());
    batch.pop_front();
    if (is_noscript(value) && j.cmd.script && j.cmd.args.size() >= 2 &&
        j.cmd.args[0] == "EVALSHA") {
      j.cmd = as_eval(j.cmd);
      retry.push_back(std::move(j));
      continue;
    }
    j.done(std::move(value));
  }
  return retry.empty() || execute(retry);
}

void redis_client::send(std::deque<job> batch) {
  const auto commits = static_cast<std::size_t>(std::count_if(
    batch.begin(), batch.end(), [](const job& j) { return j.cmd.batch_form != nullptr; }));
  const auto started = metrics_clock::now();
  batch = combine(std::move(batch));
  const auto commands = batch.size();
  if (execute(batch) && opts_.metrics)
    opts_.metrics->round_trip(commands, commits, metrics_clock::now() - started);
}

void redis_client::run() {
  for (;;) {
    std::deque<job> batch;
    {
      std::unique_lock<std::mutex> lock{mutex_};
      // While Redis is down, wake up to reconnect even when nothing is queued.
      if (ctx_ == nullptr && queue_.empty() && !stopping_)
        wake_.wait_for(lock, opts_.reconnect_interval);
      else
        wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (stopping_) {
        batch.swap(queue_);
        lock.unlock();
        fail_all(batch, "the engine is stopping");
        disconnect();
        return;
      }
      while (!queue_.empty() && batch.size() < opts_.max_batch) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    if (!ensure_connected()) {
      const auto why = "redis at " + opts_.host + ":" + std::to_string(opts_.port) +
                       " is unreachable";
      note_down(why);
      fail_all(batch, why);
      continue;
    }
    if (!batch.empty())
      send(std::move(batch));
  }
}

} // namespace ordo::runtime
