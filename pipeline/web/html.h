// HTML for intake serve: escaping (every value from a scan or a payload goes through it: a QR
// payload of "<script>" shows as text) and the page frame with the Vietnamese navigation. No
// inline script or style anywhere: the Content-Security-Policy forbids them.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "pipeline/dossier/accounts.h"
#include "pipeline/dossier/record.h"

namespace intake::web {

std::string escape(std::string_view s);
inline std::string escape(const std::string& s) { return escape(std::string_view(s)); }
std::string escape(const std::optional<std::string>& s, std::string_view none = "—");
// A URL path segment or query value, percent-encoded.
std::string url_encode(std::string_view s);

struct PageFrame {
  std::string title;               // shown in the tab and as the heading
  std::optional<Session> session;  // the navigation shows what this role may open
  std::string active;              // "queue", "batches", "search", "users"
  std::string body;                // already HTML
  std::string page_class;          // on <body>: scripts pick their behaviour by it
};
std::string page(const PageFrame& frame);

// Vietnamese names of what the records hold.
std::string role_label(Role r);
std::string reason_label(const std::string& reason_text);  // "applicant_missing" -> "Thiếu thông tin người nộp"
std::string page_type_label(const std::string& type);
// Where a value came from and how sure it is, for the operator: "Mã QR căn cước, trang 3 · 100%
// · khớp với tờ khai".
std::string evidence_label(const FieldEvidence& e);
std::string state_label(const std::string& lifecycle_state);

}  // namespace intake::web
