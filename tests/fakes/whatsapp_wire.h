// WhatsApp Cloud API send-body checks, as graph.facebook.com applies them to
// POST /<version>/<phone_number_id>/messages, used by FakeWhatsApp.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace sportello::fakes {

// "" when `body` is a message Meta accepts, else what is wrong, e.g.
// "interactive.action.buttons[1].reply.title: 23 characters, at most 20".
// Checks: messaging_product "whatsapp"; recipient_type "individual" if given;
// `to` a string of digits with an optional '+'; type text | interactive |
// template; text.body 1-4096; interactive button (body.text <= 1024, 1-3
// reply buttons, id 1-256, title 1-20, titles and ids unique) or list (body
// <= 4096, action.button 1-20, 1-10 sections, 1-10 rows in all, row id 1-200,
// title 1-24, description <= 72, ids unique); header text and footer <= 60;
// template name and language.code. Lengths count characters (code points).
std::string CheckWhatsAppMessage(const nlohmann::json& body);

}  // namespace sportello::fakes
