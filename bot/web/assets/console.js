// The console's code (console.html); served at /assets/console.js, so the
// page needs no inline script.
"use strict";
const $ = (id) => document.getElementById(id);
const state = { mode: "waiting_for_human", open: null, me: null, polling: null, stream: null, view: "desk", focusReply: null, want: null, asked: 0, drawn: 0 };

// --- small helpers: DOM from text only --------------------------------------
function el(tag, props, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props || {})) {
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c);
  return node;
}
function toDate(v) {
  if (v === null || v === undefined || v === "") return null;
  const d = typeof v === "number" ? new Date(v) : new Date(String(v));
  return isNaN(d) ? null : d;
}
// Times as the centre reads them: Rome's clock, Italian format.
const fmtTime = (v) => { const d = toDate(v); return d ? d.toLocaleTimeString("it-IT", { timeZone: "Europe/Rome", hour: "2-digit", minute: "2-digit" }) : ""; };
const fmtWhen = (v) => { const d = toDate(v); return d ? d.toLocaleString("it-IT", { timeZone: "Europe/Rome", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" }) : ""; };
function waited(v) {
  const d = toDate(v); if (!d) return "";
  const min = Math.max(0, Math.round((Date.now() - d.getTime()) / 60000));
  return min < 1 ? "in attesa da meno di un minuto" : min < 60 ? `in attesa da ${min} min` : `in attesa da ${Math.floor(min / 60)} h ${min % 60} min`;
}
const fmtRomeLong = (v) => { const d = toDate(v); return d ? d.toLocaleString("it-IT", { timeZone: "Europe/Rome", day: "numeric", month: "long", year: "numeric", hour: "2-digit", minute: "2-digit" }) : ""; };
// The best name the API knows: profile, channel, else a stable pseudonym.
const personName = (c) => (c.user && (c.user.display_name || c.user.name)) || `#${c.id}`;
const STATUS = { queued: "in coda", sent: "inviato", delivered: "consegnato", read: "letto", played: "ascoltato", failed: "non riuscito" };
const MODES = { bot: "con il bot", waiting_for_human: "in attesa di un operatore", human: "con un operatore" };
const CHANNELS = { telegram: "Telegram", whatsapp: "WhatsApp", web: "Web chat" };

async function api(method, path, body) {
  const init = { method, headers: {}, credentials: "same-origin" };
  if (body !== undefined) { init.headers["Content-Type"] = "application/json"; init.body = JSON.stringify(body); }
  const res = await fetch(path, init);
  let data = null;
  try { data = await res.json(); } catch (_) { data = null; }
  if (res.status === 401 && path !== "/api/login") showLogin();
  return { status: res.status, data: data || {}, headers: res.headers };
}
// A view loaded by several triggers (a tab switched, a date picked, a person
// clicked, the live stream) must show the latest request's answer, not the
// one that happens to arrive last. Each such view gets its own caller:
// an answer to a request made before the newest one resolves to null.
function latestOnly() {
  let newest = 0;
  return async (method, path) => {
    const mine = ++newest;
    const r = await api(method, path);
    return mine === newest ? r : null;
  };
}
function errorText(r, fallback) {
  return (r.data && (r.data.message || r.data.error)) || fallback;
}

// --- login / logout ------------------------------------------------------------
function showLogin() {
  stopLive();
  for (const id of [...VIEWS, "nav"]) $(id).classList.add("hidden");
  $("login").classList.remove("hidden");
  $("username").focus();
}
function showDesk() {
  loadNetwork();
  $("login").classList.add("hidden");
  $("nav-canned").classList.toggle("hidden", state.role !== "admin");
  $("nav-centres").classList.toggle("hidden", state.role !== "admin");
  $("nav").classList.remove("hidden");
  show("desk");
  startLive();
}
$("login").addEventListener("submit", async (e) => {
  e.preventDefault();
  const r = await api("POST", "/api/login", { username: $("username").value.trim(), password: $("password").value });
  $("password").value = "";
  if (r.status === 200) {
    $("login-error").classList.add("hidden");
    const me = await api("GET", "/api/me");
    state.me = me.data.username || $("username").value.trim();
    state.role = me.data.role || "counsellor";
    showDesk();
    return;
  }
  const msg = r.status === 429
    ? `Troppi tentativi. Riprova tra ${Math.ceil((+r.headers.get("Retry-After") || 60) / 60)} minuti.`
    : r.status === 401 ? "Nome utente o password non validi." : errorText(r, "Accesso non riuscito.");
  $("login-error").textContent = msg;
  $("login-error").classList.remove("hidden");
});
$("logout").addEventListener("click", async () => { await api("POST", "/api/logout"); state.open = state.want = null; showLogin(); });

// --- views -----------------------------------------------------------------------
function show(view) {
  for (const id of VIEWS) $(id).classList.toggle("hidden", id !== view);
  for (const b of document.querySelectorAll("#nav [data-view]")) b.setAttribute("aria-current", b.dataset.view === view ? "page" : "false");
  state.view = view;
  if (view === "appointments") loadAppointments();
  if (view === "events") loadEvents();
  if (view === "canned-admin") loadCannedAdmin();
  if (view === "centres-admin") loadCentresAdmin();
  if (view === "broadcasts") { loadEventChoices(); loadProfileQuestions(); loadCentreChoices(); preview(); loadBroadcasts(); }
}
const VIEWS = ["desk", "appointments", "profiles", "events", "broadcasts", "canned-admin", "centres-admin"];
for (const b of document.querySelectorAll("#nav [data-view]")) b.addEventListener("click", () => show(b.dataset.view));
for (const b of document.querySelectorAll("[data-mode]")) {
  b.addEventListener("click", () => {
    state.mode = b.dataset.mode;
    for (const t of document.querySelectorAll("[data-mode]")) t.setAttribute("aria-selected", String(t === b));
    loadQueue();
  });
}

// --- the queue -------------------------------------------------------------------
// A tab switched during a poll must not get the other tab's list.
const queueApi = latestOnly();
async function loadQueue() {
  const mode = state.mode;
  const r = await queueApi("GET", "/api/conversations?mode=" + encodeURIComponent(mode));
  if (!r || r.status !== 200) return;
  const list = r.data.conversations || [];
  const ul = $("queue");
  ul.replaceChildren(...list.map((c) => {
    const name = personName(c);
    const meta = [CHANNELS[c.channel] || c.channel,
      c.mode === "waiting_for_human" ? waited(c.waiting_since) : c.assigned_to ? "con " + c.assigned_to : "",
      c.last_message_at ? "ultimo " + fmtWhen(c.last_message_at) : ""].filter(Boolean).join(" · ");
    const b = el("button", { type: "button", "data-id": String(c.id), "aria-current": String(state.open === c.id), onclick: () => openConversation(c.id) },
      el("span", { class: "who", text: name }),
      el("span", { class: "meta", text: meta }),
      el("span", { class: "preview", text: c.preview || "—" }));
    return el("li", {}, b);
  }));
  $("queue-empty").classList.toggle("hidden", list.length > 0);
  if (mode === "waiting_for_human") $("waiting-count").textContent = list.length ? `(${list.length})` : "";
}

// --- one conversation ------------------------------------------------------------
// Clicking one person, then another, shows the second whatever answers first.
const conversationApi = latestOnly();
// Draws the conversation the counsellor chose last. Answers arrive in any
// order: a refresh of the one left behind, or an older read of this one,
// must not draw over it (and then be what Alt+P or Invia acts on).
// keepScroll marks a refresh, which never changes the choice.
async function openConversation(id, keepScroll) {
  if (!keepScroll) state.want = id;
  else if (id !== state.want) return;
  const asked = ++state.asked;
  const r = await conversationApi("GET", "/api/conversations/" + encodeURIComponent(id));
  if (!r) return;
  if (id !== state.want || asked < state.drawn) return;
  state.drawn = asked;
  if (r.status !== 200) { showError(errorText(r, "Conversazione non disponibile.")); return; }
  state.open = id;
  const c = r.data.conversation || r.data;
  if (state.openCentre !== c.centre_id) { state.openCentre = c.centre_id; showTransfer(); }
  $("pick").classList.add("hidden");
  $("open").classList.remove("hidden");
  const name = personName(c);
  $("conv-title").textContent = [name, CHANNELS[c.channel] || c.channel || "",
    c.mode === "waiting_for_human" ? waited(c.waiting_since) : ""].filter(Boolean).join(" · ");
  $("conv-mode").textContent = (MODES[c.mode] || c.mode || "") + (c.assigned_to ? ` (${c.assigned_to})` : "");
  const mine = c.mode === "human" && (!state.me || c.assigned_to === state.me);
  $("takeover").disabled = c.mode === "human" && !!c.assigned_to && c.assigned_to !== state.me || mine;
  $("release").disabled = !mine;
  $("send").disabled = !mine;
  $("reply").disabled = !mine;
  // Taken with Alt+N: the reply box gets the focus from whichever drawing
  // first shows the conversation as ours (a live refresh may overtake the
  // takeover's own, and a disabled box takes no focus).
  if (mine && state.focusReply === id) { state.focusReply = null; $("reply").focus(); }
  $("reply").placeholder = mine ? "Scrivi la risposta… (Ctrl+Invio per inviare)" : "Prendi in carico la conversazione per rispondere.";
  const hist = $("history");
  const atBottom = hist.scrollTop + hist.clientHeight >= hist.scrollHeight - 10;
  const items = (c.messages || []).map((m) => {
    const kind = m.kind === "note" || m.direction === "note" ? "note" : m.direction === "in" ? "in" : "out";
    // Out: the bot, or a counsellor (their own join message included).
    const staff = kind === "out" && m.author && m.author !== "bot";
    const who = kind === "in" ? name : !staff ? "bot" : m.author === state.me ? `${m.author} (tu)` : m.author;
    const meta = [who, fmtWhen(m.at), kind === "out" && m.status ? STATUS[m.status] || m.status : ""].filter(Boolean).join(" · ");
    const choice = kind === "in" && m.choice !== undefined;
    const body = choice
      ? el("span", {}, el("span", { class: "choice-mark", text: "Scelta: " }), el("span", { text: m.choice }))
      : el("span", { text: m.text || "" });
    return el("li", { class: kind + (staff ? " staff" : "") + (choice ? " choice" : "") }, body, el("span", { class: "meta", text: meta }));
  });
  for (const n of (c.notes || [])) {
    items.push(el("li", { class: "note" }, el("span", { text: n.text || "" }), el("span", { class: "meta", text: ["nota", n.author, fmtWhen(n.at)].filter(Boolean).join(" · ") })));
  }
  hist.replaceChildren(...items);
  if (!keepScroll || atBottom) hist.scrollTop = hist.scrollHeight;
  renderProfile(r.data.profile || c.profile);
  if (!keepScroll || state.cannedFor !== id) loadCanned(id);
  for (const b of document.querySelectorAll("#queue button")) b.setAttribute("aria-current", String(b.dataset.id === String(id)));
}
const AGE_BANDS = { "14_15": "14-15 anni", "16_29": "16-29 anni", "30_39": "30-39 anni", "40_plus": "40 anni o più" };
const GARANZIA = {
  eligible: "Sì",
  eligible_until_30: "Sì, fino al compimento dei 30 anni",
  too_young: "No: età inferiore ai 15 anni",
  too_old: "No: oltre i 29 anni",
  in_work_or_education: "No: studia o lavora",
  unknown: "Da verificare: età o condizione non indicate",
};
// The profile under the questionnaire's Italian labels (the API sends them),
// times in Rome, and what the answers mean for the person's track.
function renderProfile(p) {
  const dl = $("profile-data");
  const entries = [];
  if (p && typeof p === "object") {
    const v = p.view || {};
    if (p.age_band) entries.push(["Fascia d'età", AGE_BANDS[p.age_band] || p.age_band]);
    for (const f of v.fields || []) entries.push([f.label, f.value]);
    if (v.garanzia_giovani) entries.push(["Garanzia Giovani", GARANZIA[v.garanzia_giovani] || v.garanzia_giovani]);
    if (v.over_40) entries.push(["Percorso over 40", "Sì: domande su esperienza di responsabilità e impresa"]);
    entries.push(["Profilo completato", p.completed_at ? fmtRomeLong(p.completed_at) : "non ancora"]);
  }
  dl.replaceChildren(...entries.flatMap(([k, val]) => [el("dt", { text: k }), el("dd", { text: val })]));
  $("profile-empty").classList.toggle("hidden", entries.length > 0);
}
function showError(text) {
  $("conv-error").textContent = text;
  $("conv-error").classList.toggle("hidden", !text);
}
async function act(path, body, okStatuses, messages, id = state.open) {
  if (id === null) return null;
  const r = await api("POST", `/api/conversations/${encodeURIComponent(id)}/${path}`, body);
  if (okStatuses.includes(r.status)) { showError(""); } else { showError(messages[r.status] || errorText(r, "Operazione non riuscita.")); }
  await openConversation(id, true);
  loadQueue();
  return r;
}
$("takeover").addEventListener("click", () => act("takeover", undefined, [200], { 409: "Un altro operatore ha già preso questa conversazione." }));
// The oldest waiting and not yet assigned (the queue is served oldest first).
async function takeNext() {
  show("desk");
  const r = await api("GET", "/api/conversations?mode=waiting_for_human");
  const next = (r.status === 200 ? r.data.conversations || [] : []).find((c) => !c.assigned_to);
  if (!next) { say("next-msg", "Nessuna persona in attesa."); return; }
  say("next-msg", "");
  await openConversation(next.id);
  state.focusReply = next.id;
  if (state.want !== next.id) return;  // the counsellor chose another meanwhile
  const taken = await act("takeover", undefined, [200], { 409: "Un altro operatore ha già preso questa conversazione." }, next.id);
  if (!taken || taken.status !== 200) state.focusReply = null;
}
$("take-next").addEventListener("click", takeNext);
// Keyboard first: Alt+N next waiting, Alt+P take over, Alt+R release,
// Alt+1..9 a canned reply into the reply box.
document.addEventListener("keydown", (e) => {
  if (!e.altKey || e.ctrlKey || e.metaKey || $("nav").classList.contains("hidden")) return;
  const key = e.key.toLowerCase();
  const click = (id) => { if (!$(id).disabled && state.view === "desk" && state.open !== null) $(id).click(); };
  if (key === "n" || e.code === "KeyN") { e.preventDefault(); takeNext(); }
  else if (key === "p" || e.code === "KeyP") { e.preventDefault(); click("takeover"); }
  else if (key === "r" || e.code === "KeyR") { e.preventDefault(); click("release"); }
  else if (/^Digit[1-9]$/.test(e.code)) { e.preventDefault(); insertCanned(Number(e.code.slice(5)) - 1); }
});
$("release").addEventListener("click", () => act("release", undefined, [200], { 409: "Non hai in carico questa conversazione." }));
$("reply-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const text = $("reply").value.trim();
  if (!text) return;
  const r = await act("messages", { text }, [200, 202], { 409: "Prendi in carico la conversazione per rispondere." });
  if (r && (r.status === 202 || r.status === 200)) $("reply").value = "";
});
$("reply").addEventListener("keydown", (e) => { if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) $("reply-form").requestSubmit(); });
$("note-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const text = $("note").value.trim();
  if (!text) return;
  const r = await act("notes", { text }, [200, 201, 202], {});
  if (r && r.status < 300) $("note").value = "";
});

