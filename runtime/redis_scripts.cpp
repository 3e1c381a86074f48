#include "runtime/redis_scripts.hpp"

#include <openssl/sha.h>

#include <initializer_list>
#include <string_view>

#include "auth/hex.hpp"

namespace ordo::runtime {

namespace {

redis_script make_script(std::string source) {
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(source.data()), source.size(), digest);
  return {std::make_shared<const std::string>(std::move(source)),
          auth::to_hex(digest, SHA_DIGEST_LENGTH)};
}

// The commit as a local function, so that the single script and its batch form share it.
constexpr const char* commit_function = R"lua(
local function commit(KEYS, ARGV)
  if ARGV[15] ~= '' then
    local held = redis.call('HMGET', KEYS[7], 'o', 'e', 'x')
    local t = redis.call('TIME')
    local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
    if held[1] ~= ARGV[15] or held[2] ~= ARGV[16] or now >= tonumber(held[3] or '0') then
      return {'fenced'}
    end
  end
  if ARGV[11] ~= '' then
    local ok, record = pcall(redis.call, 'GET', KEYS[3])
    if ok and record then
      local n = string.byte(record, 1)
      return {'replay', string.sub(record, 2, n + 1), string.sub(record, n + 2)}
    elseif not ok then
      -- A record of an earlier engine: a hash with the fingerprint in hex. It still counts.
      local old = redis.call('HMGET', KEYS[3], 'f', 'r')
      if old[1] then
        local raw = string.gsub(old[1], '..', function(h) return string.char(tonumber(h, 16)) end)
        return {'replay', raw, old[2]}
      end
    end
  end
  if ARGV[14] ~= '' and (redis.call('GET', KEYS[6]) or '0') ~= ARGV[14] then
    return {'conflict', 'membership'}
  end
  local current = tonumber(redis.call('HGET', KEYS[1], 'v') or '0')
  if current ~= tonumber(ARGV[1]) and not (current == 0 and ARGV[17] == '1') then
    return {'conflict', tostring(current)}
  end
  redis.call('HSET', KEYS[1], 'v', ARGV[2], 's', ARGV[3], 'm', ARGV[4], 'd', ARGV[5], 'c', ARGV[6])
  redis.call('ZADD', KEYS[2], 0, ARGV[7])
  redis.call('XADD', KEYS[5], '*', 'order', ARGV[7], 'customer', ARGV[8], 'type', ARGV[9],
             'version', ARGV[2], 'at', ARGV[10], 'order_state', ARGV[3], 'member', ARGV[4],
             'delivered_at', ARGV[5], 'charged', ARGV[6])
  if ARGV[11] ~= '' then
    redis.call('SET', KEYS[3], string.char(#ARGV[11]) .. ARGV[11] .. ARGV[3], 'EX', ARGV[12])
  end
  if ARGV[13] ~= '' then
    redis.call('ZADD', KEYS[4], ARGV[13], ARGV[7])
  else
    redis.call('ZREM', KEYS[4], ARGV[7])
  end
  return {'ok'}
end
)lua";

constexpr std::size_t commit_keys = 7;
constexpr std::size_t commit_args = 17;

// Joined by appending string views: GCC 12's -Warray-bounds misreads the inlined memcpy of
// `std::string{literal} + long_literal` as overrunning the short-string buffer.
std::string joined(std::initializer_list<std::string_view> parts) {
  std::size_t size = 0;
  for (auto part : parts)
    size += part.size();
  std::string out;
  out.reserve(size);
  for (auto part : parts)
    out.append(part);
  return out;
}

std::string commit_source() {
  return joined({"#!lua", commit_function, "return commit(KEYS, ARGV)\n"});
}

// A call that fails (a Redis error inside it) answers an error reply in its place; the
// calls before it stay applied, as they would have as separate scripts.
std::string commit_batch_source() {
  return joined({"#!lua", commit_function, R"lua(
local replies = {}
for i = 0, tonumber(ARGV[1]) - 1 do
  local keys, args = {}, {}
  for k = 1, 7 do keys[k] = KEYS[i * 7 + k] end
  for a = 1, 17 do args[a] = ARGV[1 + i * 17 + a] end
  local ok, reply = pcall(commit, keys, args)
  if ok then
    replies[i + 1] = reply
  elseif type(reply) == 'table' and reply.err then
    replies[i + 1] = reply
  else
    replies[i + 1] = {err = tostring(reply)}
  end
end
return replies
)lua"});
}

constexpr const char* list_source = R"lua(#!lua flags=no-writes
local newest = ARGV[1] == '' and '+' or ('(' .. ARGV[1])
local ids = redis.call('ZREVRANGEBYLEX', KEYS[1], newest, '-', 'LIMIT', 0, tonumber(ARGV[2]))
local orders = {}
for _, id in ipairs(ids) do
  local state = redis.call('HGET', ARGV[3] .. id, 's')
  if state then
    orders[#orders + 1] = state
  end
end
return orders
)lua";

constexpr const char* trim_source = R"lua(#!lua
local key = KEYS[1]
local max_len = tonumber(ARGV[1])
local length = redis.call('XLEN', key)
if length <= max_len then
  return 0
end
local function parse(id)
  local ms, seq = string.match(id, '(%d+)-(%d+)')
  return tonumber(ms), tonumber(seq)
end
local function before(a, b)
  local am, as = parse(a)
  local bm, bs = parse(b)
  return am < bm or (am == bm and as < bs)
end
-- The oldest entry some consumer group still needs: pending (delivered, not acknowledged)
-- or not delivered yet.
local needed = nil
for _, group in ipairs(redis.call('XINFO', 'GROUPS', key)) do
  local info = {}
  for i = 1, #group, 2 do
    info[group[i]] = group[i + 1]
  end
  local candidates = {}
  if tonumber(info['pending']) > 0 then
    candidates[#candidates + 1] = redis.call('XPENDING', key, info['name'])[2]
  end
  local undelivered = redis.call('XRANGE', key, '(' .. info['last-delivered-id'], '+', 'COUNT', 1)
  if #undelivered > 0 then
    candidates[#candidates + 1] = undelivered[1][1]
  end
  for _, id in ipairs(candidates) do
    if needed == nil or before(id, needed) then
      needed = id
    end
  end
end
local drop = math.min(length - max_len, tonumber(ARGV[2]))
local entries = redis.call('XRANGE', key, '-', '+', 'COUNT', drop + 1)
local dropped = 0
while dropped < drop and (needed == nil or before(entries[dropped + 1][1], needed)) do
  dropped = dropped + 1
end
if dropped == 0 then
  return 0
end
redis.call('XTRIM', key, 'MINID', entries[dropped + 1][1])
return dropped
)lua";

// cluster/lease_rules.hpp, rule for rule; the lease hash keeps o owner, e epoch, x expiry
// (ms, Redis' clock). It never expires as a key: the epoch must outlive every lease.
constexpr const char* lease_function = R"lua(
local function lease(KEYS, ARGV)
  local op, owner, epoch, span = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
  local t = redis.call('TIME')
  local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  local held = redis.call('HMGET', KEYS[1], 'o', 'e', 'x')
  local o, e, x = held[1] or '', tonumber(held[2] or '0'), tonumber(held[3] or '0')
  local live = o ~= '' and now < x
  local granted = 0
  if op == 'acquire' then
    if not live then
      o, e, x, granted = owner, math.max(e, epoch) + 1, now + span, 1
    elseif o == owner then
      x, granted = now + span, 1
    end
  elseif op == 'renew' then
    if live and o == owner and e == epoch then
      x, granted = now + span, 1
    end
  elseif op == 'release' then
    if o == owner and e == epoch then
      o, x, granted = '', 0, 1
    end
  else
    return redis.error_reply('ERR unknown lease op ' .. op)
  end
  if granted == 1 then
    redis.call('HSET', KEYS[1], 'o', o, 'e', e, 'x', x)
  end
  return {granted, o, tostring(e), tostring(x), tostring(now)}
end
)lua";

constexpr std::size_t lease_keys = 1;
constexpr std::size_t lease_args = 4;

std::string lease_source() {
  return joined({"#!lua", lease_function, "return lease(KEYS, ARGV)\n"});
}

std::string lease_batch_source() {
  return joined({"#!lua", lease_function, R"lua(
local replies = {}
for i = 0, tonumber(ARGV[1]) - 1 do
  local args = {}
  for a = 1, 4 do args[a] = ARGV[1 + i * 4 + a] end
  local ok, reply = pcall(lease, {KEYS[i + 1]}, args)
  if ok then
    replies[i + 1] = reply
  elseif type(reply) == 'table' and reply.err then
    replies[i + 1] = reply
  else
    replies[i + 1] = {err = tostring(reply)}
  end
end
return replies
)lua"});
}

// The nodes hash maps a node's name to "EXPIRES_AT OWNER ADDRESS" (Redis' clock, ms).
constexpr const char* nodes_source = R"lua(#!lua
local name, owner, address, ttl, op = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4]), ARGV[5]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local mine = redis.call('HGET', KEYS[1], name)
if op == 'beat' then
  redis.call('HSET', KEYS[1], name, tostring(now + ttl) .. ' ' .. owner .. ' ' .. address)
elseif op == 'leave' then
  if mine and string.match(mine, '^%S+ (%S+)') == owner then
    redis.call('HDEL', KEYS[1], name)
  end
else
  return redis.error_reply('ERR unknown nodes op ' .. op)
end
local live = {tostring(now)}
local all = redis.call('HGETALL', KEYS[1])
for i = 1, #all, 2 do
  local expires, who, where = string.match(all[i + 1], '^(%d+) (%S+) (%S+)$')
  if expires == nil or tonumber(expires) <= now then
    redis.call('HDEL', KEYS[1], all[i])
  else
    live[#live + 1] = all[i]
    live[#live + 1] = who
    live[#live + 1] = where
    live[#live + 1] = expires
  end
end
return live
)lua";

// The archive marks an order whose last change it archived. KEYS: the order, the tag's
// archived set. ARGV: the archived version, its time (ms), order id, customer.
constexpr const char* mark_archived_source = R"lua(#!lua
if redis.call('HGET', KEYS[1], 'v') ~= ARGV[1] then
  return 0
end
redis.call('HSET', KEYS[1], 'a', ARGV[1])
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3] .. ' ' .. ARGV[4])
return 1
)lua";

// Orders of one tag whose archived change is older than the grace leave Redis, each only if
// it is still at its archived version (changed since, it stays until that change is
// archived too). KEYS: the tag's archived set. ARGV: grace (ms), most orders in one run,
// order key prefix, customer index prefix. Returns how many left.
constexpr const char* evict_source = R"lua(#!lua
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[1]), 'LIMIT', 0,
                       tonumber(ARGV[2]))
