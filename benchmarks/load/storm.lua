-- A storm of cold transforms: every request asks for a derivative no earlier request asked for.
-- Request k (numbered across threads) takes id k mod N, and a width and quality from k div N, which gives
-- 40 ids x 2000 widths x 40 qualities = 3.2 million distinct keys before one repeats.
dofile(os.getenv("LOAD_DIR") .. "/report.lua")

local ids = {}
for line in io.lines(os.getenv("STORM_IDS")) do
  if #line > 0 then ids[#ids + 1] = line end
end
local stride = tonumber(os.getenv("WRK_THREADS"))
local sent = 0

function init(args)
  ok, busy, other = 0, 0, 0
end

function request()
  local k = sent * stride + tid
  sent = sent + 1
  local id = ids[(k % #ids) + 1]
  local j = math.floor(k / #ids)
  local width = 64 + (j % 2000)
  local quality = 50 + (math.floor(j / 2000) % 40)
  return wrk.format("GET", "/assets/" .. id .. "?width=" .. width .. "&fit=inside&format=webp&quality=" .. quality)
end

function response(status, headers, body)
  if status == 200 then
    ok = ok + 1
  elseif status == 503 then
    busy = busy + 1
  else
    other = other + 1
  end
end
