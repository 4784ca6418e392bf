-- The traffic of a real day on the public pages, for wrk (benchmarks/mix_benchmark.py).
--
-- MIX_DATA names a file of "kind<TAB>value" lines written by mix_benchmark.py:
--   product  <slug>   public products, most popular first (drawn by a Zipf curve)
--   business <slug>   verified businesses, most popular first (Zipf)
--   search   <words>  search words, most frequent first (Zipf), typos included
--   category <slug>   categories (uniform), listed with a sort order and a page
--   outlet   <path>   outlet pages and the outlet list (uniform)
-- MIX_WEIGHTS says how often each kind of page is asked for, e.g.
--   "product=55,search=15,category=10,outlet=5,business=10,home=5"
-- (one kind alone, e.g. "product=1", measures that kind of page by itself).
-- MIX_ZIPF_S is the Zipf exponent (default 1).
--
-- Each thread counts its responses by X-Page-Cache (hit, miss, stale, none) and by
-- status; done() prints the totals on one line starting with "MIX ".

local threads = {}
local counter = 0

function setup(thread)
   counter = counter + 1
   thread:set("id", counter)
   table.insert(threads, thread)
end

local function escape(text)
   return (text:gsub("[^%w%-%._~]", function(c)
      if c == " " then return "+" end
      return string.format("%%%02X", string.byte(c))
   end))
end

-- The cumulative weights of a Zipf curve over n ranks.
local function zipf_cdf(n, s)
   local cdf, total = {}, 0
   for rank = 1, n do
      total = total + 1 / rank ^ s
      cdf[rank] = total
   end
   for rank = 1, n do cdf[rank] = cdf[rank] / total end
   return cdf
end

local function draw(cdf)
   local x, low, high = math.random(), 1, #cdf
   while low < high do
      local middle = math.floor((low + high) / 2)
      if cdf[middle] < x then low = middle + 1 else high = middle end
   end
   return low
end

local lists = {product = {}, business = {}, search = {}, category = {}, outlet = {}}
local cdfs = {}
local kinds = {}  -- {kind, cumulative share}
local sorts = {"terbaru", "harga", "-harga", "nama"}

function init(args)
   math.randomseed(os.time() * 1000 + (id or 0) * 7919)
   for _ = 1, 10 do math.random() end
   local data = assert(io.open((assert(os.getenv("MIX_DATA"), "MIX_DATA unset"))))
   for line in data:lines() do
      local kind, value = line:match("^(%w+)\t(.*)$")
      if kind and lists[kind] then table.insert(lists[kind], value) end
   end
   data:close()
   local s = tonumber(os.getenv("MIX_ZIPF_S") or "1")
   for _, kind in ipairs({"product", "business", "search"}) do
      cdfs[kind] = zipf_cdf(#lists[kind], s)
   end
   local weights = os.getenv("MIX_WEIGHTS")
      or "product=55,search=15,category=10,outlet=5,business=10,home=5"
   local total = 0
   for kind, share in weights:gmatch("(%w+)=([%d.]+)") do
      total = total + tonumber(share)
      table.insert(kinds, {kind, total})
   end
   for _, entry in ipairs(kinds) do entry[2] = entry[2] / total end
   hits, misses, stale, uncached, good, bad = 0, 0, 0, 0, 0, 0
end

local function path_of(kind)
   if kind == "product" then
      return "/produk/" .. lists.product[draw(cdfs.product)] .. "/"
   elseif kind == "business" then
      return "/umkm/" .. lists.business[draw(cdfs.business)] .. "/"
   elseif kind == "search" then
      local path = "/produk/?q=" .. escape(lists.search[draw(cdfs.search)])
      if math.random() < 0.15 then path = path .. "&page=2" end
      return path
   elseif kind == "category" then
      local slug = lists.category[math.random(#lists.category)]
      local page = 1
      local x = math.random()
      if x > 0.9 then page = math.random(4, 10)
      elseif x > 0.6 then page = math.random(2, 3) end
      local path = "/produk/?kategori=" .. slug
      if math.random() < 0.6 then  -- the rest keep the default order (newest)
         path = path .. "&urut=" .. sorts[math.random(#sorts)]
      end
      if page > 1 then path = path .. "&page=" .. page end
      return path
   elseif kind == "outlet" then
      return lists.outlet[math.random(#lists.outlet)]
   end
   return "/"
end

function request()
   local x, kind = math.random(), kinds[#kinds][1]
   for _, entry in ipairs(kinds) do
      if x <= entry[2] then kind = entry[1]; break end
   end
   return wrk.format("GET", path_of(kind))
end

function response(status, headers, body)
   if status >= 200 and status < 400 then good = good + 1 else bad = bad + 1 end
   local state = headers["X-Page-Cache"] or headers["x-page-cache"]
   if state == "hit" then hits = hits + 1
   elseif state == "miss" then misses = misses + 1
   elseif state == "stale" then stale = stale + 1
   else uncached = uncached + 1 end
end

function done(summary, latency, requests)
   local totals = {hits = 0, misses = 0, stale = 0, uncached = 0, good = 0, bad = 0}
   for _, thread in ipairs(threads) do
      for name, _ in pairs(totals) do
         totals[name] = totals[name] + (thread:get(name) or 0)
      end
   end
   io.write(string.format(
      "MIX hits=%d misses=%d stale=%d uncached=%d good=%d bad=%d\n",
      totals.hits, totals.misses, totals.stale, totals.uncached, totals.good, totals.bad
   ))
end
