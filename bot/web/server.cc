#include "bot/web/server.h"

#include <microhttpd.h>
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <deque>
#include <functional>
#include <optional>
#include <thread>
#include <vector>

#include "bot/core/log.h"
#include "bot/core/mutex.h"
#include "bot/core/numbers.h"

namespace sportello::http {
namespace {

// The kernel's accept queue for bursts of new connections.
constexpr unsigned kListenBacklog = 511;
// An idle connection is closed after this long (Telegram and Meta reopen).
constexpr unsigned kIdleTimeoutSeconds = 60;
// Event loops: one per core, at most 4 (the disk, not the loop, limits
// beyond that).
constexpr unsigned kMaxLoops = 4;
// A streamed answer buffers at most this much for a slow client; the
// writing thread then waits.
constexpr size_t kMaxStreamBuffer = 256 * 1024;

// libmicrohttpd hands the path and the query over as C strings it decoded
// in place, so "/api/conversations/10%00" would reach the handler as
// "/api/conversations/10". Decoding is strict here instead: a "%00" or a
// malformed escape ("%4", "%zz") turns the whole string into this one
// byte, which no route, id or parameter accepts, and OnRequest answers 400.
constexpr char kBadEscape = '\x7f';

bool IsHex(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }

size_t UnescapeStrictly(void*, MHD_Connection*, char* s) {
  for (const char* p = s; *p; ++p) {
    if (*p != '%') continue;
    if (!IsHex(p[1]) || !IsHex(p[2]) || (p[1] == '0' && p[2] == '0')) {
      s[0] = kBadEscape;
      s[1] = '\0';
      return 1;
    }
    p += 2;
  }
  return MHD_http_unescape(s);
}

// A path or query that came with a bad escape, or with control bytes a
// client should have escaped.
bool Malformed(const Request& r) {
  if (r.path.empty() || r.path.front() != '/') return true;
  for (char c : r.path) {
    if (static_cast<unsigned char>(c) < 0x20 || c == kBadEscape) return true;
  }
  for (const auto& [k, v] : r.query) {
    if (k.find(kBadEscape) != std::string::npos ||
        v.find(kBadEscape) != std::string::npos) {
      return true;
    }
  }
  return false;
}

// Fixed-size pool for the requests that may block.
class WorkerPool {
 public:
  explicit WorkerPool(int threads) {
    for (int i = 0; i < std::max(1, threads); ++i)
      threads_.emplace_back([this] { Loop(); });
  }
  ~WorkerPool() { Stop(); }
  void Post(std::function<void()> task) {
    {
      core::MutexLock lock(&mu_);
      tasks_.push_back(std::move(task));
    }
    cv_.Signal();
  }
  // Runs what is queued, then joins.
  void Stop() {
    {
      core::MutexLock lock(&mu_);
      stopping_ = true;
    }
    cv_.SignalAll();
    for (auto& t : threads_)
      if (t.joinable()) t.join();
  }

 private:
  void Loop() {
    for (;;) {
      std::function<void()> task;
      {
        core::MutexLock lock(&mu_);
        cv_.Wait([&]() REQUIRES(mu_) { return stopping_ || !tasks_.empty(); });
        if (tasks_.empty()) return;
        task = std::move(tasks_.front());
        tasks_.pop_front();
      }
      task();
    }
  }
  core::Mutex mu_;
  core::CondVar cv_{&mu_};
  std::deque<std::function<void()>> tasks_ GUARDED_BY(mu_);
  bool stopping_ GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;
};

// The bytes of a streamed answer between the thread writing them and the
// event loop sending them. While there is nothing to send the connection is
// suspended (libmicrohttpd's way to wait without spinning); a write resumes
// it.
struct Stream {
  core::Mutex mu;
  core::CondVar drained{&mu};
  MHD_Connection* connection = nullptr;  // set before the stream is shared
  std::string buffer GUARDED_BY(mu);
  bool finished GUARDED_BY(mu) = false;  // the writer is done
  bool closed GUARDED_BY(mu) = false;    // the client is gone: writes fail
  // Waiting for bytes; only a write or Finish resumes.
  bool suspended GUARDED_BY(mu) = false;
};

}  // namespace

struct Server::Impl {
  explicit Impl(Handler& h, int workers) : handler(h), pool(workers) {}

