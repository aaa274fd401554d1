-- wrk script for bench/wrk.py: POST a JSON body to a path picked at random per request
-- from BENCH_WRK_PATHS (one path a line), count every status, and write the whole latency
-- histogram to BENCH_WRK_OUT so slices can be pooled and percentiles read exactly.
-- Everything comes from the environment: done() runs in wrk's main Lua state, which never
-- sees the arguments given to init().

local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end

function init(args)
  statuses = {}
  paths = {}
  for line in io.lines(os.getenv("BENCH_WRK_PATHS")) do
    if line ~= "" then table.insert(paths, line) end
  end
  headers = {
    ["Authorization"] = "Bearer " .. os.getenv("BENCH_WRK_TOKEN"),
    ["Content-Type"] = "application/json",
  }
  body = os.getenv("BENCH_WRK_BODY")
  math.randomseed(os.time() * 100 + id)
end

function request()
  return wrk.format("POST", paths[math.random(#paths)], headers, body)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local out = assert(io.open(os.getenv("BENCH_WRK_OUT"), "w"))
  local e = summary.errors
  out:write(string.format("summary %d %d %d %d %d %d %d\n", summary.duration, summary.requests,
    e.connect, e.read, e.write, e.status, e.timeout))
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses")) do
      out:write(string.format("status %d %d\n", status, count))
    end
  end
  for i = 1, #latency do
    local value, count = latency(i)
    out:write(string.format("latency %d %d\n", value, count))
  end
  out:close()
end
