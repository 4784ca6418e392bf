-- Product pages asked for by people, for wrk (benchmarks/counting_benchmark.py).
--
-- COUNT_PATHS names a file of paths, one a line (product pages, drawn uniformly).
-- Every request sends a browser's User-Agent (wrk names itself a bot, which is not
-- counted) and an X-Forwarded-For address (the site runs with TRUSTED_PROXIES=1):
--   COUNT_VISITORS=new  (default) an address of its own for each request, in
--                       10.0.0.0/8 from COUNT_FIRST_ADDRESS on (an integer below
--                       2^24): no two requests of the run share one, so every
--                       request is a new visitor and increments a count;
--   COUNT_VISITORS=one  every request from 192.0.2.1: the window's "seen" key
--                       absorbs all but the first view of each page.
--
-- Each thread counts its responses by X-Page-Cache (hit, miss, other) and by status;
-- done() prints the totals on one line starting with "COUNT ".

local threads = {}
local counter = 0
local STRIDE = 16  -- at most 16 threads, each with its own addresses

function setup(thread)
   counter = counter + 1
   thread:set("id", counter)
   table.insert(threads, thread)
end

local paths = {}
local headers = {}
local one_visitor = false
local first_address = 0
local made = 0

function init(args)
   math.randomseed(os.time() * 1000 + (id or 0) * 7919)
   for _ = 1, 10 do math.random() end
   local data = assert(io.open((assert(os.getenv("COUNT_PATHS"), "COUNT_PATHS unset"))))
   for line in data:lines() do
      if line ~= "" then table.insert(paths, line) end
   end
   data:close()
   one_visitor = os.getenv("COUNT_VISITORS") == "one"
   first_address = tonumber(os.getenv("COUNT_FIRST_ADDRESS") or "0")
   headers = {
      ["Host"] = wrk.headers["Host"],
      ["Accept-Encoding"] = "gzip",
      ["Accept"] = "text/html,application/xhtml+xml",
      ["User-Agent"] = "Mozilla/5.0 (Linux; Android 13; SM-A145F) "
         .. "AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36",
      ["X-Forwarded-For"] = "192.0.2.1",
   }
   hits, misses, other, good, bad = 0, 0, 0, 0, 0
end

local function address(n)
   n = n % 16777216
   local a = math.floor(n / 65536)
   local b = math.floor(n / 256) % 256
   return string.format("10.%d.%d.%d", a, b, n % 256)
end

function request()
   if not one_visitor then
      headers["X-Forwarded-For"] = address(first_address + made * STRIDE + (id - 1))
   end
   made = made + 1
   return wrk.format("GET", paths[math.random(#paths)], headers)
end

function response(status, response_headers, body)
   if status >= 200 and status < 400 then good = good + 1 else bad = bad + 1 end
   local state = response_headers["X-Page-Cache"] or response_headers["x-page-cache"]
   if state == "hit" then hits = hits + 1
   elseif state == "miss" then misses = misses + 1
   else other = other + 1 end
end

function done(summary, latency, requests)
   local totals = {hits = 0, misses = 0, other = 0, good = 0, bad = 0}
   for _, thread in ipairs(threads) do
      for name, _ in pairs(totals) do
         totals[name] = totals[name] + (thread:get(name) or 0)
      end
   end
   io.write(string.format(
      "COUNT hits=%d misses=%d other=%d good=%d bad=%d\n",
      totals.hits, totals.misses, totals.other, totals.good, totals.bad
   ))
end
