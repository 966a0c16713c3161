// What the load benches' people write, in this order per chat so that
// conversations move through the flows. No dependencies: the HTTP load
// tools (paced_load) build with cpp-httplib alone. bench/telegram_updates.lua
// (wrk's script for bench/run) holds the same list: keep them alike.
#pragma once

namespace sportello::bench {

inline constexpr const char* kTexts[] = {
    "ciao cerco lavoro come cameriere a Bari",
    "buongiorno, vorrei prenotare un appuntamento",
    "ci sono offerte per magazziniere a Lecce?",
    "ho 19 anni e cerco un tirocinio",
    "come funziona garanzia giovani?",
    "menu",
    "vorrei parlare con un operatore",
    "cerco lavoro part time nel weekend a Taranto",
};

}  // namespace sportello::bench