// --- transfer to another centre ---------------------------------------------------
// Every enabled centre of the network: a person may be sent to any of them.
// With one centre there is nowhere to send anyone, and nothing is shown.
async function loadNetwork() {
  const r = await api("GET", "/api/centres?all=1");
  state.network = r.status === 200 ? r.data.centres || [] : [];
  showTransfer();
}
function showTransfer() {
  const others = (state.network || []).filter((c) => c.id !== state.openCentre);
  $("transfer").classList.toggle("hidden", others.length === 0);
  const picked = $("transfer-centre").value;
  $("transfer-centre").replaceChildren(...others.map((c) => el("option", { value: String(c.id), text: c.address ? `${c.name} (${c.address})` : c.name })));
  if (others.some((c) => String(c.id) === picked)) $("transfer-centre").value = picked;
}
$("transfer-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const note = $("transfer-note").value.trim();
  if (state.open === null) return;
  if (!note) { showError("Scrivi una nota per il nuovo centro: cosa deve sapere."); $("transfer-note").focus(); return; }
  const centre = (state.network || []).find((c) => String(c.id) === $("transfer-centre").value);
  if (!centre) return;
  const r = await api("POST", `/api/conversations/${encodeURIComponent(state.open)}/transfer`, { centre_id: centre.id, note });
  if (r.status !== 200) {
    showError({ 409: "Un altro operatore ha in carico questa conversazione.", 422: errorText(r, "Trasferimento non possibile.") }[r.status] || errorText(r, "Trasferimento non riuscito."));
    return;
  }
  $("transfer-note").value = "";
  showError("");
  // It may no longer be ours to see: the desk goes back to the queue, and a
  // refresh already on its way does not draw it again.
  state.open = state.want = null;
  $("open").classList.add("hidden");
  $("pick").textContent = `Conversazione trasferita a ${centre.name}: la persona è nella coda di quel centro e un messaggio la avvisa.`;
  $("pick").classList.remove("hidden");
  loadQueue();
});

