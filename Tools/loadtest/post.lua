-- wrk script: POST one KServe v2 inference body over and over.
-- The body and its JSON header length come from the environment (loadtest.py sets them):
--   LOADTEST_BODY         path of the request body file
--   LOADTEST_HEADER_BYTES JSON header length for a binary body (unset for a JSON body)
local file = assert(io.open(os.getenv("LOADTEST_BODY"), "rb"))
wrk.method = "POST"
wrk.body = file:read("*a")
file:close()
local header_bytes = os.getenv("LOADTEST_HEADER_BYTES")
if header_bytes and header_bytes ~= "" then
  wrk.headers["Content-Type"] = "application/octet-stream"
  wrk.headers["Inference-Header-Content-Length"] = header_bytes
else
  wrk.headers["Content-Type"] = "application/json"
end

-- Count non-200 answers by status, so a run full of 429s is not mistaken for throughput.
local statuses = {}
function response(status, headers, body)
  if status ~= 200 then statuses[status] = (statuses[status] or 0) + 1 end
end

function done(summary, latency, requests)
  for status, count in pairs(statuses) do
    io.write(string.format("status %d: %d\n", status, count))
  end
end
