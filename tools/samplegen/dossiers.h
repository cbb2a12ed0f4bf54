// Dossier content for the scan corpus: for one procedure of models/procedures.yaml, a made-up
// applicant (and family), the envelope it came in, the application form (1-3 pages, several
// layouts), ID card copies and supporting documents, laid out at a given scale — together with
// the ground truth that follows from them (tracking number, sender, applicant, procedure,
// review reasons).
#pragma once

#include "corpus_pages.h"
#include "people.h"
#include "rng.h"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace samplegen::corpus {

struct ProcedureInfo {
    std::string id, code /* "" = null */, name, department;
    bool needsIdCard;
};
// The catalog of models/procedures.yaml (version 1), in its order.
const std::vector<ProcedureInfo>& procedures();

struct DocPages {
    std::string type; // application_form, id_card, supporting_document
    std::string kind; // what it is, for the manifest: "form", "giay_chung_sinh", "cccd_2021", ...
    std::vector<Canvas> pages;
};

struct Dossier {
    int procedure = 0; // index into procedures()
    std::optional<Canvas> envelope;
    std::string envelopeSize;     // DL, C5, C4; "" without envelope
    std::string envelopeLayout;   // label_under_stamp, label_bottom_left, boxed
    bool postmarkOverText = false;
    std::optional<std::string> tracking;
    bool trackingValid = false;
    nlohmann::ordered_json sender;    // {name, address, phone}
    nlohmann::ordered_json applicant; // {full_name, id_number, date_of_birth, sex, address, source}
    std::vector<DocPages> docs;       // scan order, after the envelope
    std::vector<std::string> reasons; // review reasons that are really due
    std::vector<std::string> notes;   // what was made wrong or missing on purpose, for the manifest
};

struct DossierOptions {
    double scale = 1.5;      // layout scale (dpi / 200)
    Date today;              // the day the batch is scanned
    int overTextPercent = 30; // envelopes whose postmark waves run over the sender block
};

Dossier makeDossier(int procedure, bool withEnvelope, const DossierOptions& o, Rng& rng);

} // namespace samplegen::corpus
