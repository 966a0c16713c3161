// The reports page (reports.html): reads GET /api/reports/funnel for the
// chosen period and draws each breakdown as an SVG bar chart with a table of
// the same numbers beside it. Everything is built with DOM calls and
// textContent: no markup is parsed, and no library is loaded.
"use strict";
const $ = (id) => document.getElementById(id);
const SVG = "http://www.w3.org/2000/svg";

const STEPS = {
  first_contact: "Primo contatto",
  consent: "Consenso",
  profile_completed: "Profilo completato",
  booked: "Appuntamento prenotato",
  attended: "Presente all'appuntamento",
  taken_in_charge_60d: "Presa in carico entro 60 giorni",
  vacancies_proposed: "Offerte proposte",
  vacancies_interested: "«Mi interessa»",
};
const CHANNELS = { telegram: "Telegram", whatsapp: "WhatsApp", web: "Web chat" };
const TARGETS = { garanzia_giovani: "Garanzia Giovani (idonei)", over_40: "Over 40" };

function el(tag, props, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props || {})) {
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c);
  return node;
}
function svg(tag, attrs, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "text") node.textContent = v;
    else node.setAttribute(k, String(v));
  }
  for (const c of children) node.append(c);
  return node;
}
const pct = (n, of) => (of > 0 ? ` (${Math.round((n / of) * 100)}%)` : "");
const fmtDay = (iso) => new Date(iso + "T12:00:00Z").toLocaleDateString("it-IT", { day: "numeric", month: "short", timeZone: "Europe/Rome" });

// Horizontal bars: one block per group, one bar per step, the number at the
// end of each bar. `groups`: [{name, counts}].
function barChart(title, groups, steps) {
  const rowH = 20, gap = 4, labelW = 230, barW = 300, numW = 90, headH = groups.length > 1 ? 22 : 0;
  const max = Math.max(1, ...groups.flatMap((g) => steps.map((s) => g.counts[s] || 0)));
  const height = groups.reduce((h) => h + headH + steps.length * (rowH + gap) + 10, 0);
  const root = svg("svg", { viewBox: `0 0 ${labelW + barW + numW} ${height}`, role: "img", "aria-label": title });
  root.append(svg("title", { text: title }));
  let y = 0;
  for (const g of groups) {
    if (headH) { root.append(svg("text", { x: 0, y: y + 15, class: "value", text: g.name })); y += headH; }
    const base = g.counts[steps[0]] || 0;
    steps.forEach((s, i) => {
      const n = g.counts[s] || 0;
      const w = Math.round((n / max) * barW);
      root.append(
        svg("text", { x: labelW - 8, y: y + 14, "text-anchor": "end", class: "label", text: STEPS[s] }),
        svg("rect", { x: labelW, y, width: Math.max(w, n > 0 ? 2 : 0), height: rowH, rx: 3, class: `bar-${i}`, "data-step": s, "data-value": n }),
        svg("text", { x: labelW + w + 6, y: y + 14, class: "value", text: String(n) + (i > 0 ? pct(n, base) : "") }));
      y += rowH + gap;
    });
    y += 10;
  }
  return root;
}

// Columns per week: first contacts and those taken in charge, side by side.
function weekChart(weeks) {
  const series = ["first_contact", "profile_completed", "attended"];
  const colW = 14, groupGap = 14, chartH = 160, top = 18, bottom = 34, left = 30;
  const groupW = series.length * colW + groupGap;
  const width = left + Math.max(1, weeks.length) * groupW + 10;
  const max = Math.max(1, ...weeks.flatMap((w) => series.map((s) => w[s] || 0)));
  // Drawn at its own size (shrunk only when wider than the card): a few
  // weeks must not blow up into giant columns.
  const root = svg("svg", { viewBox: `0 0 ${width} ${top + chartH + bottom}`, width, height: top + chartH + bottom, class: "fixed", role: "img", "aria-label": "Persone per settimana del primo contatto" });
  root.append(svg("title", { text: "Persone per settimana del primo contatto" }));
  root.append(svg("line", { x1: left, x2: width, y1: top + chartH, y2: top + chartH, class: "axis" }));
  weeks.forEach((w, wi) => {
    const x0 = left + wi * groupW;
    series.forEach((s, si) => {
      const n = w[s] || 0;
      const h = Math.round((n / max) * chartH);
      root.append(svg("rect", { x: x0 + si * colW, y: top + chartH - h, width: colW - 2, height: h, class: `bar-${si === 0 ? 0 : si === 1 ? 2 : 4}`, "data-step": s, "data-week": w.week, "data-value": n }));
      if (n > 0) root.append(svg("text", { x: x0 + si * colW + (colW - 2) / 2, y: top + chartH - h - 3, "text-anchor": "middle", class: "value", text: String(n) }));
    });
    root.append(svg("text", { x: x0 + (series.length * colW) / 2, y: top + chartH + 16, "text-anchor": "middle", text: fmtDay(w.week) }));
  });
  const legend = el("ul", { class: "legend" }, ...series.map((s, si) => el("li", {},
    svg("svg", { viewBox: "0 0 10 10", "aria-hidden": "true" }, svg("rect", { width: 10, height: 10, class: `bar-${si === 0 ? 0 : si === 1 ? 2 : 4}` })),
    document.createTextNode(STEPS[s]))));
  return el("div", {}, root, legend);
}

