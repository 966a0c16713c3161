// Every page of the counsellors' console and the web chat in a real browser
// against the real binary: the Content-Security-Policy holds (no violation,
// no script error), markup people or staff wrote is shown as text wherever
// it appears (names, messages, replies, notes, event titles and places,
// appointments, notices),
// axe-core finds no serious or critical accessibility violation, and the
// console is used from the keyboard alone with the focus always visible.
//
// SPORTELLO_SCREENSHOTS=/some/dir also saves each page at 1280×800 and
// 768×1024 there.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import {
  httpPostJson, launchBrowser, runSportello, startFakeTelegram, startServer, watchPage,
} from './support.mjs';

const require = createRequire(import.meta.url);
const AXE = require.resolve('axe-core/axe.min.js');

const TOKEN = '123456:pages-test';
const SECRET = 'pages-secret';
const PASSWORD = 'una-password-lunga-42';
// Each would set window.__xss if the page ever parsed it as markup.
const XSS = {
  name: '<img src=x onerror="window.__xss=\'name\'">',
  message: '<script>window.__xss="message"</script><img src=x onerror="window.__xss=\'message\'">',
  reply: '"><svg onload="window.__xss=\'reply\'">',
  note: '<iframe srcdoc="<script>parent.__xss=\'note\'</script>"></iframe>',
  title: '<img src=x onerror="window.__xss=\'title\'">Colloqui',
  description: '<b onmouseover="window.__xss=\'description\'">descrizione</b>',
  place: '<img src=x onerror="window.__xss=\'place\'">Bari',
  notice: '<img src=x onerror="window.__xss=\'notice\'">Avviso',
  chat: '<img src=x onerror="window.__xss=\'chat\'">ciao',
  centre: '<img src=x onerror="window.__xss=\'centre\'">CPI',
  address: '<svg onload="window.__xss=\'address\'">Via Roma 1',
};
const WAIT = { timeout: 15_000 };
const SIZES = [{ width: 1280, height: 800 }, { width: 768, height: 1024 }];
const SHOTS = process.env.SPORTELLO_SCREENSHOTS || '';

let dir;
let telegram;
let server;
let browser;
let token;
let conversation;

function api(method, path, body) {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? '' : JSON.stringify(body);
    const req = httpRequest(server.url + path, {
      method,
      agent: false,
      headers: {
        authorization: `Bearer ${token}`, connection: 'close',
        'content-type': 'application/json', 'content-length': Buffer.byteLength(data),
      },
      timeout: 10_000,
    }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => { text += chunk; });
      res.on('end', () => {
        let json = null;
        try { json = JSON.parse(text); } catch { json = null; }
        resolve({ status: res.statusCode, json, text });
      });
    });
    req.on('error', reject);
    req.end(data);
  });
}

async function telegramSays(updateId, chat, firstName, text) {
  const r = await httpPostJson(`${server.url}/webhook/telegram`, {
    update_id: updateId,
    message: {
      message_id: updateId,
      from: { id: chat, is_bot: false, first_name: firstName, language_code: 'it' },
      chat: { id: chat, type: 'private', first_name: firstName },
      date: Math.floor(Date.now() / 1000),
      text,
    },
  }, { 'x-telegram-bot-api-secret-token': SECRET });
  assert.equal(r.status, 200, r.body);
}

