-- wrk script for `make bench`. Settings come from the environment (bench/load.py sets them):
--   BENCH_MODE   "get": GET the paths in BENCH_PATHS in turn (space-separated)
--                "vote": POST /ideas/<id>/vote, later /unvote, for the ids in BENCH_IDS, as the
--                        page's script does (X-Fragment: vote, form-encoded, CSRF token in the body)
--   BENCH_CSRF   the CSRF token of the logged-in session (vote mode)
-- The session cookie and User-Agent come from wrk's -H options.
-- done() prints one line starting with BENCH that bench/load.py parses; wrk itself
-- prints only the 50/75/90/99th percentiles, and the issue wants the 95th.

local function split(s)
  local out = {}
  for word in string.gmatch(s or "", "%S+") do out[#out + 1] = word end
  return out
end

local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("thread_no", counter)
  table.insert(threads, thread)
end

local mode, paths, ids, csrf, step

function init(args)
  mode = os.getenv("BENCH_MODE") or "get"
  paths = split(os.getenv("BENCH_PATHS"))
  csrf = os.getenv("BENCH_CSRF") or ""
  -- Each thread votes on its own items, so that no two connections race on one vote.
  local all = split(os.getenv("BENCH_IDS"))
  local nthreads = tonumber(os.getenv("BENCH_THREADS") or "2")
  ids = {}
  for i = thread_no, #all, nthreads do ids[#ids + 1] = all[i] end
  step = 0
  not_ok = 0
end

-- A redirect (an expired session sends one to /login) would look fast: count anything but 200.
function response(status, headers, body)
  if status ~= 200 then not_ok = not_ok + 1 end
end

function request()
  step = step + 1
  if mode == "vote" then
    -- vote on every id of this thread in turn, then withdraw them in the same order
    local n = #ids
    local i = (step - 1) % (2 * n)
    local id = ids[(i % n) + 1]
    local action = i < n and "vote" or "unvote"
    local body = "csrf_token=" .. csrf .. "&minutes_per_week=15"
    -- wrk.format uses the given headers instead of wrk.headers (-H), so merge them
    local headers = {}
    for name, value in pairs(wrk.headers) do headers[name] = value end
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    headers["X-Fragment"] = "vote"
    return wrk.format("POST", "/ideas/" .. id .. "/" .. action, headers, body)
  end
  return wrk.format("GET", paths[((step - 1) % #paths) + 1])
end

function done(summary, latency, requests)
  local e = summary.errors
  local non_200 = 0
  for _, thread in ipairs(threads) do non_200 = non_200 + (thread:get("not_ok") or 0) end
  io.write(string.format(
    "BENCH requests=%d duration_us=%d p50_us=%d p95_us=%d p99_us=%d max_us=%d "
      .. "non_200=%d status_errors=%d connect_errors=%d read_errors=%d write_errors=%d timeouts=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max, non_200, e.status, e.connect, e.read, e.write, e.timeout))
end
