// The console as counsellors use it with several people waiting, in a real
// browser against the real binary: presses shown with their words, names
// instead of "no name", the profile in Italian, the keyboard shortcuts,
// canned replies, attendance, the reports page, the network's centres, and
// a layout that keeps the reply box on screen on a tablet and a laptop.
// What people (or admins) wrote is always shown as text. SPORTELLO_SHOTS=dir saves screenshots.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import {
  httpPostJson, launchBrowser, runSportello, startFakeTelegram, startServer, watchPage,
} from './support.mjs';

const TOKEN = '123456:desk-test';
const SECRET = 'desk-secret';
const PASSWORD = 'una-password-lunga-42';
const XSS = '<img src=x onerror=alert(1)>';
const SHOTS = process.env.SPORTELLO_SHOTS || '';

let dir;
let telegram;
let server;
let browser;
let bearer;
let updateId = 1;

async function chat(user, body) {
  const r = await httpPostJson(`${server.url}/api/chat`, { user, ...body });
  assert.equal(r.status, 200, r.body);
  return JSON.parse(r.body).replies;
}

// A web-chat person who consents, answers part of the profile by pressing
// buttons (sent without their titles, as a bare client may), and asks for
// a counsellor.
async function webPerson(user, name) {
  await chat(user, { text: 'ciao' });
  await chat(user, { text: 'voglio fare il profilo' });
  await chat(user, { button: 'consent:age:16_29' });
  await chat(user, { button: 'consent:yes' });
  if (name) await chat(user, { text: name }); else await chat(user, { button: 'profile:name:_skip' });
  await chat(user, { text: '2001' });
  await chat(user, { text: 'Bari' });
  await chat(user, { button: 'profile:education:diploma' });
  await chat(user, { button: 'profile:status:disoccupato' });
  await chat(user, { text: 'posso parlare con un operatore?' });
}

async function telegramSays(chatId, firstName, text) {
  const update = {
    update_id: updateId++,
    message: {
      message_id: updateId,
      from: { id: chatId, is_bot: false, first_name: firstName, language_code: 'it' },
      chat: { id: chatId, type: 'private', first_name: firstName },
      date: Math.floor(Date.now() / 1000),
      text,
    },
  };
  const r = await httpPostJson(`${server.url}/webhook/telegram`, update, { 'x-telegram-bot-api-secret-token': SECRET });
  assert.equal(r.status, 200, r.body);
}

// The API with the bearer token, as a script would call it.
function api(method, path, body) {
  if (method !== 'GET') return httpPostJson(`${server.url}${path}`, body, { authorization: `Bearer ${bearer}` });
  return new Promise((resolve, reject) => {
    get(`${server.url}${path}`, { agent: false, headers: { authorization: `Bearer ${bearer}`, connection: 'close' } }, (res) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (c) => { data += c; });
      res.on('end', () => resolve({ status: res.statusCode, body: data, headers: res.headers }));
    }).on('error', reject);
  });
}

async function conversationOf(name) {
  for (let i = 0; i < 50; i++) {
    const r = await api('GET', '/api/conversations?mode=waiting_for_human');
    const c = JSON.parse(r.body).conversations.find((x) => x.user.display_name === name);
    if (c) return c;
    await sleep(100);
  }
  throw new Error(`${name} is not waiting`);
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sportello-desk-'));
  const db = join(dir, 'desk.db');
  const added = runSportello(['users', 'add', 'anna', '--role', 'admin'], { env: { SPORTELLO_DB: db }, input: PASSWORD + '\n' });
  assert.equal(added.status, 0, added.stderr);
  telegram = await startFakeTelegram(TOKEN);
  server = await startServer({
    env: { SPORTELLO_DB: db, TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_WEBHOOK_SECRET: SECRET, TELEGRAM_API_BASE: telegram.base },
  });
  const login = await httpPostJson(`${server.url}/api/login`, { username: 'anna', password: PASSWORD });
  bearer = JSON.parse(login.body).token;
  // Oldest first: Marta waits longest, then a person who gave no name, then
  // a Telegram user with markup for a name.
  await webPerson('marta-1', 'Marta');
  await sleep(20);
  await webPerson('anon-2', '');
  await sleep(20);
  await telegramSays(7001, XSS, 'ciao');
  await telegramSays(7001, XSS, 'voglio parlare con un operatore');
  // A web client can send any title with a press: it is text, never markup.
  await chat('anon-2', { button: 'no:such:button', title: XSS });
  browser = await launchBrowser();
  if (SHOTS) await mkdir(SHOTS, { recursive: true });
});