// "YYYY-MM-DDTHH:MM" `days` from now, as the console's forms send times.
function inDays(days, hour) {
  const d = new Date(Date.now() + days * 86_400_000);
  return `${d.toLocaleDateString('sv-SE')}T${String(hour).padStart(2, '0')}:00`;
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sportello-pages-'));
  const db = join(dir, 'pages.db');
  const added = runSportello(['users', 'add', 'anna', '--role', 'admin'], {
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
      SPORTELLO_DEMO: '1',
    },
  });
  browser = await launchBrowser();

  // A script signs in with the bare POST (no Origin) and uses the Bearer token.
  const login = await httpPostJson(`${server.url}/api/login`, { username: 'anna', password: PASSWORD });
  assert.equal(login.status, 200, login.body);
  token = JSON.parse(login.body).token;

  // Markup everywhere people and staff write.
  await telegramSays(1, 7001, XSS.name, XSS.message);
  // The demo is a network of centres: the person says where they live
  // first, or the bot asks before the queue.
  await telegramSays(2, 7001, XSS.name, 'sono di Bari');
  await telegramSays(3, 7001, XSS.name, 'voglio parlare con un operatore');
  for (let i = 0; i < 100 && !conversation; i++) {
    const q = await api('GET', '/api/conversations?mode=waiting_for_human');
    conversation = q.json?.conversations?.[0]?.id;
    if (!conversation) await sleep(100);
  }
  assert.ok(conversation, 'the person never reached the queue');
  const base = `/api/conversations/${conversation}`;
  assert.equal((await api('POST', `${base}/takeover`)).status, 200);
  assert.equal((await api('POST', `${base}/messages`, { text: XSS.reply })).status, 202);
  assert.equal((await api('POST', `${base}/notes`, { text: XSS.note })).status, 201);
  const event = await api('POST', '/api/events', {
    title: XSS.title, description: XSS.description, place: XSS.place,
    starts_at: inDays(10, 9), ends_at: inDays(10, 11), capacity: 10,
  });
  assert.equal(event.status, 201, event.text);
  // Booked for the person, so their name shows in the day's appointments.
  const slot = await api('POST', '/api/slots', { service: 'curriculum', starts_at: inDays(3, 7), place: XSS.place });
  assert.equal(slot.status, 201, slot.text);
  const booked = await api('POST', `${base}/appointments`, { slot_id: slot.json.id });
  assert.equal(booked.status, 201, booked.text);
  const notice = await api('POST', '/api/broadcasts', { text: XSS.notice, audience: {}, send_at: inDays(12, 10) });
  assert.ok(notice.status >= 200 && notice.status < 300, notice.text);
  const centre = await api('POST', '/api/centres', { name: XSS.centre, address: XSS.address });
  assert.equal(centre.status, 201, centre.text);
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

