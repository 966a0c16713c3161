// Events and notices in the counsellors' console, in a real browser against
// the real binary and a fake Telegram Bot API: a counsellor creates an event,
// announces it to a filtered audience whose size the page previews, sees the
// counters reach everyone while the notice goes out (Telegram receives it
// with the "Mi iscrivo" button), and cancels a scheduled notice before it
// leaves. An event title with markup is shown as text.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import {
  launchBrowser, runSportello, startFakeTelegram, startServer, watchPage,
} from './support.mjs';

const TOKEN = '123456:broadcast-test';
const PASSWORD = 'una-password-lunga-42';
const XSS = '<img src=x onerror=alert(1)>';
const TITLE = `Recruiting day ${XSS}`;
const WAIT = { timeout: 15_000 };

// Front-desk contacts who consented to notices: three on Telegram (two in
// the province of Bari), one on WhatsApp.
const CONTACTS = [
  'channel,address,name,comune,birth_year,consent_at,topics',
  'telegram,7001,Marco,Bari,2003,2026-01-10,lavoro',
  'telegram,7002,Sara,Molfetta,2001,2026-01-10,lavoro',
  'telegram,7003,Luigi,Lecce,1970,2026-01-10,formazione',
  'whatsapp,393330000001,Ada,Bari,2000,2026-01-10,lavoro',
].join('\n') + '\n';

let dir;
let telegram;
let server;
let browser;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sportello-broadcasts-'));
  const db = join(dir, 'broadcasts.db');
  const added = runSportello(['users', 'add', 'anna', '--role', 'counsellor'], {
    env: { SPORTELLO_DB: db }, input: PASSWORD + '\n',
  });
  assert.equal(added.status, 0, added.stderr);
  // A second centre, which nobody belongs to yet, and a regional admin.
  const centre = runSportello(['centres', 'add', '--name', 'CPI Molfetta'], { env: { SPORTELLO_DB: db } });
  assert.equal(centre.status, 0, centre.stderr);
  const admin = runSportello(['users', 'add', 'capo', '--role', 'admin'], {
    env: { SPORTELLO_DB: db }, input: PASSWORD + '\n',
  });
  assert.equal(admin.status, 0, admin.stderr);
  const csv = join(dir, 'contacts.csv');
  await writeFile(csv, CONTACTS);
  const imported = runSportello(['contacts', 'import', csv], { env: { SPORTELLO_DB: db } });
  assert.equal(imported.status, 0, imported.stderr);
  telegram = await startFakeTelegram(TOKEN);
  server = await startServer({
    env: {
      SPORTELLO_DB: db,
      TELEGRAM_BOT_TOKEN: TOKEN,
      TELEGRAM_WEBHOOK_SECRET: 'broadcast-secret',
      TELEGRAM_API_BASE: telegram.base,
    },
  });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  const end = await server?.stop();
  await telegram?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
  if (end) {
    assert.equal(end.sanitizer, false, `sanitizer report:\n${server.output()}`);
    assert.equal(end.killed, false, `sportello did not stop on SIGTERM:\n${server.output()}`);
  }
});

// "YYYY-MM-DDTHH:MM" on Rome's clock, `days` from now: what a
// datetime-local input holds.
function romeInput(days, time) {
  const day = new Date(Date.now() + days * 86_400_000).toLocaleDateString('sv-SE', { timeZone: 'Europe/Rome' });
  return `${day}T${time}`;
}

async function openConsole(t, user = 'anna') {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'it-IT', timezoneId: 'Europe/Rome' });
  context.setDefaultTimeout(WAIT.timeout);
  const page = await context.newPage();
  const seen = watchPage(page, server.url);
  t.after(() => context.close());
  const response = await page.goto(server.url + '/console');
  assert.equal(response.status(), 200);
  await page.getByLabel('Nome utente').fill(user);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Entra' }).click();
  await page.getByRole('tab', { name: /In attesa/ }).waitFor();
  return { page, seen };
}

async function waitForCalls(n) {
  for (let i = 0; i < 150 && telegram.calls.filter((c) => c.method === 'sendMessage').length < n; i++) await sleep(100);
  return telegram.calls.filter((c) => c.method === 'sendMessage');
}