after(async () => {
  await browser?.close();
  const end = await server?.stop();
  await telegram?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
  if (end) assert.equal(end.sanitizer, false, `sanitizer report:\n${server.output()}`);
});

async function openConsole(t, viewport = { width: 1280, height: 800 }) {
  const context = await browser.newContext({ viewport, locale: 'it-IT', timezoneId: 'Europe/Rome' });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  const seen = watchPage(page, server.url);
  t.after(() => context.close());
  await page.goto(server.url + '/console');
  await page.getByLabel('Nome utente').fill('anna');
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Entra' }).click();
  await page.getByRole('tab', { name: /In attesa/ }).waitFor();
  return { page, seen, context };
}

function clean(seen) {
  assert.deepEqual(seen.foreign, [], 'requests to other hosts');
  assert.deepEqual(seen.dialogs, [], 'dialogs: markup ran');
  assert.deepEqual(seen.errors, [], 'script or CSP errors');
}

test('presses show the words chosen; names, channel, waiting and the person\'s last message', async (t) => {
  const { page, seen } = await openConsole(t);
  const marta = page.locator('#queue button', { hasText: 'Marta' });
  await marta.waitFor();
  assert.match(await marta.locator('.meta').textContent(), /Web chat · in attesa da/);
  assert.equal(await marta.locator('.preview').textContent(), 'posso parlare con un operatore?');
  // No name anywhere: a short pseudonym, the same in the queue and the title.
  const anon = page.locator('#queue button .who', { hasText: /^Web #\d{4}$/ });
  await anon.waitFor();
  const pseudonym = await anon.textContent();
  await page.locator('#queue button .who', { hasText: XSS }).waitFor();
  assert.equal(await page.locator('#queue', { hasText: 'Utente senza nome' }).count(), 0);

  await marta.click();
  await page.locator('#conv-title', { hasText: /^Marta · Web chat · in attesa/ }).waitFor();
  await page.locator('#history li.in.choice', { hasText: 'Scelta: Accetto' }).waitFor();
  for (const words of ['16-29', 'Diploma', 'Cerco lavoro']) {
    await page.locator('#history li.in.choice', { hasText: `Scelta: ${words}` }).waitFor();
  }
  const bubbles = await page.locator('#history li.in > span:first-child').allTextContents();
  assert.equal(bubbles.filter((s) => s.trim() === '').length, 0, `empty bubbles: ${JSON.stringify(bubbles)}`);

  // The profile in Italian, with what it means.
  const profile = page.locator('#profile');
  for (const [label, value] of [['Nome', 'Marta'], ['Titolo di studio', 'Diploma'], ['Situazione', 'Cerco lavoro'],
    ["Fascia d'età", '16-29 anni'], ['Garanzia Giovani', 'Sì'], ['Profilo completato', 'non ancora']]) {
    await profile.locator('dt', { hasText: new RegExp(`^${label}$`) }).waitFor();
    assert.equal(await profile.locator(`dt:text-is("${label}") + dd`).textContent(), value, label);
  }
  const text = await profile.textContent();
  assert.ok(!/age_band|answers|completed_at|_/.test(text), `internal keys shown: ${text}`);
  if (SHOTS) await page.screenshot({ path: join(SHOTS, 'console-marta-1280x800-full.png'), fullPage: true });

  await page.locator('#queue button', { hasText: pseudonym }).click();
  await page.locator('#conv-title', { hasText: pseudonym }).waitFor();
  await page.locator('#history li.in.choice', { hasText: XSS }).waitFor();
  assert.equal(await page.locator('#history img, #queue img').count(), 0);
  await sleep(300);
  clean(seen);
});

test('a refresh of the conversation left behind never draws over the one chosen', async (t) => {
  const { page, seen } = await openConsole(t);
  await page.locator('#queue button', { hasText: 'Marta' }).click();
  await page.locator('#conv-title', { hasText: /^Marta/ }).waitFor();
  // The next one chosen answers slowly, as on a loaded server; meanwhile
  // Marta writes, and the live stream refreshes what is open.
  const anon = page.locator('#queue button', { hasText: /Web #\d{4}/ });
  const anonId = await anon.getAttribute('data-id');
  let answered;
  const late = new Promise((resolve) => { answered = resolve; });
  await page.route(`**/api/conversations/${anonId}`, async (route) => {
    await sleep(2500);
    await route.continue().catch(() => {});
    answered();
  }, { times: 1 });
  await anon.click();
  await chat('marta-1', { text: 'ci sono ancora' });
  await late;
  await page.locator('#conv-title', { hasText: /^Web #\d{4}/ }).waitFor();
  await sleep(500);  // a late drawing of Marta would show by now
  assert.match(await page.locator('#conv-title').textContent(), /^Web #\d{4}/);
  clean(seen);
});

test('keyboard: Alt+N takes the oldest waiting, Alt+R releases, Alt+P takes over', async (t) => {
  const { page, seen } = await openConsole(t);
  await page.locator('#queue button', { hasText: 'Marta' }).waitFor();
  await page.keyboard.press('Alt+n');
  await page.locator('#conv-title', { hasText: /^Marta/ }).waitFor();
  await page.locator('#conv-mode', { hasText: 'con un operatore (anna)' }).waitFor();
  // The page moves the focus once it has drawn the conversation: on a busy
  // machine a moment after the title shows.
  await page
    .waitForFunction(() => document.activeElement?.id === 'reply', null, { timeout: 10000 })
    .catch(() => {});
  assert.equal(await page.evaluate(() => document.activeElement.id), 'reply');
  // The counsellor's own join message is theirs, not the bot's.
  const joined = page.locator('#history li.out.staff', { hasText: 'anna' }).first();
  await joined.waitFor();
  assert.match(await joined.locator('.meta').textContent(), /^anna \(tu\)/);

  await page.keyboard.press('Alt+r');
  await page.locator('#conv-mode', { hasText: 'con il bot' }).waitFor();
  await page.keyboard.press('Alt+p');
  await page.locator('#conv-mode', { hasText: 'con un operatore (anna)' }).waitFor();
  // Next is the oldest still unassigned: not Marta again.
  await page.keyboard.press('Alt+n');
  await page.locator('#conv-title', { hasText: /^Web #\d{4}/ }).waitFor();
  clean(seen);
});

test('canned replies: an admin keeps the list, Alt+1 inserts it filled in for the person', async (t) => {
  const { page, seen } = await openConsole(t);
  await page.getByRole('button', { name: 'Risposte pronte' }).click();
  await page.getByRole('button', { name: 'Aggiungi risposta' }).click();
  await page.getByLabel('Titolo').last().fill(XSS);
  await page.getByLabel('Testo').last().fill('Ciao {nome}, ti aspettiamo a {centro}: {prossimo_appuntamento}');
  await page.getByRole('button', { name: 'Salva' }).click();
  await page.getByText('Risposte salvate.').waitFor();

  await page.getByRole('button', { name: 'Conversazioni' }).click();
  await page.getByRole('tab', { name: 'In carico' }).click();
  await page.locator('#queue button', { hasText: 'Marta' }).click();
  await page.locator('#canned option', { hasText: `Alt+1 · ${XSS}` }).waitFor({ state: 'attached' });
  await page.locator('#reply').focus();
  await page.keyboard.press('Alt+1');
  assert.equal(await page.locator('#reply').inputValue(), 'Ciao Marta, ti aspettiamo a Porta Futuro: ');
  await page.getByText('Manca un appuntamento prenotato: controlla il testo prima di inviare.').waitFor();
  assert.equal(await page.locator('img').count(), 0);
  clean(seen);
});

test('attendance: today\'s appointment marked present counts in the report', async (t) => {
  // A slot a few minutes ahead, today in Rome (not possible in the day's
  // last minutes).
  const soon = new Date(Date.now() + 5 * 60_000);
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Rome', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(soon).map((p) => [p.type, p.value]));
  const today = new Date().toLocaleDateString('sv-SE', { timeZone: 'Europe/Rome' });
  const day = `${parts.year}-${parts.month}-${parts.day}`;
  if (day !== today) { t.skip('too close to midnight in Rome'); return; }
  const slot = await api('POST', '/api/slots', { service: 'any', starts_at: `${day}T${parts.hour}:${parts.minute}`, minutes: 30, place: 'Via Roma 1, Bari', counsellor: 'anna' });
  assert.equal(slot.status, 201, slot.body);
  const marta = await api('GET', '/api/conversations?mode=human');
  const id = JSON.parse(marta.body).conversations.find((c) => c.user.display_name === 'Marta')?.id
    ?? (await conversationOf('Marta')).id;
  const booked = await api('POST', `/api/conversations/${id}/appointments`, { slot_id: JSON.parse(slot.body).id, service: 'orientamento' });
  assert.equal(booked.status, 201, booked.body);

  const { page, seen } = await openConsole(t);
  await page.getByRole('button', { name: 'Appuntamenti di oggi' }).click();
  const row = page.locator('#appt-rows tr', { hasText: 'Marta' });
  await row.waitFor();
  await row.getByRole('button', { name: 'Presente' }).click();
  await page.locator('#appt-rows tr', { hasText: 'segnato presente' }).waitFor();
  assert.equal(await page.locator('#appt-rows tr', { hasText: 'Marta' }).getByRole('button', { name: 'Presente' }).getAttribute('aria-pressed'), 'true');
  const report = JSON.parse((await api('GET', `/api/reports/funnel?from=${today}&to=${today}`)).body);
  assert.equal(report.total.attended, 1);
  assert.equal(report.total.booked, 1);
  clean(seen);
});

test('the reports page draws the funnel with its numbers and exports CSV', async (t) => {
  const { page, seen, context } = await openConsole(t);
  await page.getByRole('link', { name: 'Report' }).click();
  await page.waitForURL('**/console/reports');
  await page.locator('#chart-funnel svg rect').first().waitFor();
  const today = new Date().toLocaleDateString('sv-SE', { timeZone: 'Europe/Rome' });
  const api4 = JSON.parse((await api('GET', `/api/reports/funnel?to=${today}`)).body);
  // The chart's bars and the table beside it carry the API's figures.
  for (const step of api4.steps) {
    assert.equal(await page.locator(`#chart-funnel rect[data-step="${step}"]`).getAttribute('data-value'), String(api4.total[step]), step);
    assert.equal(await page.locator(`#table-funnel tr[data-step="${step}"] td`).textContent(), String(api4.total[step]), step);
  }
  assert.equal(api4.total.first_contact, 3);
  assert.equal(await page.locator('#chart-channels svg text', { hasText: 'Telegram' }).count(), 1);
  assert.equal(await page.locator('#table-targets th', { hasText: 'Garanzia Giovani' }).count(), 1);
  assert.ok(await page.locator('#chart-weeks rect[data-step="first_contact"]').count() >= 4);
  const href = await page.locator('#csv').getAttribute('href');
  const csv = await context.request.get(server.url + href);
  assert.equal(csv.status(), 200);
  assert.match(await csv.text(), /^group,key,first_contact,consent,/);
  assert.match(csv.headers()['content-type'], /^text\/csv/);
  // One centre: nothing to choose.
  assert.equal(await page.locator('#centre').isVisible(), false);
  if (SHOTS) {
    await page.screenshot({ path: join(SHOTS, 'reports-1280x800.png'), fullPage: true });
    await page.setViewportSize({ width: 768, height: 1024 });
    await page.screenshot({ path: join(SHOTS, 'reports-768x1024.png'), fullPage: true });
  }
  clean(seen);
});

test('a regional admin picks which centre the report is of', async (t) => {
  const added = runSportello(['centres', 'add', '--name', 'CPI Molfetta'], { env: { SPORTELLO_DB: join(dir, 'desk.db') } });
  assert.equal(added.status, 0, added.stderr);
  const molfetta = added.stdout.split('\t')[0].trim();
  const { page, seen, context } = await openConsole(t);
  await page.getByRole('link', { name: 'Report' }).click();
  await page.waitForURL('**/console/reports');
  const pick = page.getByLabel('Centro');
  await pick.waitFor();
  assert.deepEqual(await pick.locator('option').allTextContents(), ['Tutta la rete', 'Porta Futuro', 'CPI Molfetta']);
  await page.locator('#chart-funnel svg rect').first().waitFor();
  const everyone = await page.locator('#table-funnel tr[data-step="first_contact"] td').textContent();
  assert.ok(Number(everyone) >= 3);
  // Molfetta has nobody yet: its own figures, its own CSV.
  await pick.selectOption({ label: 'CPI Molfetta' });
  await page.locator('#summary', { hasText: 'CPI Molfetta' }).waitFor();
  assert.equal(await page.locator('#table-funnel tr[data-step="first_contact"] td').textContent(), '0');
  const href = await page.locator('#csv').getAttribute('href');
  assert.match(href, new RegExp(`centre=${molfetta}&`));
  const csv = await (await context.request.get(server.url + href)).text();
  assert.match(csv, new RegExp(`^total,all,0,0,0,0,0,0,0,0,${molfetta}\r$`, 'm'));
  await pick.selectOption({ label: 'Tutta la rete' });
  await page.locator('#summary', { hasText: /^Dal / }).waitFor();
  assert.equal(await page.locator('#table-funnel tr[data-step="first_contact"] td').textContent(), everyone);
  clean(seen);
});

test('a conversation is transferred to another centre with a note, and the person told', async (t) => {
  let network = JSON.parse((await api('GET', '/api/centres?all=1')).body).centres;
  if (!network.some((c) => c.name === 'CPI Molfetta')) {
    const added = runSportello(['centres', 'add', '--name', 'CPI Molfetta'], { env: { SPORTELLO_DB: join(dir, 'desk.db') } });
    assert.equal(added.status, 0, added.stderr);
    network = JSON.parse((await api('GET', '/api/centres?all=1')).body).centres;
  }
  const molfetta = network.find((c) => c.name === 'CPI Molfetta');
  await webPerson('tina-9', 'Tina');
  const tina = await conversationOf('Tina');
  const { page, seen } = await openConsole(t);
  await page.locator('#queue button', { hasText: 'Tina' }).click();
  const transfer = page.getByRole('region', { name: 'Trasferisci a un altro centro' });
  await transfer.waitFor();
  // Its own centre is not offered.
  assert.deepEqual(await transfer.getByLabel('Centro').locator('option').allTextContents(), ['CPI Molfetta']);
  // No note, no transfer: the new centre must know why.
  await transfer.getByRole('button', { name: 'Trasferisci' }).click();
  await page.locator('#conv-error', { hasText: 'nota' }).waitFor();
  await transfer.getByLabel('Nota per il nuovo centro').fill('Abita a Molfetta: cerca un tirocinio');
  await transfer.getByRole('button', { name: 'Trasferisci' }).click();
  await page.locator('#pick', { hasText: 'trasferita a CPI Molfetta' }).waitFor();
  const moved = JSON.parse((await api('GET', `/api/conversations/${tina.id}`)).body);
  assert.equal(moved.centre_id, molfetta.id);
  assert.equal(moved.mode, 'waiting_for_human');
  assert.ok(moved.notes.some((n) => n.text.endsWith('Abita a Molfetta: cerca un tirocinio')));
  // The person is written to on their channel, with the way out.
  const told = moved.messages.filter((m) => m.direction === 'out' && m.author === 'bot').pop();
  assert.match(told.text, /^Ti abbiamo affidato al centro CPI Molfetta: ti scriveranno da lì.*«annulla»/);
  clean(seen);
});

for (const viewport of [{ width: 768, height: 1024 }, { width: 1280, height: 800 }]) {
  test(`${viewport.width}×${viewport.height}: the reply box and Invia are on screen without scrolling`, async (t) => {
    // Marta held by anna, whichever tests ran before.
    let marta;
    for (const mode of ['waiting_for_human', 'human', 'bot']) {
      const list = JSON.parse((await api('GET', `/api/conversations?mode=${mode}`)).body).conversations;
      marta = marta || list.find((c) => c.user.display_name === 'Marta');
    }
    assert.equal((await api('POST', `/api/conversations/${marta.id}/takeover`, {})).status, 200);
    const { page, seen } = await openConsole(t, viewport);
    await page.getByRole('tab', { name: 'In carico' }).click();
    await page.locator('#queue button', { hasText: 'Marta' }).click();
    await page.locator('#history li').first().waitFor();
    await page.evaluate(() => window.scrollTo(0, 0));
    if (SHOTS) await page.screenshot({ path: join(SHOTS, `console-${viewport.width}x${viewport.height}.png`) });
    for (const id of ['#reply', '#send']) {
      const box = await page.locator(id).boundingBox();
      assert.ok(box && box.y >= 0 && box.y + box.height <= viewport.height, `${id} at ${JSON.stringify(box)}`);
      assert.ok(box.x + box.width <= viewport.width, `${id} off the right edge`);
    }
    clean(seen);
  });
}

test('centres: a regional admin adds a centre by its comuni\' names, edits it and disables it', async (t) => {
  const { page, seen } = await openConsole(t);
  await page.getByRole('button', { name: 'Centri', exact: true }).click();
  await page.getByLabel('Nome', { exact: true }).fill(`CPI Gravina ${XSS}`);
  await page.getByLabel('Indirizzo', { exact: true }).fill('Via Roma 1, Gravina in Puglia');
  await page.getByLabel(/Comuni serviti/).fill('Gravina in Puglia, Atlantide');
  await page.getByRole('button', { name: 'Aggiungi centro' }).click();
  // What is wrong is said, and the field is where the cursor goes.
  await page.getByText('comuni: no comune \'Atlantide\'').waitFor();
  assert.equal(await page.evaluate(() => document.activeElement.id), 'ce-comuni');
  await page.getByLabel(/Comuni serviti/).fill('Gravina in Puglia');
  await page.getByRole('button', { name: 'Aggiungi centro' }).click();
  await page.getByText(/^Centro aggiunto: CPI Gravina/).waitFor();
  const row = page.locator('#ce-rows tr', { hasText: 'CPI Gravina' });
  await row.getByText('072023').waitFor();

  await row.getByRole('button', { name: /^Modifica/ }).click();
  assert.equal(await page.getByLabel('Indirizzo', { exact: true }).inputValue(), 'Via Roma 1, Gravina in Puglia');
  await page.getByLabel('Contatti', { exact: true }).fill('080 123 4567');
  await page.getByRole('button', { name: 'Salva modifiche' }).click();
  await page.getByText(/^Modifiche salvate: CPI Gravina/).waitFor();
  const saved = JSON.parse((await api('GET', '/api/centres')).body).centres.find((c) => c.name.startsWith('CPI Gravina'));
  assert.equal(saved.contacts, '080 123 4567');
  assert.equal(saved.address, 'Via Roma 1, Gravina in Puglia');
  assert.deepEqual(saved.comuni, ['072023']);

  await row.getByRole('button', { name: /^Disattiva/ }).click();
  await row.getByRole('button', { name: 'Sì, disattiva' }).click();
  await page.getByText(/^Centro disattivato: CPI Gravina/).waitFor();
  await row.getByText('disattivato', { exact: true }).waitFor();
  assert.equal(await row.getByRole('button').count(), 0);
  assert.equal(await page.locator('img').count(), 0);
  clean(seen);
});
