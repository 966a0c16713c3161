#include "bot/web/server.h"

#include <microhttpd.h>
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <condition_variable>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "bot/core/log.h"
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
      std::lock_guard<std::mutex> lock(mu_);
      tasks_.push_back(std::move(task));
    }
    cv_.notify_one();
  }
  // Runs what is queued, then joins.
  void Stop() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    for (auto& t : threads_)
      if (t.joinable()) t.join();
  }

 private:
  void Loop() {
    for (;;) {
      std::function<void()> task;
      {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, [&] { return stopping_ || !tasks_.empty(); });
        if (tasks_.empty()) return;
        task = std::move(tasks_.front());
        tasks_.pop_front();
      }
      task();
    }
  }
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> tasks_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

// The bytes of a streamed answer between the thread writing them and the
// event loop sending them. While there is nothing to send the connection is
// suspended (libmicrohttpd's way to wait without spinning); a write resumes
// it.
struct Stream {
  std::mutex mu;
  std::condition_variable drained;
  MHD_Connection* connection = nullptr;
  std::string buffer;
  bool finished = false;   // the writer is done
  bool closed = false;     // the client is gone: writes fail
  bool suspended = false;  // waiting for bytes; only a write or Finish resumes
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
  std::mutex mu;
  std::condition_variable idle;
  int in_flight = 0;

  void Begin() {
    std::lock_guard<std::mutex> lock(mu);
    ++in_flight;
  }
  void End() {
    std::lock_guard<std::mutex> lock(mu);
    if (--in_flight == 0) idle.notify_all();
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

  std::mutex mu;  // guards answer, suspended
  std::optional<Response> answer;
  bool suspended = false;
  std::shared_ptr<Stream> stream;  // set with a streamed answer
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
    std::lock_guard<std::mutex> lock(ex->mu);
    ex->answer = std::move(answer);
    resume = ex->suspended;
    ex->suspended = false;
  }
  if (resume) MHD_resume_connection(ex->connection);
  server->End();
}

ssize_t ReadStream(void* cls, uint64_t, char* out, size_t max) {
  auto& stream = **static_cast<std::shared_ptr<Stream>*>(cls);
  std::lock_guard<std::mutex> lock(stream.mu);
  if (!stream.buffer.empty()) {
    const size_t n = std::min(max, stream.buffer.size());
    std::memcpy(out, stream.buffer.data(), n);
    stream.buffer.erase(0, n);
    stream.drained.notify_all();
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
    std::unique_lock<std::mutex> lock(stream->mu);
    // Waits for a slow client, but notices a stop or a hang-up.
    while (!stream->closed && !server.stopping.load() &&
           stream->buffer.size() >= kMaxStreamBuffer) {
      stream->drained.wait_for(lock, std::chrono::milliseconds(100));
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
  std::lock_guard<std::mutex> lock(stream->mu);
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
    std::lock_guard<std::mutex> lock(ex->mu);
    ex->stream = stream;
  }
  server.Begin();  // the stream, until it ends
  Deliver(ex, std::move(out));
  RunStream(server, stream, body);
  server.End();
}

MHD_Result Queue(MHD_Connection* connection, Exchange& ex) {
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
  ex.answer = std::move(r);
  return Queue(connection, ex);
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
    if (ex->answer) {  // refused already: skip the rest
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
  if (!ex->handed_on) {              // the whole request is in
    if (ex->answer) return MHD_YES;  // refused, answer queued
    ex->handed_on = true;
    MHD_get_connection_values(connection, MHD_GET_ARGUMENT_KIND, &AddQuery,
                              &ex->request.query);
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
  std::lock_guard<std::mutex> lock(ex->mu);
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
    std::lock_guard<std::mutex> lock(ex->stream->mu);
    ex->stream->closed = true;
    ex->stream->drained.notify_all();
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
      MHD_OPTION_LISTEN_BACKLOG_SIZE, kListenBacklog, MHD_OPTION_END);
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
    std::unique_lock<std::mutex> lock(s.mu);
    while (!s.idle.wait_for(lock, std::chrono::seconds(5),
                            [&] { return s.in_flight == 0; })) {
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