// --- booking on the person's behalf -----------------------------------------------
function bookMessage(text) {
  $("book-msg").textContent = text;
  $("book-msg").classList.toggle("hidden", !text);
}
$("book-find").addEventListener("click", async () => {
  if (!$("book-date").value) $("book-date").value = new Date().toLocaleDateString("sv-SE", { timeZone: "Europe/Rome" });
  const service = $("book-service").value;
  const r = await api("GET", "/api/appointments?date=" + encodeURIComponent($("book-date").value));
  const free = (r.status === 200 ? r.data.appointments || [] : [])
    .filter((a) => !a.booking && (!a.service || a.service === service) && toDate(a.starts_at) > new Date());
  $("book-slots").replaceChildren(...free.map((a) => el("li", {}, el("button", {
    type: "button",
    text: `${fmtTime(a.starts_at)} · ${a.place === "online" ? "online" : a.place || ""}`,
    onclick: async () => {
      const b = await api("POST", `/api/conversations/${encodeURIComponent(state.open)}/appointments`, { slot_id: a.slot_id, service });
      bookMessage(b.status === 201 ? "Prenotato: la conferma è stata inviata all'utente." : errorText(b, "Prenotazione non riuscita."));
      if (b.status === 201) $("book-slots").replaceChildren();
      openConversation(state.open, true);
    },
  }))));
  bookMessage(free.length ? "" : "Nessun orario libero per questo servizio in quel giorno.");
});

