-- wrk script for `make bench`: replays the requests of a file prepared by bench/http.py.
--
-- BENCH_REQUESTS names the file: one request a line, "METHOD<TAB>PATH<TAB>BODY<TAB>Header: value<TAB>...".
-- Each thread takes every Nth line (N = the number of threads), so no two connections ever send
-- the same single-use request (a code to check, a signed nonce); a thread that runs out starts
-- over, and says so in the summary (the run was too short a pool for its rate).
-- With BENCH_REUSABLE=1 every thread sends every line, again and again.
-- BENCH_HEADERS adds headers to every request ("Name: value<TAB>...").
-- BENCH_DELAY_MS paces the load: each connection waits a random time of that mean (exponential,
-- so the requests of all connections arrive as a Poisson stream, not in step) before each request.

local threads = {}
local counter = 0

function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

local function split(line)
  local fields = {}
  for field in (line .. "\t"):gmatch("([^\t]*)\t") do
    table.insert(fields, field)
  end
  return fields
end

local function add_headers(headers, fields, from)
  for i = from, #fields do
    local name, value = fields[i]:match("^([^:]+):%s*(.*)$")
    if name then headers[name] = value end
  end
end

local mean_delay = tonumber(os.getenv("BENCH_DELAY_MS") or "0")
if mean_delay > 0 then
  function delay()
    return math.floor(-mean_delay * math.log(1 - math.random()))
  end
end

function init(args)
  math.randomseed(os.time() * 1000 + tid)
  local common = {}
  add_headers(common, split(os.getenv("BENCH_HEADERS") or ""), 1)
  local nthreads = tonumber(os.getenv("BENCH_THREADS") or "1")
  -- Requests that may be sent again (a GET): every thread takes them all.
  reusable = os.getenv("BENCH_REUSABLE") == "1"
  if reusable then nthreads = 1 end
  requests_ = {}
  local index = 0
  for line in io.lines(os.getenv("BENCH_REQUESTS")) do
    if index % nthreads == tid % nthreads then
      local fields = split(line)
      local headers = {}
      for name, value in pairs(common) do headers[name] = value end
      add_headers(headers, fields, 4)
      local body = fields[3] ~= "" and fields[3] or nil
      table.insert(requests_, wrk.format(fields[1], fields[2], headers, body))
    end
    index = index + 1
  end
  position = 0
  wrapped = 0
end

function request()
  position = position + 1
  if position > #requests_ then
    position = 1
    if not reusable then wrapped = wrapped + 1 end
  end
  return requests_[position]
end

function done(summary, latency, requests)
  local wraps = 0
  for _, thread in ipairs(threads) do
    wraps = wraps + (thread:get("wrapped") or 0)
  end
  local errors = summary.errors
  io.write(string.format(
    'BENCH {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "non_2xx": %d, ' ..
    '"socket_errors": %d, "timeouts": %d, "wrapped": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), errors.status,
    errors.connect + errors.read + errors.write, errors.timeout, wraps
  ))
end
