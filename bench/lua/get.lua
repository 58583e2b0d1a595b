-- GET one page; every response must be 200.
-- usage: wrk ... -s bench/lua/get.lua URL
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "common.lua")

function init(args)
  expected = 200
end