  Handler& handler;
  MHD_Daemon* daemon = nullptr;
  int port = 0;
  WorkerPool pool;
  std::atomic<bool> stopping{false};
  // Requests handed on and not yet answered, and streams still writing: a
  // suspended connection must be resumed before the daemon stops.
  core::Mutex mu;
  core::CondVar idle{&mu};
  int in_flight GUARDED_BY(mu) = 0;

  void Begin() {
    core::MutexLock lock(&mu);
    ++in_flight;
  }
  void End() {
    core::MutexLock lock(&mu);
    if (--in_flight == 0) idle.SignalAll();
  }
};

namespace {

// One request, from its headers to the end of its answer (libmicrohttpd's
// per-request context).
struct Exchange {
  Server::Impl* server = nullptr;
  MHD_Connection* connection = nullptr;
  Request request;
  bool handed_on = false;  // given to the handler; the answer comes via Reply

  core::Mutex mu;
  std::optional<Response> answer GUARDED_BY(mu);
  bool suspended GUARDED_BY(mu) = false;
  // Set with a streamed answer, under mu, before Deliver; OnCompleted reads
  // it without, after the last Deliver.
  std::shared_ptr<Stream> stream;
};

void LogFromLibrary(void*, const char* format, va_list args) {
  char line[512];
  std::vsnprintf(line, sizeof line, format, args);
  std::string text(line);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r'))
    text.pop_back();
  core::LogWarn("http", text);
}

MHD_Result AddHeader(void* cls, MHD_ValueKind, const char* key,
                     const char* value) {
  auto* headers = static_cast<std::map<std::string, std::string>*>(cls);
  std::string name = key ? key : "";
  for (char& c : name)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  headers->emplace(std::move(name), value ? value : "");
  return MHD_YES;
}

MHD_Result AddQuery(void* cls, MHD_ValueKind, const char* key,
                    const char* value) {
  auto* query = static_cast<std::map<std::string, std::string>*>(cls);
  query->emplace(key ? key : "", value ? value : "");
  return MHD_YES;
}

// Called with the answer, from any thread, exactly once per handed-on
// request. After the resume the exchange may be gone at any moment.
void Deliver(Exchange* ex, Response answer) {
  Server::Impl* server = ex->server;
  bool resume = false;
  {
    core::MutexLock lock(&ex->mu);
    ex->answer = std::move(answer);
    resume = ex->suspended;
    ex->suspended = false;
  }
  if (resume) MHD_resume_connection(ex->connection);
  server->End();
}

ssize_t ReadStream(void* cls, uint64_t, char* out, size_t max) {
  auto& stream = **static_cast<std::shared_ptr<Stream>*>(cls);
  core::MutexLock lock(&stream.mu);
  if (!stream.buffer.empty()) {
    const size_t n = std::min(max, stream.buffer.size());
    std::memcpy(out, stream.buffer.data(), n);
    stream.buffer.erase(0, n);
    stream.drained.SignalAll();
    return static_cast<ssize_t>(n);
  }
  if (stream.finished) return MHD_CONTENT_READER_END_OF_STREAM;
  stream.suspended = true;
  MHD_suspend_connection(stream.connection);
  return 0;
}

void FreeStream(void* cls) {
  delete static_cast<std::shared_ptr<Stream>*>(cls);
}

// Runs a streamed answer's writer on the calling (worker) thread.
void RunStream(Server::Impl& server, const std::shared_ptr<Stream>& stream,
               const std::function<void(const Response::Writer&)>& body) {
  const Response::Writer write = [&](std::string_view chunk) {
    core::MutexLock lock(&stream->mu);
    // Waits for a slow client, but notices a stop or a hang-up.
    while (!stream->closed && !server.stopping.load() &&
           stream->buffer.size() >= kMaxStreamBuffer) {
      stream->drained.WaitFor(std::chrono::milliseconds(100));
    }
    if (stream->closed || server.stopping.load()) return false;
    if (chunk.empty()) return true;
    stream->buffer.append(chunk);
    if (stream->suspended) {
      stream->suspended = false;
      MHD_resume_connection(stream->connection);
    }
    return true;
  };
  body(write);
  core::MutexLock lock(&stream->mu);
  stream->finished = true;
  if (stream->suspended) {
    stream->suspended = false;
    MHD_resume_connection(stream->connection);
  }
}

// A handler that throws gets a 500 answer; the server goes on.
Response InternalError(const Request& r, const char* what) {
  core::LogError("http", r.method + " " + r.path + " threw: " + what);
  Response out;
  out.status = 500;
  out.body = R"({"error":"internal error"})";
  return out;
}

// Runs on a worker: the request may wait.
void HandleOnWorker(Exchange* ex) {
  Server::Impl& server = *ex->server;
  Response out;
  try {
    out = server.handler.Handle(ex->request);
  } catch (const std::exception& e) {
    out = InternalError(ex->request, e.what());
  }
  if (!out.stream) {
    Deliver(ex, std::move(out));
    return;
  }
  auto body = std::move(out.stream);
  out.stream = nullptr;
  auto stream = std::make_shared<Stream>();
  stream->connection = ex->connection;
  {
    core::MutexLock lock(&ex->mu);
    ex->stream = stream;
  }
  server.Begin();  // the stream, until it ends
  Deliver(ex, std::move(out));
  RunStream(server, stream, body);
  server.End();
}

MHD_Result Queue(MHD_Connection* connection, Exchange& ex) REQUIRES(ex.mu) {
  Response& answer = *ex.answer;
  MHD_Response* response;
  if (ex.stream) {
    auto* holder = new std::shared_ptr<Stream>(ex.stream);
    response = MHD_create_response_from_callback(
        MHD_SIZE_UNKNOWN, 16 * 1024, &ReadStream, holder, &FreeStream);
    if (!response) delete holder;
  } else {
    // The body lives in the exchange, which outlives the sending.
    response = MHD_create_response_from_buffer(
        answer.body.size(), answer.body.data(), MHD_RESPMEM_PERSISTENT);
  }
  if (!response) return MHD_NO;
  MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE,
                          answer.content_type.c_str());
  for (const auto& [name, value] : answer.headers)
    MHD_add_response_header(response, name.c_str(), value.c_str());
  const MHD_Result queued = MHD_queue_response(
      connection, static_cast<unsigned>(answer.status), response);
  MHD_destroy_response(response);
  return queued;
}

MHD_Result QueueError(MHD_Connection* connection, Exchange& ex, int status,
                      std::string_view message) {
  Response r;
  r.status = status;
  r.body = R"({"error":")" + std::string(message) + R"("})";
  core::MutexLock lock(&ex.mu);  // see Refused()
  ex.answer = std::move(r);
  return Queue(connection, ex);
}

// Before the hand-on an answer can only be a refusal (QueueError). Only the
// event loop knows the exchange then: the lock is uncontended, taken because
// `answer` is guarded.
bool Refused(Exchange& ex) {
  core::MutexLock lock(&ex.mu);
  return ex.answer.has_value();
}

MHD_Result OnRequest(void* cls, MHD_Connection* connection, const char* url,
                     const char* method, const char*, const char* upload,
                     size_t* upload_size, void** context) {
  auto* server = static_cast<Server::Impl*>(cls);
  auto* ex = static_cast<Exchange*>(*context);
  if (!ex) {  // the headers are in
    ex = new Exchange();
    *context = ex;
    ex->server = server;
    ex->connection = connection;
    ex->request.method = method;
    ex->request.path = url;
    MHD_get_connection_values(connection, MHD_HEADER_KIND, &AddHeader,
                              &ex->request.headers);
    // libmicrohttpd has already answered 400 to a Content-Length that is not
    // a decimal uint64, so what ParseInt refuses here is above the limit.
    auto length = ex->request.headers.find("content-length");
    if (length != ex->request.headers.end() &&
        !core::ParseInt(length->second, 0, kMaxRequestBody)) {
      return QueueError(connection, *ex, 413, "body too large");
    }
    return MHD_YES;
  }
  if (*upload_size > 0) {
    if (Refused(*ex)) {  // skip the rest
      *upload_size = 0;
      return MHD_YES;
    }
    if (ex->request.body.size() + *upload_size > kMaxRequestBody) {
      *upload_size = 0;
      return QueueError(connection, *ex, 413, "body too large");
    }
    ex->request.body.append(upload, *upload_size);
    *upload_size = 0;
    return MHD_YES;
  }
  if (!ex->handed_on) {                // the whole request is in
    if (Refused(*ex)) return MHD_YES;  // answer queued
    MHD_get_connection_values(connection, MHD_GET_ARGUMENT_KIND, &AddQuery,
                              &ex->request.query);
    if (Malformed(ex->request))
      return QueueError(connection, *ex, 400, "malformed path or query");
    ex->handed_on = true;
    server->Begin();
    Reply reply = [ex](Response out) { Deliver(ex, std::move(out)); };
    bool taken = false;
    try {
      taken = server->handler.TryHandleAsync(ex->request, reply);
    } catch (const std::exception& e) {
      // Answered here unless the handler kept the reply (it answers then).
      if (reply) Deliver(ex, InternalError(ex->request, e.what()));
      taken = true;
    }
    if (!taken) server->pool.Post([ex] { HandleOnWorker(ex); });
  }
  // Answered already (a refused webhook, or a quick commit), or suspend
  // until Deliver resumes us; the lock orders the two.
  core::MutexLock lock(&ex->mu);
  if (!ex->answer) {
    ex->suspended = true;
    MHD_suspend_connection(connection);
    return MHD_YES;
  }
  return Queue(connection, *ex);
}

void OnCompleted(void*, MHD_Connection*, void** context,
                 MHD_RequestTerminationCode) {
  auto* ex = static_cast<Exchange*>(*context);
  if (!ex) return;
  if (ex->stream) {
    core::MutexLock lock(&ex->stream->mu);
    ex->stream->closed = true;
    ex->stream->drained.SignalAll();
  }
  delete ex;
  *context = nullptr;
}

}  // namespace

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