// The numbers: a row per step, a column per group.
function numbersTable(caption, groups, steps) {
  return el("table", {},
    el("caption", { class: "meta", text: caption }),
    el("thead", {}, el("tr", {}, el("th", { scope: "col", text: "Passo" }), ...groups.map((g) => el("th", { scope: "col", class: "n", text: g.name })))),
    el("tbody", {}, ...steps.map((s) => el("tr", { "data-step": s },
      el("th", { scope: "row", text: STEPS[s] }),
      ...groups.map((g) => el("td", { class: "n", text: String(g.counts[s] || 0) }))))));
}

// The query for the chosen centre and period ("" centre: all the caller's).
function query(from, to, extra) {
  const centre = $("centre").value;
  return new URLSearchParams({ ...(centre ? { centre } : {}), from, to, ...extra });
}

function csvLink(from, to) {
  $("csv").href = "/api/reports/funnel?" + query(from, to, { format: "csv" });
  $("csv").setAttribute("download", `funnel-centre-${$("centre").value || "all"}-${from}-${to}.csv`);
}

// Staff of several centres, and regional admins, choose which centre the
// report is of; staff of one centre have nothing to choose.
async function loadCentres() {
  const get = (path) => fetch(path, { credentials: "same-origin" }).then((r) => (r.ok ? r.json() : null)).catch(() => null);
  const [centres, me] = await Promise.all([get("/api/centres"), get("/api/me")]);
  const list = (centres && centres.centres) || [];
  if (list.length < 2) return;
  const all = me && me.role === "admin" ? "Tutta la rete" : "Tutti i miei centri";
  $("centre").replaceChildren(el("option", { value: "", text: all }),
    ...list.map((c) => el("option", { value: String(c.id), text: c.name + (c.disabled ? " (disattivato)" : "") })));
  $("centre-pick").classList.remove("hidden");
}

async function load() {
  const from = $("from").value, to = $("to").value;
  const res = await fetch("/api/reports/funnel?" + query(from, to, {}), { credentials: "same-origin" });
  if (res.status === 401) { $("need-login").classList.remove("hidden"); return; }
  let data = {};
  try { data = await res.json(); } catch (_) { data = {}; }
  if (res.status !== 200) {
    $("period-msg").textContent = res.status === 400 ? "Periodo non valido (al massimo un anno, e «dal» non dopo «al»)."
      : res.status === 404 ? "Centro non trovato." : "Report non disponibile, riprova.";
    $("period-msg").classList.remove("hidden");
    return;
  }
  $("period-msg").classList.add("hidden");
  csvLink(data.from, data.to);
  const steps = data.steps || Object.keys(STEPS);
  const t = data.total || {};
  const picked = $("centre").selectedOptions[0];
  const where = picked && picked.value ? `${picked.textContent}, d` : "D";
  $("summary").textContent = `${where}al ${fmtDay(data.from)} al ${fmtDay(data.to)}: ${t.first_contact || 0} persone al primo contatto, ${t.taken_in_charge_60d || 0} prese in carico entro 60 giorni.`;
  const total = [{ name: "Tutti", counts: t }];
  $("chart-funnel").replaceChildren(barChart("Percorso delle persone", total, steps));
  $("table-funnel").replaceChildren(numbersTable("Numeri del percorso", total, steps));
  const weeks = data.weeks || [];
  $("chart-weeks").replaceChildren(weekChart(weeks));
  $("table-weeks").replaceChildren(numbersTable("Numeri per settimana (dal lunedì)", weeks.map((w) => ({ name: fmtDay(w.week), counts: w })), steps));
  const channels = (data.channels || []).map((c) => ({ name: CHANNELS[c.channel] || c.channel, counts: c }));
  $("chart-channels").replaceChildren(barChart("Percorso per canale", channels, steps));
  $("table-channels").replaceChildren(numbersTable("Numeri per canale", channels, steps));
  const targets = (data.targets || []).map((g) => ({ name: TARGETS[g.target] || g.target, counts: g }));
  $("chart-targets").replaceChildren(barChart("Percorso per gruppo", targets, steps));
  $("table-targets").replaceChildren(numbersTable("Numeri per gruppo", targets, steps));
}

// The last four weeks by default, in Rome's calendar.
const romeDay = (d) => d.toLocaleDateString("sv-SE", { timeZone: "Europe/Rome" });
$("to").value = romeDay(new Date());
$("from").value = romeDay(new Date(Date.now() - 27 * 86400000));
csvLink($("from").value, $("to").value);
$("period").addEventListener("submit", (e) => { e.preventDefault(); load(); });
$("centre").addEventListener("change", () => load());
loadCentres().then(load);
