/**
 * The Lua scripts behind `RedisQuotaStore`: each acquire and each release is one script, so every
 * process sees the windows and leases change atomically. They mirror `openWindow` and `mergeReport` of
 * @ym-chats/sdk (the shared contract tests hold both to the same rules).
 *
 * Keys: KEYS[1] the epoch marker, KEYS[2] the business's leases (sorted set: `op|lease` scored by expiry
 * in Redis time; renamed `~op|lease` once its attempt ended unanswered and it only holds the slot),
 * KEYS[3] the window of business × operation (hash: limit, remaining, resetAt, confirmed, probe). Lease
 * expiry uses Redis's own clock (TIME), so processes' clocks never matter for leases; windows use the
 * platform clock the caller passes (`now`).
 *
 * A window no answer has placed (none stored, or the one stored ended over an hour ago) is a probe: one
 * request of its key at a time until an answer places it (its figures) or opens it (an answer without
 * any). Nothing tells a Redis restarted empty from a fresh one or a new prefix, so none of them is
 * trusted to know the platform's count.
 *
 * The epoch marker lets a process that was connected when Redis lost its data notice it: `connect` sets
 * it to 0 when absent; a script that finds it missing sets it to Redis's time and then, for `leaseMs`,
 * grants nothing (leases held before the restart are unknown until they would have expired) and counts
 * every report as if all other slots were in flight.
 */

const PRELUDE = `
local HOUR = 3600000
local t = redis.call('TIME')
local clock = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local op = ARGV[1]
local mark = op .. '|'
local now = tonumber(ARGV[3])
local cap = tonumber(ARGV[4])
local leaseMs = tonumber(ARGV[5])
local epoch = tonumber(redis.call('GET', KEYS[1]) or '-1')
local lost = false
if epoch < 0 then
  redis.call('SET', KEYS[1], clock)
  epoch = clock
  lost = true
end
local quarantined = epoch > 0 and clock < epoch + leaseMs
`;

/** ARGV: op, lease, now, maxConcurrent, leaseMs, limit. Returns {'ok'} | {'slot', ms} | {'quota', limit, remaining, resetAt}. */
export const ACQUIRE = `${PRELUDE}
local limit = tonumber(ARGV[6])
if quarantined then return {'slot', epoch + leaseMs - clock} end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', clock)
local leases = redis.call('ZRANGE', KEYS[2], 0, -1, 'WITHSCORES')
if #leases / 2 >= cap then
  return {'slot', math.max(1, tonumber(leases[2]) - clock)}
end
local inflight = 0
local probing = nil
for i = 1, #leases, 2 do
  local member = leases[i]
  if string.sub(member, 1, #mark) == mark then
    inflight = inflight + 1
    if not probing then probing = tonumber(leases[i + 1]) end
  elseif string.sub(member, 2, #mark + 1) == mark then
    inflight = inflight + 1
  end
end
local w = redis.call('HMGET', KEYS[3], 'limit', 'remaining', 'resetAt', 'confirmed', 'probe')
local wLimit, remaining, resetAt, confirmed, probe
if w[3] and now < tonumber(w[3]) then
  wLimit = tonumber(w[1])
  remaining = tonumber(w[2])
  resetAt = tonumber(w[3])
  confirmed = w[4]
  probe = w[5] or '0'
else
  wLimit = limit
  if w[3] and now < tonumber(w[3]) + HOUR then
    resetAt = tonumber(w[3]) + HOUR
    confirmed = w[4]
    if confirmed == '1' then wLimit = tonumber(w[1]) end
  else
    resetAt = now + HOUR
    confirmed = '0'
  end
  remaining = wLimit - inflight
  if w[3] and now < tonumber(w[3]) + HOUR then probe = w[5] or '0' else probe = '1' end
end
if probe == '1' and probing then
  -- The probe out: try again when it ends (a published release), at the latest when it lapses.
  return {'slot', math.max(1, probing - clock)}
end
if remaining <= 0 then
  redis.call('HSET', KEYS[3], 'limit', wLimit, 'remaining', remaining, 'resetAt', resetAt, 'confirmed', confirmed, 'probe', probe)
  redis.call('PEXPIRE', KEYS[3], 2 * HOUR)
  return {'quota', wLimit, math.max(remaining, 0), resetAt}
end
redis.call('HSET', KEYS[3], 'limit', wLimit, 'remaining', remaining - 1, 'resetAt', resetAt, 'confirmed', confirmed, 'probe', probe)
redis.call('PEXPIRE', KEYS[3], 2 * HOUR)
redis.call('ZADD', KEYS[2], clock + leaseMs, mark .. ARGV[2])
redis.call('PEXPIRE', KEYS[2], leaseMs + 1000)
return {'ok'}
`;

/**
 * ARGV: op, lease, now, maxConcurrent, leaseMs, business, channel, answered ('1' | '0' | 'h': no answer,
 * the slot stays held until a later release)[, limit, remaining, resetAt].
 */
export const RELEASE = `${PRELUDE}
if ARGV[8] == 'h' then
  local score = redis.call('ZSCORE', KEYS[2], mark .. ARGV[2])
  if score then
    redis.call('ZREM', KEYS[2], mark .. ARGV[2])
    redis.call('ZADD', KEYS[2], score, '~' .. mark .. ARGV[2])
  end
  redis.call('PUBLISH', ARGV[7], ARGV[6])
  return 1
end
redis.call('ZREM', KEYS[2], mark .. ARGV[2], '~' .. mark .. ARGV[2])
if (not ARGV[9]) and ARGV[8] == '1' and redis.call('HGET', KEYS[3], 'probe') == '1' then
  -- An answer without figures: the platform has nothing to say about this key, the guess stands.
  redis.call('HSET', KEYS[3], 'probe', '0')
end
if ARGV[9] then
  local rLimit = tonumber(ARGV[9])
  local rRemaining = tonumber(ARGV[10])
  local rResetAt = tonumber(ARGV[11])
  if rResetAt > now then
    local others = 0
    if quarantined or lost then
      others = cap - 1
    else
      redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', clock)
      local leases = redis.call('ZRANGE', KEYS[2], 0, -1)
      for i = 1, #leases do
        local member = leases[i]
        if string.sub(member, 1, #mark) == mark or string.sub(member, 2, #mark + 1) == mark then
          others = others + 1
        end
      end
    end
    local value = math.max(0, rRemaining - others)
    local w = redis.call('HMGET', KEYS[3], 'remaining', 'resetAt', 'confirmed', 'limit')
    local write = false
    if (not w[2]) or rResetAt > tonumber(w[2]) then
      write = true
    elseif rResetAt == tonumber(w[2]) then
      value = math.min(tonumber(w[1]), value)
      write = true
    elseif w[3] ~= '1' and rResetAt > tonumber(w[2]) - HOUR then
      value = math.min(rLimit - (tonumber(w[4]) - tonumber(w[1])), value)
      write = true
    end
    if write then
      redis.call('HSET', KEYS[3], 'limit', rLimit, 'remaining', value, 'resetAt', rResetAt, 'confirmed', '1', 'probe', '0')
      redis.call('PEXPIRE', KEYS[3], 2 * HOUR)
    end
  end
end
redis.call('PUBLISH', ARGV[7], ARGV[6])
return 1
`;