// --- appointments and profiles ----------------------------------------------------
// The day's list on opening, then the day picked: the day picked is shown.
const appointmentsApi = latestOnly();
async function loadAppointments() {
  if (!$("appt-date").value) $("appt-date").value = new Date().toLocaleDateString("sv-SE", { timeZone: "Europe/Rome" });
  const day = $("appt-date").value;
  const r = await appointmentsApi("GET", "/api/appointments?date=" + encodeURIComponent(day));
  if (!r) return;
  const list = r.status === 200 ? (r.data.appointments || []) : [];
  const today = new Date().toLocaleDateString("sv-SE", { timeZone: "Europe/Rome" });
  $("appt-rows").replaceChildren(...list.map((a) => {
    const b = a.booking;
    const who = !b ? "libero" : b.user ? `${b.user.display_name || b.user.name || "utente"} (${CHANNELS[b.user.channel] || b.user.channel || ""})` : "dati cancellati";
    return el("tr", { "data-booking": b ? String(b.id) : "" },
      el("td", { text: fmtTime(a.starts_at) }),
      el("td", { text: (b && b.service) || a.service || "qualsiasi" }),
      el("td", { text: who }),
      el("td", { text: a.place === "online" ? "online" : a.place || "" }),
      el("td", { text: a.counsellor || "" }),
      attendanceCell(b, day <= today, who, fmtTime(a.starts_at)));
  }));
  $("appt-empty").classList.toggle("hidden", list.length > 0);
}
$("appt-date").addEventListener("change", loadAppointments);
// Attended / no-show, on the day or after: two toggle buttons, the mark in
// aria-pressed; the report's "attended" counts these.
const ATTENDANCE = { attended: "presente", no_show: "assente" };
function attendanceCell(b, markable, who, time) {
  const td = el("td", { class: "actions" });
  if (!b) return td;
  if (!markable) { td.textContent = "—"; return td; }
  const mark = async (value) => {
    const r = await api("POST", `/api/bookings/${encodeURIComponent(b.id)}/attendance`, { attendance: value });
    if (r.status !== 200) say("appt-msg", errorText(r, "Registrazione non riuscita.")); else say("appt-msg", "");
    loadAppointments();
  };
  td.append(
    el("button", { type: "button", class: "attended", "aria-pressed": String(b.attendance === "attended"), "aria-label": `Presente: ${who}, ore ${time}`, text: "Presente", onclick: () => mark("attended") }), " ",
    el("button", { type: "button", class: "no-show", "aria-pressed": String(b.attendance === "no_show"), "aria-label": `Assente: ${who}, ore ${time}`, text: "Assente", onclick: () => mark("no_show") }));
  if (b.attendance) td.append(el("span", { class: "meta", text: " segnato " + ATTENDANCE[b.attendance] }));
  return td;
}
$("profile-search").addEventListener("submit", async (e) => {
  e.preventDefault();
  const q = new URLSearchParams({ q: $("ps-q").value, comune: $("ps-comune").value, role: $("ps-role").value });
  const r = await api("GET", "/api/profiles?" + q);
  const list = r.status === 200 ? (r.data.profiles || []) : [];
  $("ps-rows").replaceChildren(...list.map((p) => {
    const open = el("button", { type: "button", text: p.name || "utente senza nome",
      onclick: () => { show("desk"); openConversation(p.conversation_id); } });
    return el("tr", {},
      el("td", {}, p.conversation_id ? open : el("span", { text: p.name || "" })),
      el("td", { text: p.comune || "" }),
      el("td", { text: p.roles || "" }),
      el("td", { text: fmtWhen(p.completed_at) }));
  }));
  $("ps-empty").classList.toggle("hidden", list.length > 0);
});

