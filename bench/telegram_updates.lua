-- wrk script: every request is a distinct Telegram webhook update (a private
-- chat text message) with the secret header, so the server under test must
-- store each one (no dedupe short-cut). update_id = BENCH_FIRST_ID +
-- thread * 100000000 + n: unique across wrk threads and, with a different
-- BENCH_FIRST_ID, across runs. Chats cycle over BENCH_CHATS people, each
-- thread half a cycle apart.
--
--   BENCH_SECRET=s BENCH_FIRST_ID=1 wrk -t2 -c64 -d10s -s bench/telegram_updates.lua \
--       http://127.0.0.1:8080/webhook/telegram
--
-- done() prints "RESULT requests=.. rps=.. p50_us=.. p99_us=.. ..." for bench/run.

local secret = os.getenv("BENCH_SECRET") or ""
local first_id = tonumber(os.getenv("BENCH_FIRST_ID") or "1")
local chats = tonumber(os.getenv("BENCH_CHATS") or "10000")

-- The same list as bench/texts.h (the C++ benches'): keep them alike.
local texts = {
  "ciao cerco lavoro come cameriere a Bari",
  "buongiorno, vorrei prenotare un appuntamento",
  "ci sono offerte per magazziniere a Lecce?",
  "ho 19 anni e cerco un tirocinio",
  "come funziona garanzia giovani?",
  "menu",
  "vorrei parlare con un operatore",
  "cerco lavoro part time nel weekend a Taranto",
}

local threads = {}

function setup(thread)
  thread:set("thread_index", #threads)
  table.insert(threads, thread)
end

function init(args)
  base = first_id + thread_index * 100000000
  n = 0
  headers = {
    ["Content-Type"] = "application/json",
    ["X-Telegram-Bot-Api-Secret-Token"] = secret,
  }
  date = os.time()
end

function request()
  local id = base + n
  n = n + 1
  -- Each thread starts half a cycle of chats after the one before: in
  -- step, the threads would send every chat's messages at the same
  -- instant, which is not how people write (a chat's updates are stored
  -- in order, so two at once for one chat wait for each other).
  local chat = 100000000 + ((n + thread_index * math.floor(chats / 2)) * 7919) % chats
  local body = string.format(
    '{"update_id":%d,"message":{"message_id":%d,"from":{"id":%d,"is_bot":false,' ..
    '"first_name":"Giulia","language_code":"it"},"chat":{"id":%d,"first_name":"Giulia",' ..
    '"type":"private"},"date":%d,"text":"%s"}}',
    id, id, chat, chat, date, texts[(id % #texts) + 1])
  return wrk.format("POST", wrk.path, headers, body)
end

function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local errors = summary.errors
  io.write(string.format(
    "RESULT requests=%d seconds=%.2f rps=%.0f p50_us=%d p99_us=%d max_us=%d " ..
    "non2xx=%d connect_errors=%d read_errors=%d write_errors=%d timeouts=%d\n",
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50), latency:percentile(99), latency.max,
    errors.status, errors.connect, errors.read, errors.write, errors.timeout))
end
