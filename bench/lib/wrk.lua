-- wrk script of the benchmark's load generator (bench/lib/load.ts runs wrk with it).
-- Arguments after "--": kind (order|batch|get), batch size, merchants, merchant offset, products,
-- external-id prefix, then GET paths. WRK_RATE_PER_THREAD (environment) paces each thread to that
-- many requests per second; unset, every connection sends as fast as it gets answers. (wrk decides
-- whether a script paces before init() sees the arguments, hence the environment variable.)
-- Kind "mix" (the realistic read mix): every request is WRK_MIX_TEMPLATE with {m} replaced by a
-- merchant number drawn Zipf-like (P(k) ~ 1/k^WRK_MIX_ZIPF over 1..WRK_MIX_MERCHANTS), {type} by a
-- bucket type drawn uniformly from WRK_MIX_PERIODS ("DAY=2025-01-01,2025-01-02;WEEK=...") and {start}
-- by one of that type's period starts, drawn uniformly.
-- Prints one JSON line (the same shape as LoadResult, minus loadAverage) when wrk is done.
local ffi = require("ffi")
ffi.cdef([[
  typedef struct { long tv_sec; long tv_usec; } catcast_timeval;
  int gettimeofday(catcast_timeval *tv, void *tz);
]])
local tv = ffi.new("catcast_timeval")
local function now_ms()
  ffi.C.gettimeofday(tv, nil)
  return tonumber(tv.tv_sec) * 1000 + tonumber(tv.tv_usec) / 1000
end

local threads = {}
local counter = 0

-- WRK_SERVERS ("host:port,host:port"): replicas of one service, one wrk thread each (thread n talks to
-- server n), so connections spread over them as a Kubernetes Service spreads them over pods.
local servers = {}
for s in string.gmatch(os.getenv("WRK_SERVERS") or "", "[^,]+") do
  servers[#servers + 1] = s
end

function setup(thread)
  counter = counter + 1
  thread:set("thread_no", counter)
  if #servers > 0 then
    local host, port = string.match(servers[(counter - 1) % #servers + 1], "^(.+):(%d+)$")
    thread.addr = wrk.lookup(host, port)[1]
  end
  table.insert(threads, thread)
end

local kind, batch_size, merchants, offset, products, prefix
local rate = tonumber(os.getenv("WRK_RATE_PER_THREAD") or "0") or 0
local paths = {}
local seq = 0
local interval_ms, next_due
local mix_template, mix_types, mix_cdf

-- Cumulative Zipf weights of merchants 1..n (computed once per thread).
local function zipf_cdf(n, s)
  local cdf, total = {}, 0
  for k = 1, n do
    total = total + 1 / (k ^ s)
    cdf[k] = total
  end
  for k = 1, n do
    cdf[k] = cdf[k] / total
  end
  return cdf
end

local function draw_merchant()
  local u = math.random()
  local lo, hi = 1, #mix_cdf
  while lo < hi do
    local mid = math.floor((lo + hi) / 2)
    if mix_cdf[mid] < u then
      lo = mid + 1
    else
      hi = mid
    end
  end
  return lo
end

local function init_mix()
  mix_template = os.getenv("WRK_MIX_TEMPLATE")
  mix_cdf = zipf_cdf(tonumber(os.getenv("WRK_MIX_MERCHANTS")), tonumber(os.getenv("WRK_MIX_ZIPF") or "1.1"))
  mix_types = {}
  for spec in string.gmatch(os.getenv("WRK_MIX_PERIODS"), "[^;]+") do
    local name, list = string.match(spec, "^(%w+)=(.*)$")
    local starts = {}
    for d in string.gmatch(list, "[^,]+") do
      starts[#starts + 1] = d
    end
    mix_types[#mix_types + 1] = { name = name, starts = starts }
  end
end

local function mix_path()
  local t = mix_types[math.random(1, #mix_types)]
  local p = string.gsub(mix_template, "{m}", tostring(draw_merchant()))
  p = string.gsub(p, "{type}", t.name)
  p = string.gsub(p, "{start}", t.starts[math.random(1, #t.starts)])
  return p
end

function init(args)
  kind = args[1]
  batch_size = tonumber(args[2])
  merchants = tonumber(args[3])
  offset = tonumber(args[4])
  products = tonumber(args[5])
  prefix = args[6] .. "-" .. tostring(thread_no)
  for i = 7, #args do
    paths[#paths + 1] = args[i]
  end
  math.randomseed(thread_no * 7919 + math.floor(now_ms()))
  if kind == "mix" then
    init_mix()
  end
  if rate > 0 then
    interval_ms = 1000 / rate
    next_due = now_ms()
  end
end

local function order()
  seq = seq + 1
  local m = offset + math.random(1, merchants)
  local k = math.random(0, products - 1)
  local items = {}
  for d = 0, 2 do
    items[#items + 1] = string.format(
      '{"productId":"p-%d","quantity":%d,"unitPrice":"12.34"}',
      (k + d) % products,
      1 + (seq + d) % 3
    )
  end
  return string.format(
    '{"merchantId":"bench-m-%d","externalOrderId":"%s-%d","currency":"EUR","items":[%s]}',
    m,
    prefix,
    seq,
    table.concat(items, ",")
  )
end

-- WRK_AUTHORIZATION: an Authorization header value sent with every request (e.g. "Bearer <jwt>").
local authorization = os.getenv("WRK_AUTHORIZATION")
local json_headers = { ["content-type"] = "application/json" }
local get_headers = {}
if authorization and authorization ~= "" then
  json_headers["authorization"] = authorization
  get_headers["authorization"] = authorization
end

function request()
  if kind == "get" then
    return wrk.format("GET", paths[math.random(1, #paths)], get_headers)
  end
  if kind == "mix" then
    return wrk.format("GET", mix_path(), get_headers)
  end
  if kind == "batch" then
    local orders = {}
    for i = 1, batch_size do
      orders[i] = order()
    end
    return wrk.format("POST", "/v1/orders/batch", json_headers, '{"orders":[' .. table.concat(orders, ",") .. "]}")
  end
  return wrk.format("POST", "/v1/orders", json_headers, order())
end

-- Fixed rate: the thread hands out send times one interval apart; a connection waits for its slot.
-- A slot that passed while every connection was busy is still sent (late), so the rate holds: orders
-- that arrive while a server stalls do not go away, they queue at the clients. Only slots more than 1 s
-- late are dropped (the server is then not keeping up, and the measured rate says so).
if rate > 0 then
  function delay()
    local t = now_ms()
    next_due = math.max(next_due + interval_ms, t - 1000)
    return math.max(0, math.floor(next_due - t + 0.5))
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  local seconds = summary.duration / 1e6
  local ok = summary.requests - e.status - e.connect - e.read - e.write - e.timeout
  if ok < 0 then
    ok = 0
  end
  io.write(
    string.format(
      '{"seconds":%.3f,"requests":%d,"ok":%d,"non2xx":%d,"errors":%d,"timeouts":%d,"okPerSecond":%.3f,'
        .. '"latencyMs":{"mean":%.3f,"p50":%.3f,"p90":%.3f,"p99":%.3f,"max":%.3f}}\n',
      seconds,
      summary.requests,
      ok,
      e.status,
      e.connect + e.read + e.write,
      e.timeout,
      ok / seconds,
      latency.mean / 1000,
      latency:percentile(50) / 1000,
      latency:percentile(90) / 1000,
      latency:percentile(99) / 1000,
      latency.max / 1000
    )
  )
end
