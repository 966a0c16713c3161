// One HTTP exchange over a plain socket, for requests a client library would
// rewrite or refuse to send (a "%00" in the path, broken escapes).
#pragma once

#include <string>

namespace sportello::support {

// Sends `head` (request line and headers, "\r\n\r\n" included) to
// 127.0.0.1:port and returns everything the server answers until it closes
// (send "Connection: close"), or "" when nothing could be sent.
std::string RawExchange(int port, const std::string& head);

// The status code of a raw answer ("HTTP/1.1 404 ..." -> 404); 0 for none.
int RawStatus(const std::string& answer);

}  // namespace sportello::support