test('create an event, announce it to a filtered audience, follow it, cancel a scheduled notice', async (t) => {
  const { page, seen } = await openConsole(t);

  await page.getByRole('button', { name: 'Eventi' }).click();
  await page.getByLabel('Titolo').fill(TITLE);
  await page.getByLabel('Inizio').fill(romeInput(7, '10:00'));
  await page.getByLabel('Fine').fill(romeInput(7, '13:00'));
  await page.getByLabel('Luogo (indirizzo o «online»)').fill('Fiera del Levante, Bari');
  await page.getByLabel('Posti').fill('30');
  await page.getByRole('button', { name: 'Crea evento' }).click();
  await page.getByText('Evento creato.').waitFor();
  // The title, markup and all, is text in the list.
  await page.locator('#ev-rows td', { hasText: TITLE }).waitFor();
  assert.equal(await page.locator('#ev-rows img').count(), 0);

  await page.getByRole('button', { name: 'Notifiche' }).click();
  await page.locator('#bc-preview', { hasText: /^4$/ }).waitFor();
  await page.getByLabel('Evento (con «Mi iscrivo»)').check();
  await page.locator('#bc-event option', { hasText: TITLE }).waitFor({ state: 'attached' });
  await page.getByLabel('Canale').selectOption('telegram');
  await page.locator('#bc-preview', { hasText: /^3$/ }).waitFor();
  await page.getByLabel('Province (sigle)').fill('BA');
  await page.locator('#bc-preview', { hasText: /^2$/ }).waitFor();

  await page.getByRole('button', { name: 'Invia notifica' }).click();
  await page.getByText('Notifica in invio a 2 destinatari.').waitFor();
  // The list is read again every 2 s: sent reaches the recipients.
  const sent = page.locator('#bc-rows tr[data-status="done"]');
  await sent.waitFor();
  assert.equal(await sent.locator('.bc-recipients').textContent(), '2');
  assert.equal(await sent.locator('.bc-sent').textContent(), '2');
  assert.equal(await page.locator('#bc-rows img').count(), 0);

  const calls = await waitForCalls(2);
  assert.equal(calls.length, 2, JSON.stringify(calls));
  assert.deepEqual(calls.map((c) => String(c.body.chat_id)).sort(), ['7001', '7002']);
  for (const call of calls) {
    assert.ok(String(call.body.text).includes(TITLE), call.body.text);
    const buttons = (call.body.reply_markup?.inline_keyboard || []).flat();
    assert.ok(buttons.some((b) => b.text === 'Mi iscrivo' && /^events:join:\d+$/.test(b.callback_data)), JSON.stringify(buttons));
  }

  // A text notice for tomorrow, cancelled before it is due.
  await page.locator('#bc-kind-text').check();
  await page.getByLabel('Testo della notifica').fill('Venerdì lo sportello resta chiuso.');
  await page.getByLabel('Programma per (facoltativo)').fill(romeInput(1, '10:00'));
  await page.getByRole('button', { name: 'Invia notifica' }).click();
  await page.getByText('Notifica programmata per 2 destinatari.').waitFor();
  const scheduled = page.locator('#bc-rows tr[data-status="scheduled"]');
  await scheduled.getByRole('button', { name: 'Annulla invio' }).click();
  await scheduled.getByRole('button', { name: "Sì, annulla l'invio" }).click();
  await page.getByText('Invio annullato.').waitFor();
  await page.locator('#bc-rows tr[data-status="cancelled"]', { hasText: 'Venerdì lo sportello' }).waitFor();
  await sleep(500);
  assert.equal(telegram.texts().some((s) => s.includes('sportello resta chiuso')), false);

  assert.deepEqual(seen.foreign, [], 'requests to other hosts');
  assert.deepEqual(seen.dialogs, [], 'dialogs (or the markup ran)');
  assert.deepEqual(seen.errors, [], 'script or CSP errors');
});

