-- Shared by the wrk scripts: numbers each thread, and prints machine-readable figures when wrk is done.
-- run.sh reads the "wrkstat" lines; wrk's own summary above them is kept in the log for people.
threads = {}

function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

local function counter(name)
  local total = 0
  for _, thread in ipairs(threads) do total = total + (tonumber(thread:get(name)) or 0) end
  return total
end

function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format("wrkstat requests %d\n", summary.requests))
  io.write(string.format("wrkstat seconds %.3f\n", seconds))
  io.write(string.format("wrkstat rps %.2f\n", summary.requests / seconds))
  io.write(string.format("wrkstat mbps %.3f\n", summary.bytes / seconds / 1e6))
  io.write(string.format("wrkstat p50_ms %.3f\n", latency:percentile(50) / 1000))
  io.write(string.format("wrkstat p99_ms %.3f\n", latency:percentile(99) / 1000))
  io.write(string.format("wrkstat socket_errors %d\n", e.connect + e.read + e.write + e.timeout))
  io.write(string.format("wrkstat timeouts %d\n", e.timeout))
  io.write(string.format("wrkstat status_errors %d\n", e.status))
  -- Per-status counts exist only for scripts that define response() (it costs wrk its fast path).
  if response ~= nil then
    io.write(string.format("wrkstat status_200 %d\n", counter("ok")))
    io.write(string.format("wrkstat rps_200 %.2f\n", counter("ok") / seconds))
    io.write(string.format("wrkstat status_503 %d\n", counter("busy")))
    io.write(string.format("wrkstat status_other %d\n", counter("other")))
  end
end
