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
#include <functional>
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
  // Puts a confirmed, rejected or never-flagged dossier back in review, held by `user` (its
  // grouping or a value was found wrong later). A merged one cannot come back.
  Result<int> reopen(const std::string& code, const std::string& user, const std::string& address);
  // An operator's regrouping of some dossiers of one batch (a split, a merge): `before` the
  // dossiers as the operator saw them (code, version), `after` their pages in new groups, each
  // as a record rebuilt from its pages. Refused when one of them changed since or someone else
  // holds it, or when the pages of `after` are not exactly those of `before` (no page lost or
  // doubled, and every page of the batch in one dossier at most). A group that starts where a
  // dossier of `before` did keeps that dossier (its code, a new version); one that starts
  // elsewhere is a new dossier with the next code of `agency`; a dossier left without pages is
  // marked merged (its code is not reused). All of them go back to review, held by `user`.
  // Returns the codes of `after`, in order.
  struct Seen {
    std::string code;
    int version = 0;
  };
  Result<std::vector<std::string>> regroup(const std::string& user, const std::vector<Seen>& before,
                                           std::vector<DossierRecord> after, const std::string& agency,
                                           const std::string& action, const std::string& address);
  // Sends it to the exceptions with `reason` (one of the configured list, checked by the caller).
  Result<int> reject(const std::string& code, const std::string& user, int version, const std::string& reason,
                     const std::string& address);

 private:
  Result<ReviewedDossier> held(const std::string& code, const std::string& user, int version);
  // In one transaction: the dossier as `user` holds it at `version`, then `change` (which may
  // refuse, and counts the versions it writes).
  Result<int> change_held(const std::string& code, const std::string& user, int version,
                          const std::function<std::optional<Error>(const ReviewedDossier&, int&)>& change);
  void write(const ReviewedDossier& before, const DossierRecord& after, const std::string& review_state,
             const std::optional<std::string>& note, const std::string& user, const std::string& action,
             const std::string& address, bool keep_lease);
  // The dossier held by `user` for the lease's length from now.
  void hold(const std::string& code, const std::string& user);
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
