// The counsellors' console (GET /console) in a real browser against the real
// binary and a fake Telegram Bot API: a counsellor logs in, sees a young
// person's request appear without reloading, takes the conversation over,
// replies (Telegram receives it), and hands it back to the bot. What people
// wrote is shown as text, never run as markup.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import {
  httpPostJson, launchBrowser, runSportello, startFakeTelegram, startServer, watchPage,
} from './support.mjs';

const TOKEN = '123456:console-test';
const SECRET = 'console-secret';
const PASSWORD = 'una-password-lunga-42';
const XSS = '<img src=x onerror=alert(1)>';
const WAIT = { timeout: 15_000 };

let dir;
let telegram;
let server;
let browser;
let updateId = 1;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sportello-console-'));
  const db = join(dir, 'console.db');
  const added = runSportello(['users', 'add', 'anna', '--role', 'counsellor'], {
    env: { SPORTELLO_DB: db }, input: PASSWORD + '\n',
  });
  assert.equal(added.status, 0, added.stderr);
  telegram = await startFakeTelegram(TOKEN);
  server = await startServer({
    env: {
      SPORTELLO_DB: db,
      TELEGRAM_BOT_TOKEN: TOKEN,
      TELEGRAM_WEBHOOK_SECRET: SECRET,
      TELEGRAM_API_BASE: telegram.base,
      SPORTELLO_DEMO: '1',  // counsellors' slots to book from the console
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

// A Telegram message from the person with chat id `chat`, as Telegram posts it.
async function telegramSays(chat, firstName, text) {
  const update = {
    update_id: updateId++,
    message: {
      message_id: updateId,
      from: { id: chat, is_bot: false, first_name: firstName, language_code: 'it' },
      chat: { id: chat, type: 'private', first_name: firstName },
      date: Math.floor(Date.now() / 1000),
      text,
    },
  };
  const r = await httpPostJson(`${server.url}/webhook/telegram`, update,
    { 'x-telegram-bot-api-secret-token': SECRET });
  assert.equal(r.status, 200, r.body);
}

async function waitForText(predicate, what) {
  for (let i = 0; i < 150; i++) {
    if (telegram.texts().some(predicate)) return;
    await sleep(100);
  }
  assert.fail(`Telegram never received ${what}; got:\n${telegram.texts().join('\n---\n')}`);
}

async function openConsole(t) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'it-IT' });
  context.setDefaultTimeout(WAIT.timeout);
  const page = await context.newPage();
  const seen = watchPage(page, server.url);
  t.after(() => context.close());
  const response = await page.goto(server.url + '/console');
  assert.equal(response.status(), 200);
  return { page, seen };
}

async function logIn(page, password = PASSWORD) {
  await page.getByLabel('Nome utente').fill('anna');
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Entra' }).click();
}

test('a wrong password is refused with a clear message', async (t) => {
  const { page, seen } = await openConsole(t);
  await logIn(page, 'sbagliata-davvero');
  await page.getByText('Nome utente o password non validi.').waitFor();
  assert.deepEqual(seen.foreign, []);
  assert.deepEqual(seen.errors, []);
});

test('log in, see a request appear live, take over, reply, release', async (t) => {
  const { page, seen } = await openConsole(t);
  await logIn(page);
  await page.getByRole('tab', { name: /In attesa/ }).waitFor();

  // The person asks for someone after the console is open: no reload.
  await telegramSays(5551, 'Giulia', 'ciao');
  // The demo is a network of centres: Giulia says where she lives first,
  // or the bot asks before the queue.
  await telegramSays(5551, 'Giulia', 'sono di Bari');
  await telegramSays(5551, 'Giulia', 'voglio parlare con un operatore');
  const item = page.locator('#queue button', { hasText: 'Giulia' });
  await item.waitFor({ timeout: 5_000 });
  await item.click();
  await page.locator('#history li.in', { hasText: 'voglio parlare con un operatore' }).waitFor();

  await page.getByRole('button', { name: 'Prendi in carico' }).click();
  await page.locator('#conv-mode', { hasText: 'con un operatore' }).waitFor();

  // The person is told who joined (through the sender, so not at once).
  await waitForText((s) => s.includes('sono anna del centro'), 'the counsellor joining');
  // While a person holds it, the bot is silent; the message shows up here.
  const before = telegram.texts().length;
  await telegramSays(5551, 'Giulia', 'grazie, aspetto');
  await page.locator('#history li.in', { hasText: 'grazie, aspetto' }).waitFor();
  await sleep(500);
  assert.equal(telegram.texts().length, before, 'the bot answered during a takeover');

  await page.getByLabel("Risposta all'utente").fill('Ciao Giulia, sono Anna: come posso aiutarti?');
  await page.getByRole('button', { name: 'Invia' }).click();
  await waitForText((s) => s.includes('sono Anna: come posso aiutarti?'), "the counsellor's reply");
  await page.locator('#history li.out', { hasText: 'come posso aiutarti?' }).waitFor();

  await page.getByLabel('Nota interna (non viene inviata)').fill('Chiede di un tirocinio');
  await page.getByRole('button', { name: 'Salva nota' }).click();
  await page.locator('#history li.note', { hasText: 'Chiede di un tirocinio' }).waitFor();
  assert.equal(telegram.texts().some((s) => s.includes('tirocinio')), false, 'a note reached the person');

  // Booking on the person's behalf: Tuesdays have online slots for any
  // service in the demo data, unless the centre is closed that day (a public
  // holiday: then the next Tuesday).
  const day = new Date();
  let offered = false;
  for (let week = 0; week < 3 && !offered; week++) {
    do day.setDate(day.getDate() + 1); while (day.getDay() !== 2);
    await page.getByLabel('Giorno', { exact: true }).first().fill(day.toLocaleDateString('sv-SE'));
    await page.getByRole('button', { name: 'Orari liberi' }).click();
    offered = await page.locator('#book-slots button').first()
      .waitFor({ timeout: 3000 }).then(() => true, () => false);
  }
  assert.ok(offered, 'no Tuesday in the next three weeks offered a slot');
  await page.locator('#book-slots button').first().click();
  await page.getByText("Prenotato: la conferma è stata inviata all'utente.").waitFor();
  await waitForText((s) => s.includes('✅ Prenotato!'), 'the booking confirmation');

  const beforeRelease = telegram.texts().length;
  await page.getByRole('button', { name: 'Restituisci al bot' }).click();
  await page.locator('#conv-mode', { hasText: 'con il bot' }).waitFor();
  for (let i = 0; i < 100 && telegram.texts().length === beforeRelease; i++) await sleep(100);
  assert.ok(telegram.texts().length > beforeRelease, 'the person was not told about the hand-back');

  assert.deepEqual(seen.foreign, [], 'requests to other hosts');
  assert.deepEqual(seen.dialogs, [], 'dialogs');
  assert.deepEqual(seen.errors, [], 'script or CSP errors');
});

test('markup written by a person is shown as text', async (t) => {
  const { page, seen } = await openConsole(t);
  await logIn(page);
  await telegramSays(5552, XSS, XSS);
  await telegramSays(5552, XSS, 'sono di Bari');
  await telegramSays(5552, XSS, 'voglio parlare con un operatore');
  const item = page.locator('#queue button', { hasText: XSS });
  await item.waitFor({ timeout: 5_000 });
  await item.click();
  await page.locator('#history li.in', { hasText: XSS }).first().waitFor();
  assert.equal(await page.locator('#history img, #queue img').count(), 0);
  await sleep(300);
  assert.deepEqual(seen.dialogs, [], 'the markup ran');
  assert.deepEqual(seen.errors, []);
});
