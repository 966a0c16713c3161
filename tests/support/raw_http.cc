#include "tests/support/raw_http.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bot/core/numbers.h"

namespace sportello::support {

std::string RawExchange(int port, const std::string& head) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return "";
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string answer;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      ::send(fd, head.data(), head.size(), MSG_NOSIGNAL) ==
          static_cast<ssize_t>(head.size())) {
    timeval timeout{5, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    char buf[4096];
    ssize_t n;
    while ((n = ::recv(fd, buf, sizeof buf, 0)) > 0)
      answer.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return answer;
}

int RawStatus(const std::string& answer) {
  if (!answer.starts_with("HTTP/1.") || answer.size() < 12) return 0;
  auto code = core::ParseInt(std::string_view(answer).substr(9, 3), 100, 599);
  return code ? static_cast<int>(*code) : 0;
}

}  // namespace sportello::support