local evicted = 0
for _, member in ipairs(due) do
  local id, customer = string.match(member, '^(%S+) (.+)$')
  if id then
    local key = ARGV[3] .. id
    local held = redis.call('HMGET', key, 'v', 'a')
    if held[1] and held[1] == held[2] then
      redis.call('DEL', key)
      redis.call('ZREM', ARGV[4] .. customer, id)
      evicted = evicted + 1
    end
  end
  redis.call('ZREM', KEYS[1], member)
end
return evicted
)lua";

} // namespace

redis_command script_call(const redis_script& script, std::vector<std::string> keys,
                          std::vector<std::string> args) {
  redis_command cmd;
  cmd.script = script.source;
  cmd.args = {"EVALSHA", script.sha1, std::to_string(keys.size())};
  cmd.args.insert(cmd.args.end(), keys.begin(), keys.end());
  cmd.args.insert(cmd.args.end(), args.begin(), args.end());
  return cmd;
}

const redis_script& commit_script() {
  static const redis_script script = make_script(commit_source());
  return script;
}

const redis_batch_form& commit_batch_form() {
  static const redis_batch_form form = [] {
    const auto script = make_script(commit_batch_source());
    return redis_batch_form{script.source, script.sha1, commit_keys, commit_args};
  }();
  return form;
}

const redis_script& list_script() {
  static const redis_script script = make_script(list_source);
  return script;
}

const redis_script& trim_script() {
  static const redis_script script = make_script(trim_source);
  return script;
}

const redis_script& lease_script() {
  static const redis_script script = make_script(lease_source());
  return script;
}

const redis_batch_form& lease_batch_form() {
  static const redis_batch_form form = [] {
    const auto script = make_script(lease_batch_source());
    return redis_batch_form{script.source, script.sha1, lease_keys, lease_args};
  }();
  return form;
}

const redis_script& mark_archived_script() {
  static const redis_script script = make_script(mark_archived_source);
  return script;
}

const redis_script& evict_script() {
  static const redis_script script = make_script(evict_source);
  return script;
}

const redis_script& nodes_script() {
  static const redis_script script = make_script(nodes_source);
  return script;
}

} // namespace ordo::runtime
