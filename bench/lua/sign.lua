-- POST the sign form; every response must be the 302 redirect to "check your inbox".
-- usage: wrk ... -s bench/lua/sign.lua URL -- PATH COOKIE CSRF_TOKEN PREFIX REPEAT_PERCENT
--
-- Each thread makes emails PREFIX-t<thread>-<n>@bench.example, new for every request, except
-- that REPEAT_PERCENT % of requests (every k-th request, deterministic) repeat an email this
-- thread already sent, picked at random. "unique" counts the distinct emails generated.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "common.lua")

local path, headers, csrf, prefix, every

local function urlencode(s)
  return (s:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

function init(args)
  expected = 302
  path = args[1]
  csrf = urlencode(args[3])
  prefix = args[4]
  local percent = tonumber(args[5] or "10")
  every = percent > 0 and math.floor(100 / percent + 0.5) or 0
  headers = {
    ["Cookie"] = args[2],
    ["Content-Type"] = "application/x-www-form-urlencoded",
  }
  math.randomseed(id * 7919)
end

local n = 0

function request()
  n = n + 1
  local k
  if every > 0 and unique > 0 and n % every == 0 then
    repeats = repeats + 1
    k = math.random(1, unique)
  else
    unique = unique + 1
    k = unique
  end
  local email = string.format("%s-t%d-%d@bench.example", prefix, id, k)
  local body = "csrf_token=" .. csrf ..
    "&first_name=Maria&last_name=Lopez&email=" .. urlencode(email) ..
    "&zip=13202&address=&comment=&public=y"
  return wrk.format("POST", path, headers, body)
end
