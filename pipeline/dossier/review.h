// ReviewDesk: the verification queue of intake serve. Dossiers whose record needs review, in
// the order they must be done (due date, then received time), each leased to one operator at a
// time (a lease that runs out returns the dossier to the queue; two operators never hold the
// same one), corrected by saving a new version of its record (a save from a version that is no
// longer the stored one is refused: someone else changed it), then confirmed (its review reasons
// resolved) or rejected to the exceptions with a reason. The pipeline's record as it was before
// the first correction is kept beside the corrected one. Every save, confirmation, rejection and
// opening is in the audit trail, field by field with the old and the new value.
//
// A ReviewDesk works on one Store, so it is used from that store's thread.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "pipeline/dossier/store.h"
#include "pipeline/error.h"

namespace intake {

struct ReviewFilter {
  std::string reason;     // a reason code ("applicant_missing"); empty: any
  std::string batch;      // a batch id; empty: any
  std::string procedure;  // a procedure id; empty: any
};

struct QueueItem {
  std::string code, batch_id, received_at;
  std::optional<std::string> due_date, procedure, tracking_number, applicant;
  std::vector<ReviewReason> reasons;
  std::optional<std::string> lease_user;  // held by someone now
  int version = 1;
};

// A dossier as the review screen shows it.
struct ReviewedDossier {
  std::string code, batch_id, state, review_state;  // review_state: none | pending | confirmed | rejected
  std::optional<std::string> review_note;           // the rejection's reason
  int version = 1;
  DossierRecord record;
  std::optional<DossierRecord> original;  // the pipeline's, once corrected
  nlohmann::json explanation;             // intake.explanation/1, or null
  std::optional<std::string> lease_user;
  std::chrono::system_clock::time_point lease_until;
};

class ReviewDesk {
 public:
  explicit ReviewDesk(Store& store, std::chrono::seconds lease = std::chrono::minutes(15));

  std::vector<QueueItem> queue(const ReviewFilter& filter = {}, int limit = 500);
  // Leases to `user` the first dossier of the queue that no one else holds (one they hold
  // already comes first); nothing when the queue is empty.
  std::optional<std::string> next(const std::string& user, const ReviewFilter& filter = {});
  std::optional<ReviewedDossier> open(const std::string& code);
  // Takes or renews the lease; refused while someone else holds it.
  Result<ReviewedDossier> lease(const std::string& code, const std::string& user);
  void release(const std::string& code, const std::string& user);

  // Stores `corrected` as the dossier's next version. Refused without the lease, from a stale
  // `version`, or when the dossier code or batch would change. Returns the new version.
  Result<int> save(const std::string& code, const std::string& user, int version, const DossierRecord& corrected,
                   const std::string& address);
  // Resolves the review: its reasons cleared (the record no longer needs review) and the lease
  // released; confirmed by `user`.
  Result<int> confirm(const std::string& code, const std::string& user, int version, const std::string& address);
  // Sends it to the exceptions with `reason` (one of the configured list, checked by the caller).
  Result<int> reject(const std::string& code, const std::string& user, int version, const std::string& reason,
                     const std::string& address);

 private:
  Result<ReviewedDossier> held(const std::string& code, const std::string& user, int version);
  void write(const ReviewedDossier& before, const DossierRecord& after, const std::string& review_state,
             const std::optional<std::string>& note, const std::string& user, const std::string& action,
             const std::string& address, bool keep_lease);
  std::int64_t now_s() const;

  Store& store_;
  const std::chrono::seconds lease_;
};

// The fields of a record that differ, as {"sender.name", old, new} (pages and documents compared
// whole), for the audit trail.
struct FieldChange {
  std::string field;
  nlohmann::json old_value, new_value;
};
std::vector<FieldChange> changed_fields(const DossierRecord& before, const DossierRecord& after);

}  // namespace intake
