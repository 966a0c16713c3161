#include "tests/fakes/whatsapp_wire.h"

#include <cctype>
#include <set>
#include <string_view>

#include "tests/fakes/recorder.h"

namespace sportello::fakes {
namespace {

using nlohmann::json;

// obj[key], or null when obj is not an object or lacks key (a const
// operator[] on a missing key is undefined behaviour in nlohmann/json).
const json& Field(const json& obj, const char* key) {
  static const json kNull;
  if (!obj.is_object()) return kNull;
  const auto it = obj.find(key);
  return it == obj.end() ? kNull : *it;
}

// obj[key] if it is a string, else "".
std::string StringField(const json& obj, const char* key) {
  const json& v = Field(obj, key);
  return v.is_string() ? v.get<std::string>() : "";
}

// "" when `obj[key]` is a string of min..max characters, else the problem.
std::string CheckString(const json& obj, std::string_view path, const char* key,
                        size_t min, size_t max) {
  const std::string where = std::string(path) + key;
  if (!obj.is_object() || !obj.contains(key)) {
    return min > 0 ? where + ": required" : "";
  }
  if (!obj[key].is_string()) return where + ": must be a string";
  const size_t n = Utf8Length(obj[key].get_ref<const std::string&>());
  if (n < min) return where + ": empty";
  if (n > max) {
    return where + ": " + std::to_string(n) + " characters, at most " +
           std::to_string(max);
  }
  return "";
}

std::string CheckTo(const json& body) {
  if (!body.contains("to") || !body["to"].is_string())
    return "to: required, a string";
  std::string_view to = body["to"].get_ref<const std::string&>();
  if (!to.empty() && to[0] == '+') to.remove_prefix(1);
  if (to.empty() || to.size() > 15) return "to: not a phone number";
  for (char c : to) {
    if (!std::isdigit(static_cast<unsigned char>(c)))
      return "to: not a phone number";
  }
  return "";
}

std::string CheckHeaderFooter(const json& interactive) {
  if (interactive.contains("header")) {
    const json& header = interactive["header"];
    if (!header.is_object() || StringField(header, "type") != "text") {
      return "interactive.header: only text headers are used by Sportello";
    }
    if (auto e = CheckString(header, "interactive.header.", "text", 1, 60);
        !e.empty())
      return e;
  }
  if (interactive.contains("footer")) {
    return CheckString(interactive["footer"], "interactive.footer.", "text", 1,
                       60);
  }
  return "";
}

std::string CheckButtons(const json& interactive) {
  if (auto e = CheckString(Field(interactive, "body"), "interactive.body.",
                           "text", 1, 1024);
      !e.empty()) {
    return e;
  }
  const json& action = Field(interactive, "action");
  if (!action.is_object() || !action.contains("buttons") ||
      !action["buttons"].is_array()) {
    return "interactive.action.buttons: required";
  }
  const json& buttons = action["buttons"];
  if (buttons.empty() || buttons.size() > 3) {
    return "interactive.action.buttons: " + std::to_string(buttons.size()) +
           " buttons, 1 to 3 allowed";
  }
  std::set<std::string> titles;
  std::set<std::string> ids;
  for (size_t i = 0; i < buttons.size(); ++i) {
    const std::string path =
        "interactive.action.buttons[" + std::to_string(i) + "].";
    const json& button = buttons[i];
    if (!button.is_object() || StringField(button, "type") != "reply")
      return path + "type: must be reply";
    if (!button.contains("reply") || !button["reply"].is_object())
      return path + "reply: required";
    const json& reply = button["reply"];
    if (auto e = CheckString(reply, path + "reply.", "id", 1, 256); !e.empty())
      return e;
    if (auto e = CheckString(reply, path + "reply.", "title", 1, 20);
        !e.empty())
      return e;
    if (!titles.insert(reply["title"].get<std::string>()).second) {
      return path +
             "reply.title: duplicate title, button titles must be unique";
    }
    if (!ids.insert(reply["id"].get<std::string>()).second) {
      return path + "reply.id: duplicate id, button ids must be unique";
    }
  }
  return "";
}

std::string CheckList(const json& interactive) {
  if (auto e = CheckString(Field(interactive, "body"), "interactive.body.",
                           "text", 1, 4096);
      !e.empty()) {
    return e;
  }
  const json& action = Field(interactive, "action");
  if (auto e = CheckString(action, "interactive.action.", "button", 1, 20);
      !e.empty())
    return e;
  if (!action.contains("sections") || !action["sections"].is_array()) {
    return "interactive.action.sections: required";
  }
  const json& sections = action["sections"];
  if (sections.empty() || sections.size() > 10)
    return "interactive.action.sections: 1 to 10 allowed";
  size_t rows_total = 0;
  std::set<std::string> ids;
  for (size_t s = 0; s < sections.size(); ++s) {
    const std::string path =
        "interactive.action.sections[" + std::to_string(s) + "].";
    const json& section = sections[s];
    // A title is required as soon as there is more than one section.
    if (auto e = CheckString(section, path, "title",
                             sections.size() > 1 ? 1 : 0, 24);
        !e.empty()) {
      return e;
    }
    if (!section.is_object() || !section.contains("rows") ||
        !section["rows"].is_array() || section["rows"].empty()) {
      return path + "rows: at least one row";
    }
    for (size_t r = 0; r < section["rows"].size(); ++r) {
      const std::string row_path = path + "rows[" + std::to_string(r) + "].";
      const json& row = section["rows"][r];
      if (auto e = CheckString(row, row_path, "id", 1, 200); !e.empty())
        return e;
      if (auto e = CheckString(row, row_path, "title", 1, 24); !e.empty())
        return e;
      if (auto e = CheckString(row, row_path, "description", 0, 72); !e.empty())
        return e;
      if (!ids.insert(row["id"].get<std::string>()).second)
        return row_path + "id: duplicate row id";
      ++rows_total;
    }
  }
  if (rows_total > 10) {
    return "interactive.action.sections: " + std::to_string(rows_total) +
           " rows, at most 10 in total";
  }
  return "";
}

std::string CheckInteractive(const json& body) {
  const json& interactive = Field(body, "interactive");
  if (!interactive.is_object()) return "interactive: required, an object";
  if (!interactive.contains("body")) return "interactive.body: required";
  if (auto e = CheckHeaderFooter(interactive); !e.empty()) return e;
  const std::string type = StringField(interactive, "type");
  if (type == "button") return CheckButtons(interactive);
  if (type == "list") return CheckList(interactive);
  return "interactive.type: must be button or list, got \"" + type + "\"";
}

std::string CheckTemplate(const json& body) {
  const json& tmpl = Field(body, "template");
  if (!tmpl.is_object()) return "template: required, an object";
  if (auto e = CheckString(tmpl, "template.", "name", 1, 512); !e.empty())
    return e;
  if (!tmpl.contains("language") || !tmpl["language"].is_object())
    return "template.language: required";
  if (auto e =
          CheckString(tmpl["language"], "template.language.", "code", 2, 15);
      !e.empty())
    return e;
  if (tmpl.contains("components") && !tmpl["components"].is_array()) {
    return "template.components: must be an array";
  }
  return "";
}

}  // namespace

std::string CheckWhatsAppMessage(const json& body) {
  if (!body.is_object()) return "body: must be a JSON object";
  if (StringField(body, "messaging_product") != "whatsapp") {
    return "messaging_product: required, must be \"whatsapp\"";
  }
  if (body.contains("recipient_type") &&
      body["recipient_type"] != "individual") {
    return "recipient_type: must be \"individual\"";
  }
  if (auto e = CheckTo(body); !e.empty()) return e;
  const std::string type = body.contains("type") ? StringField(body, "type")
                                                 : "text";  // Meta's default
  if (type == "text") {
    if (!body.contains("text")) return "text: required";
    if (auto e = CheckString(body["text"], "text.", "body", 1, 4096);
        !e.empty())
      return e;
    if (body["text"].contains("preview_url") &&
        !body["text"]["preview_url"].is_boolean()) {
      return "text.preview_url: must be a boolean";
    }
    return "";
  }
  if (type == "interactive") return CheckInteractive(body);
  if (type == "template") return CheckTemplate(body);
  return "type: \"" + type +
         "\" is not one Sportello sends (text, interactive, template)";
}

}  // namespace sportello::fakes
