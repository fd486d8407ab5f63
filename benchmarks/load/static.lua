-- One URL again and again (the warm derivative or the original), with the shared report.
dofile(os.getenv("LOAD_DIR") .. "/report.lua")
