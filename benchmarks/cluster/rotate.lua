-- Cycles through a list of request paths (one a line in the file named by $PATHS_FILE), each thread from its own
-- offset, so the connections spread over every derivative instead of all asking for the same one. Used alike
-- for the cluster behind nginx and for nginx's static floor, so both pay the same Lua cost per request.
dofile(os.getenv("LOAD_DIR") .. "/report.lua")

local paths = {}
for line in io.lines(os.getenv("PATHS_FILE")) do
  if #line > 0 then paths[#paths + 1] = line end
end

local requests = {}
local next_index = 1

function init(args)
  for i, path in ipairs(paths) do requests[i] = wrk.format("GET", path) end
  -- tid comes from report.lua's setup(); spread the threads' starting points over the list.
  next_index = (tid * 7) % #requests + 1
end

function request()
  local r = requests[next_index]
  next_index = next_index % #requests + 1
  return r
end
