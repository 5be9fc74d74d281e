// gRPC's log lines, handed to a function of the provider's.
//
// The gRPC of the static release build logs through abseil and has no
// gpr_set_log_function. This sink, compiled into its library by
// scripts/release/static.sh, takes that place: the provider registers its
// function once, before grpc_init, and abseil's own copy to stderr stops, so
// every line arrives as one of the provider's JSON log lines with a level.
#include <string>

#include "absl/base/log_severity.h"
#include "absl/log/globals.h"
#include "absl/log/initialize.h"
#include "absl/log/log_entry.h"
#include "absl/log/log_sink.h"
#include "absl/log/log_sink_registry.h"

extern "C" {
// severity: 0 info, 1 warning, 2 error, 3 fatal (absl::LogSeverity).
typedef void (*wagtail_grpc_log_function)(int severity, const char* file,
                                          int line, const char* message);
void wagtail_grpc_log_to(wagtail_grpc_log_function function);
}

namespace {

class ProviderSink final : public absl::LogSink {
 public:
  explicit ProviderSink(wagtail_grpc_log_function function)
      : function_(function) {}

  void Send(const absl::LogEntry& entry) override {
    std::string file(entry.source_basename());
    std::string message(entry.text_message());
    function_(static_cast<int>(entry.log_severity()), file.c_str(),
              entry.source_line(), message.c_str());
  }

 private:
  wagtail_grpc_log_function function_;
};

}  // namespace

void wagtail_grpc_log_to(wagtail_grpc_log_function function) {
  // Never freed: abseil may log from any thread until the process ends.
  absl::AddLogSink(new ProviderSink(function));
  absl::SetStderrThreshold(absl::LogSeverityAtLeast::kInfinity);
  absl::InitializeLog();
}
