// The receipt and appointment slip ("Giấy tiếp nhận hồ sơ và hẹn trả kết quả", form 01 of
// Circular 01/2018/TT-VPCP) for a committed dossier: an A5 PDF in Vietnamese, with the dossier code
// as text, as a QR code and as a Code 128 bar code (the mailroom scans it back with the outbound
// envelope, see `intake dispatch`), the applicant, the procedure, the documents and pages received,
// the received time, the due date, how the result goes back (by post, to the sender's address) and
// the incoming item's tracking number. A value the record does not have is printed as a gap to
// fill in by hand, never guessed, and named in the warnings.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "pipeline/dossier/catalog.h"
#include "pipeline/dossier/record.h"

namespace intake {

struct ReceiptContext {
  std::string agency_name;            // config agency.name, e.g. "UBND xã Tân Phú"
  const Catalog* catalog = nullptr;   // working days and department names; may be null
  std::filesystem::path fonts_dir = "/usr/share/fonts/truetype/dejavu";
};

// Writes the slip for `record` (one with a dossier_code) to `out`, atomically.
// Returns the fields left blank (e.g. "applicant.full_name"). Throws std::runtime_error when the
// record has no dossier code, a font is missing or the file cannot be written.
std::vector<std::string> write_receipt(const DossierRecord& record, const ReceiptContext& context,
                                       const std::filesystem::path& out);

// The slips of several dossiers (each with a dossier_code) as one PDF, a slip per page (a long
// one may take two), in the order given: a batch's receipts to print at once. `blanks`, when
// given, gets each slip's fields left blank. Throws std::runtime_error as write_receipt does.
std::string receipts_pdf(const std::vector<DossierRecord>& records, const ReceiptContext& context,
                         std::vector<std::vector<std::string>>* blanks = nullptr);

// Vietnamese name of a document type, as printed on the slip ("Tờ khai, đơn đề nghị", ...).
std::string document_type_name(const std::string& type);

}  // namespace intake
