-- Shared by get.lua and sign.lua: counts responses by status in every wrk thread and,
-- at the end, prints one line "BENCH_JSON {...}" that bench/run.py parses.
--
-- wrk itself only counts status >= 400 as an error; here anything other than the one
-- expected status (200 for a page, 302 for a sign redirect) is counted as "bad".

local threads = {}
local next_id = 1

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

expected = 200
ok = 0
bad = 0
statuses = {}
unique = 0
repeats = 0

function response(status, headers, body)
  if status == expected then
    ok = ok + 1
  else
    bad = bad + 1
    local key = tostring(status)
    statuses[key] = (statuses[key] or 0) + 1
  end
end

function done(summary, latency, requests)
  local t = {ok = 0, bad = 0, unique = 0, repeats = 0}
  local by_status = {}
  for _, thread in ipairs(threads) do
    t.ok = t.ok + (thread:get("ok") or 0)
    t.bad = t.bad + (thread:get("bad") or 0)
    t.unique = t.unique + (thread:get("unique") or 0)
    t.repeats = t.repeats + (thread:get("repeats") or 0)
    local s = thread:get("statuses") or {}
    for k, v in pairs(s) do
      by_status[k] = (by_status[k] or 0) + v
    end
  end
  local parts = {}
  for k, v in pairs(by_status) do
    table.insert(parts, string.format('"%s": %d', k, v))
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "bytes": %d, ' ..
    '"ok": %d, "bad": %d, "bad_statuses": {%s}, ' ..
    '"socket_errors": {"connect": %d, "read": %d, "write": %d, "timeout": %d, "status": %d}, ' ..
    '"latency_us": {"mean": %.1f, "p50": %d, "p90": %d, "p99": %d, "max": %d}, ' ..
    '"unique_emails": %d, "repeat_requests": %d}\n',
    summary.requests, summary.duration, summary.bytes,
    t.ok, t.bad, table.concat(parts, ", "),
    e.connect, e.read, e.write, e.timeout, e.status,
    latency.mean, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max,
    t.unique, t.repeats))
end
