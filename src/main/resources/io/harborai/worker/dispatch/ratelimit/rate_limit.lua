-- HarborAI shared rate limiter: an RPM and a TPM token bucket per provider, taken together.
-- The arithmetic mirrors TokenBucket.java (keep them in step). Hand-written: no library takes
-- two buckets both-or-neither on Redis's clock (see RedisRateLimiter.java).
--
-- KEYS[1] request bucket, KEYS[2] token bucket: one hash tag, so one cluster slot.
-- ARGV[1] 'acquire' (take 1 request + ARGV[6] tokens, both or neither; returns 1 or 0)
--         'correct' (add ARGV[6] tokens, negative = extra debit, bounded; returns 1)
-- ARGV[2] requests per minute (0 = unlimited)   ARGV[3] request burst
-- ARGV[4] tokens per minute (0 = unlimited)     ARGV[5] token burst
-- A bucket hash holds v (level, may be negative) and t (microseconds of Redis TIME at the
-- last write). A missing key is a full bucket, so each key expires when it would be full again.

-- TIME is non-deterministic: Redis < 5 must replicate this script by its effects.
if redis.replicate_commands then pcall(redis.replicate_commands) end

local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
local MICROS_PER_MINUTE = 60000000

local function level(key, rate, burst)
  local h = redis.call('HMGET', key, 'v', 't')
  local v, t = tonumber(h[1]), tonumber(h[2])
  if v == nil or t == nil then
    return burst
  end
  local elapsed = now - t
  if elapsed < 0 then elapsed = 0 end
  return math.min(burst, v + elapsed * rate / MICROS_PER_MINUTE)
end

local function store(key, rate, burst, v)
  -- %.0f / %.6f: tostring would print only 14 significant digits and lose microseconds.
  redis.call('HSET', key, 'v', string.format('%.6f', v), 't', string.format('%.0f', now))
  local ttl = math.ceil((burst - v) * MICROS_PER_MINUTE / rate / 1000) + 1000
  redis.call('PEXPIRE', key, string.format('%d', ttl))
end

local op = ARGV[1]
local reqRate, reqBurst = tonumber(ARGV[2]), tonumber(ARGV[3])
local tokRate, tokBurst = tonumber(ARGV[4]), tonumber(ARGV[5])
local n = tonumber(ARGV[6])

if op == 'acquire' then
  local req, tok
  if reqRate > 0 then
    req = level(KEYS[1], reqRate, reqBurst)
    if req < math.min(1, reqBurst) then return 0 end
  end
  if tokRate > 0 and n > 0 then
    tok = level(KEYS[2], tokRate, tokBurst)
    if tok < math.min(n, tokBurst) then return 0 end
  end
  if req then store(KEYS[1], reqRate, reqBurst, req - 1) end
  if tok then store(KEYS[2], tokRate, tokBurst, tok - n) end
  return 1
elseif op == 'correct' then
  if tokRate > 0 and n ~= 0 then
    local tok = level(KEYS[2], tokRate, tokBurst)
    local next = tok + n
    if n > 0 then
      next = math.min(next, tokBurst)
    else
      next = math.max(next, math.min(tok, -tokBurst))
    end
    store(KEYS[2], tokRate, tokBurst, next)
  end
  return 1
end
return redis.error_reply('unknown op ' .. tostring(op))