// A fresh browser context: every violation of the page's policy is kept in
// window.__csp (the event fires for blocked inline code too).
async function newPage(t, { viewport = SIZES[0], bypassCSP = false, colorScheme = 'light' } = {}) {
  const context = await browser.newContext({ viewport, locale: 'it-IT', bypassCSP, colorScheme });
  context.setDefaultTimeout(WAIT.timeout);
  await context.addInitScript(() => {
    window.__csp = [];
    document.addEventListener('securitypolicyviolation',
      (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`));
  });
  const page = await context.newPage();
  const seen = watchPage(page, server.url);
  t.after(() => context.close());
  return { page, seen };
}

async function logIn(page) {
  await page.goto(server.url + '/console');
  await page.getByLabel('Nome utente').fill('anna');
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Entra' }).click();
  await page.getByRole('tab', { name: /In attesa/ }).waitFor();
}

// Every page, in order; each leaves the browser showing it, with the
// user-written text it holds on screen.
const PAGES = [
  {
    name: 'login',
    open: async (page) => {
      await page.goto(server.url + '/console');
      await page.getByLabel('Nome utente').waitFor();
    },
  },
  {
    name: 'conversation',
    open: async (page) => {
      await logIn(page);
      await page.getByRole('tab', { name: 'In carico' }).click();
      await page.locator('#queue button', { hasText: XSS.name }).click();
      await page.locator('#history li.in', { hasText: XSS.message }).waitFor();
      await page.locator('#history li.out', { hasText: XSS.reply }).waitFor();
      await page.locator('#history li.note', { hasText: XSS.note }).waitFor();
      await page.locator('#conv-title', { hasText: XSS.name }).waitFor();
    },
  },
  {
    name: 'appointments',
    open: async (page) => {
      await logIn(page);
      await page.getByRole('button', { name: 'Appuntamenti di oggi' }).click();
      await page.locator('#appointments').waitFor();
      await page.locator('#appt-date').fill(inDays(3, 7).slice(0, 10));
      await page.locator('#appt-rows tr', { hasText: XSS.name }).waitFor();
      await page.locator('#appt-rows tr', { hasText: XSS.place }).waitFor();
    },
  },
  {
    name: 'profiles',
    open: async (page) => {
      await logIn(page);
      await page.getByRole('button', { name: 'Cerca profili' }).click();
      await page.getByRole('button', { name: 'Cerca', exact: true }).click();
      await page.locator('#ps-rows tr, #ps-empty:not(.hidden)').first().waitFor();
    },
  },
  {
    name: 'events',
    open: async (page) => {
      await logIn(page);
      await page.getByRole('button', { name: 'Eventi' }).click();
      await page.locator('#ev-rows tr', { hasText: XSS.title }).waitFor();
      await page.locator('#ev-rows', { hasText: XSS.place }).waitFor();
    },
  },
  {
    name: 'broadcasts',
    open: async (page) => {
      await logIn(page);
      await page.getByRole('button', { name: 'Notifiche' }).click();
      await page.locator('#bc-rows tr', { hasText: XSS.notice }).waitFor();
    },
  },
  {
    name: 'centres',
    open: async (page) => {
      await logIn(page);
      await page.getByRole('button', { name: 'Centri', exact: true }).click();
      await page.locator('#ce-rows tr', { hasText: XSS.centre }).waitFor();
      await page.locator('#ce-rows tr', { hasText: XSS.address }).waitFor();
    },
  },
  {
    name: 'reports',
    open: async (page) => {
      await logIn(page);
      await page.getByRole('link', { name: 'Report' }).click();
      await page.waitForURL('**/console/reports');
      await page.locator('#chart-funnel svg rect').first().waitFor();
    },
  },
  {
    name: 'webchat',
    open: async (page) => {
      await page.goto(server.url + '/');
      await page.getByLabel('Scrivi un messaggio').fill(XSS.chat);
      await page.keyboard.press('Enter');
      await page.locator('#log .row.user .text', { hasText: XSS.chat }).waitFor();
      await page.locator('#log .row.bot').first().waitFor();
    },
  },
];

test('every page keeps to its Content-Security-Policy and shows written markup as text', async (t) => {
  if (SHOTS) await mkdir(SHOTS, { recursive: true });
  for (const viewport of SIZES) {
    for (const p of PAGES) {
      await t.test(`${p.name} at ${viewport.width}×${viewport.height}`, async (st) => {
        const { page, seen } = await newPage(st, { viewport });
        await p.open(page);
        await sleep(300);  // a late handler or image error would show by now
        if (SHOTS) await page.screenshot({ path: join(SHOTS, `${p.name}-${viewport.width}x${viewport.height}.png`) });
        assert.equal(await page.evaluate(() => window.__xss), undefined, 'markup ran');
        assert.deepEqual(await page.evaluate(() => window.__csp), [], 'CSP violations');
        assert.equal(await page.locator('main img, main svg:not([aria-hidden]) foreignObject, main iframe, #log img, #log iframe').count(), 0,
          'markup became elements');
        assert.deepEqual(seen.errors, [], 'script or CSP errors');
        assert.deepEqual(seen.dialogs, [], 'dialogs');
        assert.deepEqual(seen.foreign, [], 'requests to other hosts');
      });
    }
  }
});

test('injected inline script is blocked by the policy', async (t) => {
  const { page } = await newPage(t);
  await page.goto(server.url + '/console');
  await page.evaluate(() => {
    const s = document.createElement('script');
    s.textContent = 'window.__xss = "injected"';
    document.body.append(s);
    const d = document.createElement('div');
    d.innerHTML = '<img src="data:," onerror="window.__xss=\'handler\'">';
    document.body.append(d);
  });
  await sleep(200);
  assert.equal(await page.evaluate(() => window.__xss), undefined);
  const violations = await page.evaluate(() => window.__csp);
  assert.ok(violations.some((v) => v.startsWith('script-src')), violations.join('\n'));
});

test('axe-core finds no serious or critical violation on any page, light or dark', async (t) => {
  const found = [];
  for (const colorScheme of ['light', 'dark']) {
    for (const viewport of SIZES) {
      for (const p of PAGES) {
        // The policy would refuse axe's own script: it is injected into a
        // context that ignores the policy, for this check only.
        const { page } = await newPage(t, { viewport, bypassCSP: true, colorScheme });
        await p.open(page);
        await page.addScriptTag({ path: AXE });
        const result = await page.evaluate(() => window.axe.run(document, {
          runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
        }));
        for (const v of result.violations) {
          if (v.impact !== 'serious' && v.impact !== 'critical') continue;
          found.push(`${p.name} ${colorScheme} ${viewport.width}: ${v.id} (${v.impact}) ${v.help}\n    ` +
            v.nodes.slice(0, 4).map((n) => `${n.target.join(' ')}: ${n.failureSummary.split('\n').slice(1, 2).join('')}`).join('\n    '));
        }
        await page.context().close();
      }
    }
  }
  assert.deepEqual(found, []);
});

// What the focused element is and whether it shows it has the focus: inside
// the viewport, with a size, and an outline or shadow of its own.
function focusState(page) {
  return page.evaluate(() => {
    const e = document.activeElement;
    if (!e || e === document.body) return null;
    const r = e.getBoundingClientRect();
    // The element's own outline or shadow, or its field's (the web chat
    // draws the ring around the box that holds the text and the button).
    const shows = (n) => {
      const s = getComputedStyle(n);
      return (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2) || (s.boxShadow && s.boxShadow !== 'none');
    };
    const field = e.parentElement?.closest(':focus-within');
    const label = (e.getAttribute('aria-label') || e.labels?.[0]?.textContent || e.textContent || e.id || e.tagName).trim().replace(/\s+/g, ' ').slice(0, 60);
    return {
      label, tag: e.tagName.toLowerCase(), id: e.id, cls: String(e.className),
      visible: r.width > 0 && r.height > 0 && r.bottom > 0 && r.right > 0 && r.top < innerHeight && r.left < innerWidth,
      style: `${getComputedStyle(e).outline} / ${getComputedStyle(e).boxShadow} / focus-visible ${e.matches(':focus-visible')}`,
      indicated: shows(e) || (!!field && field.matches('.field') && shows(field)),
    };
  });
}

// Tabs until `want` (a predicate on the focus state) holds; checks every stop
// on the way. Returns the states passed.
async function tabTo(page, want, what, limit = 80) {
  const passed = [];
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press('Tab');
    const f = await focusState(page);
    if (!f) continue;
    passed.push(f);
    assert.ok(f.visible, `focus on an invisible control: ${JSON.stringify(f)}`);
    assert.ok(f.indicated, `focus not shown on ${JSON.stringify(f)}`);
    if (want(f)) return passed;
  }
  assert.fail(`never reached ${what} by Tab; passed:\n${passed.map((f) => f.label).join('\n')}`);
}

test('the console works from the keyboard alone, with the focus always visible', async (t) => {
  for (const viewport of SIZES) {
    const { page, seen } = await newPage(t, { viewport });
    await page.goto(server.url + '/console');
    // The page puts the focus on the name field, once its script has run
    // (after the load event: on a busy machine that is a moment later).
    await page
      .waitForFunction(() => document.activeElement?.id === 'username', null, { timeout: 10000 })
      .catch(() => {});
    assert.equal((await focusState(page))?.id, 'username');
    await page.keyboard.type('anna');
    await tabTo(page, (f) => f.id === 'password', 'the password');
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press('Enter');
    await page.getByRole('tab', { name: /In attesa/ }).waitFor();

    // The queue: the tab "In carico", then the conversation in it.
    await tabTo(page, (f) => f.label.startsWith('In carico'), 'the tab In carico');
    await page.keyboard.press('Enter');
    await page.locator('#queue button', { hasText: XSS.name }).waitFor();
    await tabTo(page, (f) => f.label.includes(XSS.name), 'the conversation in the queue');
    await page.keyboard.press('Enter');
    await page.locator('#history li.note').waitFor();
    await tabTo(page, (f) => f.id === 'reply', 'the reply box');
    // One reply per screen size, each told apart from the one before.
    const reply = `Risposta dalla tastiera a ${viewport.width}×${viewport.height}`;
    await page.keyboard.type(reply);
    await page.keyboard.press('Control+Enter');
    await page.locator('#history li.out', { hasText: reply }).waitFor();

    // The sections, from the top of the page.
    await page.evaluate(() => document.activeElement?.blur());
    await tabTo(page, (f) => f.label === 'Eventi', 'the section Eventi');
    await page.keyboard.press('Enter');
    await page.locator('#ev-rows tr').first().waitFor();
    await tabTo(page, (f) => f.id === 'ev-title', "the event's title");
    await page.evaluate(() => document.activeElement?.blur());
    await tabTo(page, (f) => f.label === 'Notifiche', 'the section Notifiche');
    await page.keyboard.press('Enter');
    await tabTo(page, (f) => f.id === 'bc-text', "the notice's text");
    await page.evaluate(() => document.activeElement?.blur());
    await tabTo(page, (f) => f.label === 'Esci', 'Esci');
    await page.keyboard.press('Enter');
    await page.getByLabel('Nome utente').waitFor();
    assert.deepEqual(seen.errors, []);
  }
});

test('the web chat works from the keyboard alone, with the focus always visible', async (t) => {
  const { page } = await newPage(t, { viewport: SIZES[1] });
  await page.goto(server.url + '/');
  await tabTo(page, (f) => f.tag === 'textarea' || f.label === 'Scrivi un messaggio', 'the message box');
  await page.keyboard.type('ciao');
  await page.keyboard.press('Enter');
  await page.locator('#log .chip').first().waitFor();
  // The bot's reply buttons, one Tab away each; Enter presses one.
  const sent = await page.locator('#log .row.user').count();
  const chip = (await tabTo(page, (f) => f.cls.includes('chip'), 'a reply button')).at(-1);
  await page.keyboard.press('Enter');
  await page.locator('#log .row.user').nth(sent).waitFor();
  assert.equal((await page.locator('#log .row.user .text').nth(sent).textContent()).trim(), chip.label);
});