// --- events --------------------------------------------------------------------
// datetime-local gives and takes Rome's wall clock (the console runs in Italy):
// the API reads a time without offset as Europe/Rome.
function toLocalInput(iso) {
  const d = toDate(iso); if (!d) return "";
  const parts = Object.fromEntries(new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Rome", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23" })
    .formatToParts(d).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}`;
}
const fmtRome = (v) => { const d = toDate(v); return d ? d.toLocaleString("it-IT", { timeZone: "Europe/Rome", weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" }) : ""; };
const splitList = (text) => text.split(",").map((s) => s.trim()).filter(Boolean);
const FIELD_NAMES = {
  title: "Titolo", description: "Descrizione", starts_at: "Inizio", ends_at: "Fine", place: "Luogo", link: "Link", capacity: "Posti", tags: "Tag",
  text: "Testo", event_id: "Evento", send_at: "Programma per", audience: "Destinatari", "audience.channel": "Canale", "audience.comuni": "Comuni",
  "audience.provinces": "Province", "audience.min_age": "Età minima", "audience.max_age": "Età massima", "audience.topics": "Argomenti",
  "audience.active_days": "Attivi negli ultimi giorni", "audience.event_id": "Iscritti all'evento", "audience.profile": "Profilo", "whatsapp_template.name": "Template WhatsApp", "whatsapp_template.language": "Lingua del template",
};
function fieldError(r, fallback) {
  // The API explains in English; the field's Italian name says where to look.
  if (r.status === 422 && r.data.field) return `Controlla il campo «${FIELD_NAMES[r.data.field] || r.data.field}» (${r.data.error || "valore non valido"}).`;
  return errorText(r, fallback);
}
function say(id, text) { $(id).textContent = text; $(id).classList.toggle("hidden", !text); }

const eventsState = { editing: null, confirming: null };
function eventBody() {
  const body = {
    title: $("ev-title").value.trim(), description: $("ev-desc").value.trim(),
    starts_at: $("ev-start").value, ends_at: $("ev-end").value, place: $("ev-place").value.trim(),
    link: $("ev-link").value.trim() || null, tags: splitList($("ev-tags").value),
  };
  const cap = $("ev-capacity").value.trim();
  body.capacity = /^\d+$/.test(cap) ? Number(cap) : cap;
  return body;
}
function resetEventForm() {
  eventsState.editing = null;
  $("event-form").reset();
  $("ev-heading").textContent = "Nuovo evento";
  $("ev-save").textContent = "Crea evento";
  $("ev-reset").classList.add("hidden");
}
function editEvent(e) {
  eventsState.editing = e.id;
  $("ev-title").value = e.title || ""; $("ev-desc").value = e.description || "";
  $("ev-start").value = toLocalInput(e.starts_at); $("ev-end").value = toLocalInput(e.ends_at);
  $("ev-place").value = e.place || ""; $("ev-link").value = e.link || "";
  $("ev-capacity").value = String(e.capacity); $("ev-tags").value = (e.tags || []).join(", ");
  $("ev-heading").textContent = "Modifica evento";
  $("ev-save").textContent = "Salva modifiche";
  $("ev-reset").classList.remove("hidden");
  say("ev-msg", "");
  $("ev-title").focus();
}
$("ev-reset").addEventListener("click", () => { resetEventForm(); say("ev-msg", ""); });
$("event-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const editing = eventsState.editing;
  const r = editing === null
    ? await api("POST", "/api/events", eventBody())
    : await api("PATCH", "/api/events/" + encodeURIComponent(editing), eventBody());
  if (r.status === 201 || r.status === 200) {
    say("ev-msg", editing === null ? "Evento creato." : "Modifiche salvate.");
    resetEventForm();
    loadEvents();
  } else {
    say("ev-msg", fieldError(r, "Salvataggio non riuscito."));
  }
});
$("ev-all").addEventListener("change", loadEvents);
async function loadEvents() {
  const r = await api("GET", "/api/events" + ($("ev-all").checked ? "?all=1" : ""));
  const list = r.status === 200 ? (r.data.events || []) : [];
  $("ev-rows").replaceChildren(...list.map((e) => {
    const status = e.cancelled_at ? "annullato" : toDate(e.ends_at) < new Date() ? "concluso" : "in programma";
    const seats = `${e.signed_up}/${e.capacity}` + (e.waiting ? ` (+${e.waiting} in attesa)` : "");
    const actions = el("td", { class: "actions" });
    if (!e.cancelled_at && status !== "concluso") {
      if (eventsState.confirming === e.id) {
        actions.append(el("span", { class: "confirm" },
          el("span", { text: "Le persone iscritte e in attesa verranno avvisate. Confermi?" }),
          el("button", { type: "button", class: "primary", text: "Sì, annulla l'evento", onclick: () => cancelEvent(e.id) }),
          el("button", { type: "button", text: "No", onclick: () => { eventsState.confirming = null; loadEvents(); } })));
      } else {
        actions.append(
          el("button", { type: "button", text: "Modifica", onclick: () => editEvent(e) }), " ",
          el("button", { type: "button", text: "Annulla evento", onclick: () => { eventsState.confirming = e.id; loadEvents(); } }));
      }
    }
    return el("tr", { "data-id": String(e.id), class: e.cancelled_at ? "status-cancelled" : "" },
      el("td", { text: e.title || "" }),
      el("td", { text: fmtRome(e.starts_at) }),
      el("td", { text: e.place === "online" ? "online" : e.place || "" }),
      el("td", { text: seats }),
      el("td", { text: status }),
      actions);
  }));
  $("ev-empty").classList.toggle("hidden", list.length > 0);
}
async function cancelEvent(id) {
  eventsState.confirming = null;
  const r = await api("POST", `/api/events/${encodeURIComponent(id)}/cancel`);
  say("ev-msg", r.status === 200 ? `Evento annullato: ${r.data.told} persone avvisate.` : errorText(r, "Annullamento non riuscito."));
  loadEvents();
}

// --- broadcasts ------------------------------------------------------------------
const BC_STATUS = { scheduled: "programmata", sending: "in invio", done: "inviata", cancelled: "annullata" };
const bcState = { confirming: null, previewTimer: null, previewSeq: 0, poll: null, events: new Map() };
function audience() {
  const a = {};
  if ($("bc-channel").value) a.channel = $("bc-channel").value;
  const comuni = splitList($("bc-comuni").value); if (comuni.length) a.comuni = comuni;
  const provinces = splitList($("bc-provinces").value).map((p) => p.toUpperCase()); if (provinces.length) a.provinces = provinces;
  const topics = splitList($("bc-topics").value); if (topics.length) a.topics = topics;
  for (const [id, key] of [["bc-min-age", "min_age"], ["bc-max-age", "max_age"], ["bc-active-days", "active_days"]]) {
    const v = $(id).value.trim();
    if (v !== "") a[key] = /^\d+$/.test(v) ? Number(v) : v;
  }
  if ($("bc-signed-up").value) a.event_id = Number($("bc-signed-up").value);
  const profile = {};
  for (const select of $("bc-profile").querySelectorAll("select")) {
    if (select.value) profile[select.dataset.question] = select.value;
  }
  if (Object.keys(profile).length) a.profile = profile;
  const centres = chosenCentres();
  if (centres !== null) a.centres = centres;
  return a;
}
// Whose people a notice reaches, when the caller works on more than one centre:
// null leaves it to the server (the caller's one centre), [] is the whole region.
function chosenCentres() {
  if ($("bc-centres").classList.contains("hidden")) return null;
  if ($("bc-region")?.checked) return [];
  return [...$("bc-centres").querySelectorAll("input[data-centre]:checked")].map((c) => Number(c.dataset.centre));
}
// The sending centre goes with the audience: the first one chosen, none for the region.
function sendingCentre(body) {
  const centres = body.audience.centres;
  if (centres === undefined) return;
  body.centre_id = centres.length ? centres[0] : null;
}
async function loadCentreChoices() {
  const box = $("bc-centres");
  if (box.dataset.loaded === state.me) return;  // per account: another may log in
  const r = await api("GET", "/api/centres");
  if (r.status !== 200) return;
  const centres = (r.data.centres || []).filter((c) => !c.disabled);
  box.dataset.loaded = state.me;
  box.replaceChildren(box.querySelector("legend"));
  box.classList.add("hidden");
  if (centres.length < 2) return;
  const boxes = centres.map((c) => {
    const box = el("input", { type: "checkbox", "data-centre": String(c.id), id: `bc-centre-${c.id}` });
    box.checked = true;
    box.addEventListener("change", schedulePreview);
    return el("label", {}, box, " " + c.name);
  });
  const parts = [];
  if (state.role === "admin") {
    const region = el("input", { type: "checkbox", id: "bc-region" });
    region.checked = true;
    const follow = () => { for (const b of $("bc-centres").querySelectorAll("input[data-centre]")) b.disabled = region.checked; schedulePreview(); };
    region.addEventListener("change", follow);
    parts.push(el("label", {}, region, " Tutta la regione"));
    for (const b of boxes) b.firstChild.disabled = true;
  }
  $("bc-centres").append(...parts, ...boxes);
  $("bc-centres").classList.remove("hidden");
  schedulePreview();
}
// One select a profile question with options (the API lists them), "—" for any answer.
async function loadProfileQuestions() {
  if ($("bc-profile").querySelector("select")) return;
  const r = await api("GET", "/api/profile/questions");
  if (r.status !== 200) return;
  $("bc-profile").append(...(r.data.questions || []).map((q) => {
    const select = el("select", { id: `bc-profile-${q.id}`, "data-question": q.id },
      el("option", { value: "", text: "—" }),
      ...q.options.map((o) => el("option", { value: o.id, text: o.label })));
    select.addEventListener("change", schedulePreview);
    return el("label", { text: q.label + (q.multi ? " (tra le risposte)" : "") + " " }, select);
  }));
}
function eventMode() { return $("bc-kind-event").checked; }
for (const id of ["bc-kind-text", "bc-kind-event"]) {
  $(id).addEventListener("change", () => {
    $("bc-text-label").classList.toggle("hidden", eventMode());
    $("bc-event-label").classList.toggle("hidden", !eventMode());
  });
}
async function preview() {
  const seq = ++bcState.previewSeq;
  const body = { audience: audience() };
  sendingCentre(body);
  const r = await api("POST", "/api/broadcasts/preview", body);
  if (seq !== bcState.previewSeq) return;  // a newer change is on its way
  $("bc-preview").textContent = r.status === 200 ? String(r.data.recipients) : "—";
  if (r.status === 422) say("bc-msg", fieldError(r, "Filtri non validi.")); else if (r.status === 200 && $("bc-msg").dataset.kind === "filter") say("bc-msg", "");
  $("bc-msg").dataset.kind = r.status === 422 ? "filter" : "";
}
function schedulePreview() {
  clearTimeout(bcState.previewTimer);
  bcState.previewTimer = setTimeout(preview, 250);
}
for (const id of ["bc-channel", "bc-comuni", "bc-provinces", "bc-min-age", "bc-max-age", "bc-topics", "bc-active-days", "bc-signed-up"]) {
  $(id).addEventListener("input", schedulePreview);
  $(id).addEventListener("change", schedulePreview);
}
async function loadEventChoices() {
  const r = await api("GET", "/api/events");
  const list = r.status === 200 ? (r.data.events || []) : [];
  const chosen = $("bc-event").value;
  bcState.events = new Map(list.map((e) => [String(e.id), e.title]));
  $("bc-event").replaceChildren(...list.map((e) => el("option", { value: String(e.id), text: `${e.title} · ${fmtRome(e.starts_at)}` })));
  if (bcState.events.has(chosen)) $("bc-event").value = chosen;
  const signedUp = $("bc-signed-up").value;
  $("bc-signed-up").replaceChildren(el("option", { value: "", text: "Tutti" }),
    ...list.map((e) => el("option", { value: String(e.id), text: `${e.title} · ${fmtRome(e.starts_at)}` })));
  if (bcState.events.has(signedUp)) $("bc-signed-up").value = signedUp;
}
$("bc-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const body = { audience: audience(), send_at: $("bc-send-at").value || null };
  sendingCentre(body);
  if (eventMode()) {
    if (!$("bc-event").value) { say("bc-msg", "Scegli l'evento da annunciare."); return; }
    body.event_id = Number($("bc-event").value);
  } else {
    body.text = $("bc-text").value;
  }
  const tpl = $("bc-tpl-name").value.trim();
  if (tpl) body.whatsapp_template = { name: tpl, language: $("bc-tpl-lang").value.trim() || "it", params: [] };
  $("bc-send").disabled = true;
  const r = await api("POST", "/api/broadcasts", body);
  $("bc-send").disabled = false;
  $("bc-msg").dataset.kind = "";
  if (r.status === 201) {
    say("bc-msg", body.send_at ? `Notifica programmata per ${r.data.recipients} destinatari.` : `Notifica in invio a ${r.data.recipients} destinatari.`);
    $("bc-text").value = "";
    $("bc-send-at").value = "";
    loadBroadcasts();
  } else {
    say("bc-msg", fieldError(r, "Invio non riuscito."));
  }
});
function broadcastContent(b) {
  if (b.event_id !== null && b.event_id !== undefined) return "Evento: " + (bcState.events.get(String(b.event_id)) || "#" + b.event_id);
  const t = b.text || "";
  return t.length > 80 ? t.slice(0, 79) + "…" : t;
}
async function loadBroadcasts() {
  const r = await api("GET", "/api/broadcasts");
  if (r.status !== 200) return;
  const list = r.data.broadcasts || [];
  $("bc-rows").replaceChildren(...list.map((b) => {
    const actions = el("td", { class: "actions" });
    if (b.status === "scheduled" || b.status === "sending") {
      if (bcState.confirming === b.id) {
        actions.append(el("span", { class: "confirm" },
          el("span", { text: "Confermi?" }),
          el("button", { type: "button", class: "primary", text: "Sì, annulla l'invio", onclick: () => cancelBroadcast(b.id) }),
          el("button", { type: "button", text: "No", onclick: () => { bcState.confirming = null; loadBroadcasts(); } })));
      } else {
        actions.append(el("button", { type: "button", text: "Annulla invio", onclick: () => { bcState.confirming = b.id; loadBroadcasts(); } }));
      }
    }
    const when = b.status === "scheduled" ? "per " + fmtRome(b.send_at) : fmtRome(b.created_at);
    const num = (v) => String(v ?? 0);
    return el("tr", { "data-id": String(b.id), "data-status": b.status, class: b.status === "cancelled" ? "status-cancelled" : "" },
      el("td", { text: when + (b.created_by ? " · " + b.created_by : "") }),
      el("td", { text: broadcastContent(b) }),
      el("td", { class: "bc-status", text: BC_STATUS[b.status] || b.status }),
      el("td", { class: "bc-recipients", text: num(b.recipients) }),
      el("td", { class: "bc-sent", text: num(b.sent) }),
      el("td", { text: num(b.delivered) }),
      el("td", { text: num(b.read) }),
      el("td", { text: num(b.failed) }),
      el("td", { text: num((b.skipped_opted_out || 0) + (b.skipped_unreachable || 0)) }),
      el("td", { text: num(b.pending) }),
      actions);
  }));
  $("bc-empty").classList.toggle("hidden", list.length > 0);
}
async function cancelBroadcast(id) {
  bcState.confirming = null;
  const r = await api("POST", `/api/broadcasts/${encodeURIComponent(id)}/cancel`);
  say("bc-msg", r.status === 200 ? "Invio annullato." : r.status === 409 ? "La notifica è già stata inviata o annullata." : errorText(r, "Annullamento non riuscito."));
  loadBroadcasts();
}

// --- live updates: SSE when the server streams, a poll in any case ---------------
function refresh() {
  loadQueue();
  if (state.want !== null) openConversation(state.want, true);
}
// Counters move while a notice is being sent: the list is read again every 2 s
// while it is on screen (not while a cancel waits for confirmation).
function refreshBroadcasts() {
  if (state.view === "broadcasts" && bcState.confirming === null) loadBroadcasts();
}
function startLive() {
  stopLive();
  refresh();
  state.polling = setInterval(refresh, 1500);
  bcState.poll = setInterval(refreshBroadcasts, 2000);
  if (window.EventSource) {
    try {
      state.stream = new EventSource("/api/stream");
      // Events name what changed (ids only): any of them means "look again".
      for (const name of ["conversation", "message"]) state.stream.addEventListener(name, refresh);
      state.stream.onerror = () => { if (state.stream) { state.stream.close(); state.stream = null; } };
    } catch (_) { state.stream = null; }
  }
}
function stopLive() {
  if (state.polling) clearInterval(state.polling);
  state.polling = null;
  if (bcState.poll) clearInterval(bcState.poll);
  bcState.poll = null;
  if (state.stream) state.stream.close();
  state.stream = null;
}

// Already logged in (the cookie survives a reload)?
(async () => {
  const r = await api("GET", "/api/me");
  if (r.status === 200) { state.me = r.data.username || null; state.role = r.data.role || "counsellor"; showDesk(); } else { showLogin(); }
})();

// --- canned replies -----------------------------------------------------------------
// Filled in by the server for the open conversation ({nome}, {centro},
// {prossimo_appuntamento}); inserted into the reply box, never sent unseen.
const canned = { list: [] };
async function loadCanned(id) {
  state.cannedFor = id;
  const r = await api("GET", "/api/canned-replies?conversation=" + encodeURIComponent(id));
  canned.list = r.status === 200 ? r.data.replies || [] : [];
  $("canned").replaceChildren(el("option", { value: "", text: "—" }),
    ...canned.list.map((c, i) => el("option", { value: String(i), text: (i < 9 ? `Alt+${i + 1} · ` : "") + c.title })));
}
const MISSING = { nome: "il nome", prossimo_appuntamento: "un appuntamento prenotato" };
function insertCanned(i) {
  const c = canned.list[i];
  if (!c || $("reply").disabled) return;
  const box = $("reply");
  const at = box.selectionStart ?? box.value.length;
  box.value = box.value.slice(0, at) + c.filled + box.value.slice(box.selectionEnd ?? at);
  box.focus();
  box.selectionStart = box.selectionEnd = at + c.filled.length;
  say("canned-msg", (c.missing || []).length ? `Manca ${c.missing.map((m) => MISSING[m] || m).join(" e ")}: controlla il testo prima di inviare.` : "");
}
$("canned-insert").addEventListener("click", () => { if ($("canned").value !== "") insertCanned(Number($("canned").value)); });

function cannedRow(c) {
  const remove = el("button", { type: "button", text: "Elimina", "aria-label": "Elimina questa risposta" });
  const li = el("li", { class: "card canned-row" },
    el("label", { text: "Titolo " }, el("input", { class: "canned-title", maxlength: "60", value: c.title || "" })),
    el("label", { text: "Testo " }, el("textarea", { class: "canned-text", maxlength: "1000" })),
    remove);
  li.querySelector("textarea").value = c.text || "";
  remove.addEventListener("click", () => li.remove());
  return li;
}
async function loadCannedAdmin() {
  const r = await api("GET", "/api/canned-replies");
  $("canned-rows").replaceChildren(...(r.status === 200 ? r.data.replies || [] : []).map(cannedRow));
}
$("canned-add").addEventListener("click", () => { $("canned-rows").append(cannedRow({})); $("canned-rows").lastChild.querySelector("input").focus(); });
$("canned-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const replies = [...$("canned-rows").children].map((li) => ({ title: li.querySelector(".canned-title").value.trim(), text: li.querySelector(".canned-text").value }));
  const r = await api("PUT", "/api/canned-replies", { replies });
  say("canned-save-msg", r.status === 200 ? "Risposte salvate." : r.status === 422 ? "Ogni risposta ha bisogno di un titolo (max 60) e di un testo (max 1000)." : errorText(r, "Salvataggio non riuscito."));
  if (r.status === 200) loadCannedAdmin();
});

// --- centres of the network (regional admins) -----------------------------------
const centresState = { editing: null, confirming: null };
// The form's fields as the API names them, with what the form shows.
const CENTRE_FIELDS = [
  ["name", "ce-name"], ["address", "ce-address"], ["contacts", "ce-contacts"], ["hours", "ce-hours"],
  ["opening_hours", "ce-opening"], ["closures", "ce-closures"], ["services", "ce-services"],
  ["comuni", "ce-comuni"], ["telegram_bot_id", "ce-telegram"], ["whatsapp_phone_number_id", "ce-whatsapp"],
];
const LISTED = new Set(["services", "comuni"]);
function centreValue(field, id) {
  const v = $(id).value.trim();
  if (LISTED.has(field)) return splitList(v);
  if (field.endsWith("_id")) return v || null;
  return v;
}
// What the form says; when editing, only what differs from the centre as
// loaded, so that an untouched field of centre 1 keeps following the
// service's configuration.
function centreBody() {
  const body = {};
  const before = centresState.editing;
  for (const [field, id] of CENTRE_FIELDS) {
    const v = centreValue(field, id);
    if (before) {
      const was = before[field];
      const same = LISTED.has(field) ? JSON.stringify(v) === JSON.stringify(was || []) : v === (was ?? (field.endsWith("_id") ? null : ""));
      if (same) continue;
    } else if ((LISTED.has(field) && !v.length) || v === null || v === "") continue;
    body[field] = v;
  }
  return body;
}
function resetCentreForm() {
  centresState.editing = null;
  $("centre-form").reset();
  $("ce-heading").textContent = "Nuovo centro";
  $("ce-save").textContent = "Aggiungi centro";
  $("ce-reset").classList.add("hidden");
}
function editCentre(c) {
  centresState.editing = c;
  for (const [field, id] of CENTRE_FIELDS) $(id).value = LISTED.has(field) ? (c[field] || []).join(", ") : c[field] ?? "";
  $("ce-heading").textContent = `Modifica: ${c.name}`;
  $("ce-save").textContent = "Salva modifiche";
  $("ce-reset").classList.remove("hidden");
  say("ce-msg", "");
  $("ce-name").focus();
}
async function loadCentresAdmin() {
  const r = await api("GET", "/api/centres");
  const list = r.status === 200 ? (r.data.centres || []) : [];
  $("ce-rows").replaceChildren(...list.map((c) => {
    const actions = el("td", { class: "actions" });
    if (!c.disabled && centresState.confirming === c.id) {
      actions.append(el("span", { class: "confirm" },
        el("span", { text: "Non servirà più i suoi comuni; le sue persone passano al centro 1 al prossimo messaggio. Confermi?" }),
        el("button", { type: "button", class: "primary", text: "Sì, disattiva", onclick: () => disableCentre(c.id) }),
        el("button", { type: "button", text: "No", onclick: () => { centresState.confirming = null; loadCentresAdmin(); } })));
    } else if (!c.disabled) {
      actions.append(el("button", { type: "button", text: "Modifica", "aria-label": `Modifica ${c.name}`, onclick: () => editCentre(c) }));
      if (c.id !== 1) {
        actions.append(" ", el("button", { type: "button", text: "Disattiva", "aria-label": `Disattiva ${c.name}`,
          onclick: () => { centresState.confirming = c.id; loadCentresAdmin(); } }));
      }
    }
    return el("tr", { "data-id": String(c.id), class: c.disabled ? "status-cancelled" : "" },
      el("td", { text: String(c.id) }),
      el("td", { text: c.name || "" }),
      el("td", { text: c.address || "" }),
      el("td", { text: (c.comuni || []).join(", ") || "—" }),
      el("td", { text: c.disabled ? "disattivato" : "attivo" }),
      actions);
  }));
}
async function disableCentre(id) {
  centresState.confirming = null;
  const r = await api("POST", `/api/centres/${encodeURIComponent(id)}/disable`);
  say("ce-msg", r.status === 200 ? `Centro disattivato: ${r.data.name}.` : errorText(r, "Disattivazione non riuscita."));
  if (centresState.editing && centresState.editing.id === id) resetCentreForm();
  loadCentresAdmin();
}
$("ce-reset").addEventListener("click", () => { resetCentreForm(); say("ce-msg", ""); });
$("centre-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const editing = centresState.editing;
  const body = centreBody();
  if (editing && !Object.keys(body).length) { say("ce-msg", "Nessuna modifica da salvare."); return; }
  if (!editing && !body.name) { say("ce-msg", "Il centro ha bisogno di un nome."); $("ce-name").focus(); return; }
  const r = editing ? await api("PATCH", `/api/centres/${encodeURIComponent(editing.id)}`, body) : await api("POST", "/api/centres", body);
  if (r.status === 200 || r.status === 201) {
    say("ce-msg", editing ? `Modifiche salvate: ${r.data.name}.` : `Centro aggiunto: ${r.data.name} (n. ${r.data.id}).`);
    resetCentreForm();
    loadCentresAdmin();
  } else {
    say("ce-msg", errorText(r, "Salvataggio non riuscito."));
    if (r.data && r.data.field) { const f = CENTRE_FIELDS.find(([name]) => name === r.data.field); if (f) $(f[1]).focus(); }
  }
});