core::Result<std::unique_ptr<Server>> Server::Start(const std::string& host,
                                                    int port, int workers,
                                                    Handler& handler) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* found = nullptr;
  const std::string service = std::to_string(port);
  if (getaddrinfo(host.empty() ? nullptr : host.c_str(), service.c_str(),
                  &hints, &found) != 0 ||
      !found) {
    return core::Status::InvalidArgument("http: cannot resolve " + host);
  }
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> address(found,
                                                             &freeaddrinfo);

  auto impl = std::make_unique<Impl>(handler, workers);
  unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME |
                   MHD_USE_ERROR_LOG | MHD_USE_TURBO;
  if (found->ai_family == AF_INET6) flags |= MHD_USE_IPv6;
  const unsigned loops =
      std::clamp(std::thread::hardware_concurrency(), 1u, kMaxLoops);
  // Without LISTENING_ADDRESS_REUSE the library sets SO_REUSEADDR only
  // (a restart while old connections linger), never SO_REUSEPORT.
  impl->daemon = MHD_start_daemon(
      flags, static_cast<uint16_t>(port), nullptr, nullptr, &OnRequest,
      impl.get(), MHD_OPTION_EXTERNAL_LOGGER, &LogFromLibrary, nullptr,
      MHD_OPTION_SOCK_ADDR, found->ai_addr, MHD_OPTION_THREAD_POOL_SIZE, loops,
      MHD_OPTION_NOTIFY_COMPLETED, &OnCompleted, nullptr,
      MHD_OPTION_CONNECTION_TIMEOUT, kIdleTimeoutSeconds,
      MHD_OPTION_LISTEN_BACKLOG_SIZE, kListenBacklog,
      MHD_OPTION_UNESCAPE_CALLBACK, &UnescapeStrictly, nullptr, MHD_OPTION_END);
  if (!impl->daemon) {
    impl->pool.Stop();
    return core::Status::Unavailable("http: cannot listen on " + host + ":" +
                                     std::to_string(port) +
                                     " (in use, or not allowed)");
  }
  const MHD_DaemonInfo* info =
      MHD_get_daemon_info(impl->daemon, MHD_DAEMON_INFO_BIND_PORT);
  impl->port = info ? info->port : port;
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

Server::~Server() { Stop(); }

int Server::port() const { return impl_ ? impl_->port : 0; }

void Server::Stop() {
  if (!impl_ || !impl_->daemon) return;
  Impl& s = *impl_;
  s.stopping = true;
  const MHD_socket listener = MHD_quiesce_daemon(s.daemon);
  if (listener != MHD_INVALID_SOCKET) ::close(listener);
  {
    // Every suspended connection must be resumed before the daemon stops:
    // webhooks wait for their commit, streams end at their next write.
    core::MutexLock lock(&s.mu);
    while (!s.idle.WaitFor(std::chrono::seconds(5),
                           [&]() REQUIRES(s.mu) { return s.in_flight == 0; })) {
      core::LogWarn("http", "stopping: waiting for " +
                                std::to_string(s.in_flight) +
                                " requests in progress");
    }
  }
  MHD_stop_daemon(s.daemon);
  s.daemon = nullptr;
  s.pool.Stop();
}

}  // namespace sportello::http
