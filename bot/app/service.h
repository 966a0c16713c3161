// The whole service wired together: storage, intake, processing, sending,
// HTTP. main() and the end-to-end tests build it the same way.
#pragma once

#include <memory>

#include "bot/app/config.h"
#include "bot/core/clock.h"
#include "bot/core/metrics.h"
#include "bot/core/status.h"
#include "bot/domain/catalog.h"
#include "bot/inbound/ingest.h"
#include "bot/inbound/processor.h"
#include "storage/store.h"

namespace sportello {

struct ServiceOptions {
  bool http = true;      // listen on config.listen
  bool channels = true;  // send to Telegram/WhatsApp, poll, setWebhook
};

class Service {
 public:
  // Opens the database (migrating it), loads catalogues and the intent
  // engine, and starts every part. Fails fast with a clear message.
  static core::Result<std::unique_ptr<Service>> Start(
      const Config& config, const core::Clock& clock,
      ServiceOptions options = {});
  ~Service();  // Stop()
  // Stops taking requests, finishes work in hand, closes the database.
  void Stop();

  int http_port() const;
  storage::Store& store();
  Ingest& ingest();
  Processor& processor();
  Metrics& metrics();

 private:
  struct Parts;
  explicit Service(std::unique_ptr<Parts> parts);
  std::unique_ptr<Parts> parts_;
};

}  // namespace sportello
