// signet's log: one line per event on stderr. Only server/ logs; the libraries return errors.
#pragma once

#include <string>

#include "policy/engine.hpp"

namespace signet::server {

enum class Level { Debug, Info, Warning, Error };

void set_log_level(Level minimum);
void log(Level level, const std::string& message);

struct AdmissionReview;
// One line per answered review: uid, kind, namespace/name, operation, decision, failures, duration.
void log_admission(const AdmissionReview& review, const policy::Decision& decision, const char* mode, double seconds);

}  // namespace signet::server