test('cancelling an event asks first, then says how many were told', async (t) => {
  const { page, seen } = await openConsole(t);
  await page.getByRole('button', { name: 'Eventi' }).click();
  await page.getByLabel('Titolo').fill('Seminario Erasmus');
  await page.getByLabel('Inizio').fill(romeInput(9, '15:00'));
  await page.getByLabel('Fine').fill(romeInput(9, '17:00'));
  await page.getByLabel('Luogo (indirizzo o «online»)').fill('online');
  await page.getByLabel('Posti').fill('10');
  await page.getByRole('button', { name: 'Crea evento' }).click();
  // Online without a link: the form says which field.
  await page.getByText(/^Controlla il campo «Link»/).waitFor();
  await page.getByLabel('Link (facoltativo)').fill('https://meet.example.org/erasmus');
  await page.getByRole('button', { name: 'Crea evento' }).click();
  await page.getByText('Evento creato.').waitFor();

  const row = page.locator('#ev-rows tr', { hasText: 'Seminario Erasmus' });
  await row.getByRole('button', { name: 'Annulla evento' }).click();
  await row.getByText('Le persone iscritte e in attesa verranno avvisate. Confermi?').waitFor();
  await row.getByRole('button', { name: 'No', exact: true }).click();
  await row.getByRole('button', { name: 'Annulla evento' }).click();
  await row.getByRole('button', { name: "Sì, annulla l'evento" }).click();
  await page.getByText('Evento annullato: 0 persone avvisate.').waitFor();
  await page.locator('#ev-rows tr', { hasText: 'Seminario Erasmus' }).waitFor({ state: 'detached' });
  await page.getByLabel('Mostra anche passati e annullati').check();
  await page.locator('#ev-rows tr', { hasText: 'Seminario Erasmus' }).getByText('annullato').waitFor();

  assert.deepEqual(seen.dialogs, []);
  assert.deepEqual(seen.errors, []);
});

test('profile answers and event sign-ups narrow the audience too', async (t) => {
  const { page, seen } = await openConsole(t);
  await page.getByRole('button', { name: 'Notifiche' }).click();
  await page.locator('#bc-preview', { hasText: /^4$/ }).waitFor();

  // The questions come from the questionnaire, with their Italian labels.
  const status = page.locator('#bc-profile-status');
  await status.locator('option', { hasText: 'Cerco lavoro' }).waitFor({ state: 'attached' });
  assert.equal(await page.locator('#bc-profile-name').count(), 0);  // no options, no filter
  // Front-desk contacts have no profile answers yet: nobody matches.
  await status.selectOption('disoccupato');
  await page.locator('#bc-preview', { hasText: /^0$/ }).waitFor();
  await status.selectOption('');
  await page.locator('#bc-preview', { hasText: /^4$/ }).waitFor();

  // Nobody has signed up for the event created above.
  const signedUp = page.getByLabel("Iscritti all'evento");
  await signedUp.locator('option', { hasText: 'Recruiting day' }).waitFor({ state: 'attached' });
  await signedUp.selectOption({ index: 1 });
  await page.locator('#bc-preview', { hasText: /^0$/ }).waitFor();
  assert.equal(await page.locator('#bc-msg').isVisible(), false);  // no refused field
  assert.deepEqual(seen.dialogs, []);
  assert.deepEqual(seen.errors, []);
});

test('a regional admin chooses the centres whose people get a notice', async (t) => {
  const { page, seen } = await openConsole(t, 'capo');
  await page.getByRole('button', { name: 'Notifiche' }).click();
  // The whole region by default: every subscriber, of either centre.
  const centres = page.locator('#bc-centres');
  const region = centres.getByLabel('Tutta la regione');
  await region.waitFor();
  assert.equal(await region.isChecked(), true);
  await page.locator('#bc-preview', { hasText: /^4$/ }).waitFor();
  const molfetta = centres.getByLabel('CPI Molfetta');
  assert.equal(await molfetta.isDisabled(), true);

  // The contacts are the first centre's: Molfetta's people are nobody yet.
  await region.uncheck();
  await page.locator('#bc-preview', { hasText: /^4$/ }).waitFor();
  await centres.getByLabel('Porta Futuro').uncheck();
  await page.locator('#bc-preview', { hasText: /^0$/ }).waitFor();
  await page.getByLabel('Testo della notifica').fill('Nuovo sportello a Molfetta');
  await page.getByRole('button', { name: 'Invia notifica' }).click();
  await page.getByText('Notifica in invio a 0 destinatari.').waitFor();
  assert.deepEqual(seen.dialogs, []);
  assert.deepEqual(seen.errors, []);
});

test('staff of one centre are not asked for centres', async (t) => {
  const { page, seen } = await openConsole(t);
  await page.getByRole('button', { name: 'Notifiche' }).click();
  await page.locator('#bc-preview', { hasText: /^4$/ }).waitFor();
  assert.equal(await page.locator('#bc-centres').isVisible(), false);
  assert.deepEqual(seen.errors, []);
});
