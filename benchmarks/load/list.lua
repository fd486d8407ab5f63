-- GET /files?limit=25 with the admin token: /files always needs one.
dofile(os.getenv("LOAD_DIR") .. "/report.lua")
wrk.method = "GET"
wrk.path = "/files?limit=25"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN")
