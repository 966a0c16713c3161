// The web chat page (GET /) in a real browser against the real binary:
// what a young person sees and can do, from the first "ciao" to a reload.
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { httpGet, launchBrowser, startServer, watchPage } from './support.mjs';

const ADDRESS = 'Via del Collaudo 7, Testopoli';  // SPORTELLO_CENTRE_ADDRESS, shown by Info
const WAIT = { timeout: 15_000 };
const PHONE = { width: 390, height: 844 };
const LAPTOP = { width: 1280, height: 800 };

let server;
let browser;

before(async () => {
  server = await startServer({ env: { SPORTELLO_CENTRE_ADDRESS: ADDRESS } });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  const end = await server?.stop();
  if (end) {
    assert.equal(end.sanitizer, false, `sanitizer report:\n${server.output()}`);
    assert.equal(end.killed, false, `sportello did not stop on SIGTERM:\n${server.output()}`);
  }
});

// A fresh visitor (own localStorage) on the chat page. Every test ends by
// checking the page stayed on our server, opened no dialog and threw nothing.
async function openChat(t, { viewport = LAPTOP, mobile = false } = {}) {
  const context = await browser.newContext({
    viewport,
    locale: 'it-IT',
    hasTouch: mobile,
    isMobile: mobile,
    deviceScaleFactor: mobile ? 2 : 1,
  });
  context.setDefaultTimeout(WAIT.timeout);
  const page = await context.newPage();
  const seen = watchPage(page, server.url);
  t.after(() => context.close());
  const response = await page.goto(server.url + '/');
  assert.equal(response.status(), 200);
  await page.locator('#input').waitFor();
  return { page, seen, context };
}

function assertWellBehaved(seen) {
  assert.deepEqual(seen.foreign, [], 'requests to other hosts');
  assert.deepEqual(seen.dialogs, [], 'dialogs');
  assert.deepEqual(seen.errors, [], 'script or CSP errors');
}

const input = (page) => page.getByLabel('Scrivi un messaggio');
const sendButton = (page) => page.getByRole('button', { name: 'Invia' });
const userTexts = (page) => page.locator('#log .row.user .text').allTextContents();
const botTexts = (page) => page.locator('#log .row.bot .text').allTextContents();
const isChatPost = (r) => r.method() === 'POST' && new URL(r.url()).pathname === '/api/chat';

// Waits until more than `before` bot messages are shown and nothing is pending.
async function waitForBot(page, before) {
  await page.waitForFunction(
      (n) => document.querySelectorAll('#log .row.bot').length > n &&
             document.getElementById('typing').hidden,
      before, WAIT);
}

async function botCount(page) {
  return page.locator('#log .row.bot').count();
}

// Types `text`, presses Enter and returns the JSON the page posted and the
// JSON the server answered, once the replies are on screen.
async function say(page, text) {
  const before = await botCount(page);
  await input(page).fill(text);
  const [request, response] = await Promise.all([
    page.waitForRequest(isChatPost, WAIT),
    page.waitForResponse((r) => isChatPost(r.request()), WAIT),
    input(page).press('Enter'),
  ]);
  await waitForBot(page, before);
  return { sent: request.postDataJSON(), answer: await response.json() };
}

describe('web chat page', { timeout: 240_000 }, () => {
  test('a first ciao gets the welcome and the menu as buttons', { timeout: 60_000 }, async (t) => {
    const { page, seen } = await openChat(t);
    assert.equal(await page.locator('#empty').isVisible(), true, 'an empty chat invites to write');
    assert.equal(await sendButton(page).isDisabled(), true, 'nothing to send yet');
    await input(page).fill('   ');
    assert.equal(await sendButton(page).isDisabled(), true, 'blanks are not a message');

    const { sent, answer } = await say(page, 'ciao');

    assert.match(sent.user, /^[0-9a-f]{32}$/, '128 random bits as hex');
    assert.equal(sent.text, 'ciao');
    assert.match(sent.id, /^[0-9a-f]{8,64}$/, 'each message carries its own id');
    assert.equal(typeof sent.lang, 'string');
    assert.deepEqual(await userTexts(page), ['ciao']);
    assert.ok(answer.replies.length >= 1);
    const shown = await botTexts(page);
    assert.deepEqual(shown, answer.replies.map((r) => r.text).filter(Boolean), 'every reply is shown');
    assert.match(shown.join('\n'), /Ciao/, 'the welcome greets');
    const ids = await page.locator('#log .chip').evaluateAll((chips) => chips.map((c) => c.dataset.buttonId));
    const titles = await page.locator('#log .chip').allTextContents();
    const expected = answer.replies.flatMap((r) => r.buttons);
    assert.ok(expected.length >= 2, 'the menu comes with buttons');
    assert.deepEqual(ids, expected.map((b) => b.id));
    assert.deepEqual(titles, expected.map((b) => b.title));
    assert.ok(ids.includes('menu:info'));
    assert.equal(await page.locator('#log time').first().textContent().then((s) => /^\d\d:\d\d$/.test(s)), true,
                 'messages show their time');
    assert.equal(await input(page).inputValue(), '', 'the box is emptied');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'input', 'focus stays in the box');
    assert.equal(await page.locator('#empty').isVisible(), false);
    assert.equal(await page.locator('#error').isVisible(), false);
    assertWellBehaved(seen);
  });

  test('tapping a menu button sends its id and shows the answer', { timeout: 60_000 }, async (t) => {
    const { page, seen } = await openChat(t);
    const { answer } = await say(page, 'ciao');
    const info = answer.replies.flatMap((r) => r.buttons).find((b) => b.id === 'menu:info');
    assert.ok(info, 'the menu offers info');

    const before = await botCount(page);
    const [request] = await Promise.all([
      page.waitForRequest(isChatPost, WAIT),
      page.getByRole('button', { name: info.title, exact: true }).last().click(),
    ]);
    await waitForBot(page, before);

    const sent = request.postDataJSON();
    assert.equal(sent.button, 'menu:info');
    assert.equal(sent.title, info.title);
    assert.equal(sent.text, undefined);
    assert.equal((await userTexts(page)).at(-1), info.title, 'the pressed title is the user\'s bubble');
    const replies = (await botTexts(page)).slice(before).join('\n');
    assert.ok(replies.includes(ADDRESS), `info shows the centre's address, got: ${replies}`);
    assertWellBehaved(seen);
  });

  test('the chat is usable with the keyboard alone', { timeout: 60_000 }, async (t) => {
    const { page, seen } = await openChat(t);
    await input(page).fill('riga uno');
    await input(page).press('Shift+Enter');
    await input(page).pressSequentially('riga due');
    assert.equal(await input(page).inputValue(), 'riga uno\nriga due', 'Shift+Enter is a new line');
    const before = await botCount(page);
    await input(page).press('Enter');
    await waitForBot(page, before);
    assert.deepEqual(await userTexts(page), ['riga uno\nriga due']);
    const wrap = await page.locator('#log .row.user .text').evaluate((p) => getComputedStyle(p).whiteSpace);
    assert.equal(wrap, 'pre-wrap', 'multi-line texts keep their lines');

    // Shift+Tab from the box reaches the newest reply button; Enter presses it.
    await page.keyboard.press('Shift+Tab');
    const focused = await page.evaluate(() => ({
      cls: document.activeElement.className, id: document.activeElement.dataset.buttonId || '',
      title: document.activeElement.textContent }));
    assert.equal(focused.cls, 'chip');
    const count = await botCount(page);
    const [request] = await Promise.all([page.waitForRequest(isChatPost, WAIT), page.keyboard.press('Enter')]);
    assert.equal(request.postDataJSON().button, focused.id);
    await waitForBot(page, count);
    assert.equal((await userTexts(page)).at(-1), focused.title);
    assert.equal(await page.evaluate(() => document.activeElement.id), 'input', 'focus returns to the box');
    assertWellBehaved(seen);
  });

  test('a reload keeps the conversation and the next message still works', { timeout: 60_000 }, async (t) => {
    const { page, seen } = await openChat(t);
    const first = await say(page, 'ciao');
    const shownBefore = await page.locator('#log .row').count();
    const textsBefore = await page.locator('#log .text').allTextContents();

    await page.reload();
    await page.locator('#log .row').nth(shownBefore - 1).waitFor();
    assert.deepEqual(await page.locator('#log .text').allTextContents(), textsBefore, 'same messages after reload');
    assert.equal(await page.locator('#empty').isVisible(), false);
    assert.ok(await page.locator('#log .chip').count() > 0, 'old buttons are still there');

    const second = await say(page, 'grazie');
    assert.equal(second.sent.user, first.sent.user, 'same user id after reload');
    assert.notEqual(second.sent.id, first.sent.id, 'a new message has a new id');
    assert.equal((await userTexts(page)).at(-1), 'grazie');
    assertWellBehaved(seen);
  });

  test('two tabs of the same chat show the same conversation', { timeout: 60_000 }, async (t) => {
    const { page, seen, context } = await openChat(t);
    const other = await context.newPage();
    const otherSeen = watchPage(other, server.url);
    await other.goto(server.url + '/');
    await say(page, 'ciao');
    const shown = await page.locator('#log .text').allTextContents();
    await other.waitForFunction((n) => document.querySelectorAll('#log .text').length === n, shown.length, WAIT);
    assert.deepEqual(await other.locator('#log .text').allTextContents(), shown);
    assertWellBehaved(seen);
    assertWellBehaved(otherSeen);
  });

  test('Nuova conversazione starts over with a new user id', { timeout: 60_000 }, async (t) => {
    const { page, seen } = await openChat(t);
    const first = await say(page, 'ciao');
    await Promise.all([page.waitForEvent('load'), page.getByRole('link', { name: 'Nuova conversazione' }).click()]);
    await page.locator('#empty').waitFor();
    assert.equal(await page.locator('#log .row').count(), 0, 'the old messages are gone');
    const second = await say(page, 'ciao');
    assert.notEqual(second.sent.user, first.sent.user);
    assert.match(second.sent.user, /^[0-9a-f]{32}$/);
    assert.match((await botTexts(page)).join('\n'), /Ciao/, 'a new user is greeted again');
    assertWellBehaved(seen);
  });

  test('markup typed by the user is shown as text and never runs', { timeout: 60_000 }, async (t) => {
    const { page, seen } = await openChat(t);
    const payload = '<img src=x onerror=alert(1)>';
    await say(page, payload);
    await say(page, '<script>alert(2)</script><b>grassetto</b>');

    assert.deepEqual(await userTexts(page), [payload, '<script>alert(2)</script><b>grassetto</b>']);
    assert.equal(await page.locator('#log img, #log script, #log b').count(), 0, 'no element was created');
    assert.ok(!seen.requests.some((r) => new URL(r.split(' ')[1]).pathname === '/x'), 'the image never loaded');
    assertWellBehaved(seen);
  });

  test('a message lost on the network is retried once with the same id', { timeout: 60_000 }, async (t) => {
    const { page, seen } = await openChat(t);
    const attempts = [];
    await page.route('**/api/chat', async (route) => {
      if (route.request().method() !== 'POST') return route.continue();
      attempts.push(route.request().postDataJSON());
      return attempts.length === 1 ? route.abort('connectionreset') : route.continue();
    });
    await input(page).fill('ciao');
    await input(page).press('Enter');
    await waitForBot(page, 0);
    assert.equal(attempts.length, 2);
    assert.equal(attempts[1].id, attempts[0].id, 'the retry is the same message');
    assert.deepEqual(await userTexts(page), ['ciao'], 'shown once');
    assert.equal(await page.locator('#error').isVisible(), false);
    assertWellBehaved(seen);
  });

  test('an unreachable server gets a polite error and a retry button', { timeout: 60_000 }, async (t) => {
    const { page, seen } = await openChat(t);
    const attempts = [];
    const down = async (route) => {
      if (route.request().method() !== 'POST') return route.continue();
      attempts.push(route.request().postDataJSON());
      return route.abort('connectionrefused');
    };
    await page.route('**/api/chat', down);
    await input(page).fill('ciao');
    await input(page).press('Enter');
    const error = page.locator('#error');
    await error.waitFor();
    assert.match(await error.textContent(), /Non riesco a contattare il server, riprova/);
    assert.equal(await page.locator('#typing').isVisible(), false);
    assert.equal(attempts.length, 2, 'one retry, then give up');
    assert.deepEqual(await userTexts(page), ['ciao'], 'the message stays on screen');

    await page.unroute('**/api/chat', down);
    const [request] = await Promise.all([
      page.waitForRequest(isChatPost, WAIT),
      page.getByRole('button', { name: /Riprova/ }).click(),
    ]);
    assert.equal(request.postDataJSON().id, attempts[0].id, 'the manual retry is the same message');
    await waitForBot(page, 0);
    await error.waitFor({ state: 'hidden' });
    assert.equal(await page.getByRole('button', { name: /Riprova/ }).count(), 0);
    assertWellBehaved(seen);
  });

  test('replies that arrive later are fetched by polling', { timeout: 60_000 }, async (t) => {
    const { page, seen } = await openChat(t);
    const { sent } = await say(page, 'ciao');
    // The counsellor's console does not exist yet: the server's poll answer
    // is stood in for once, everything else goes to the real server.
    const late = { text: 'Sono Giulia del centro: ti scrivo tra poco.\nVedi https://example.org/corsi.', buttons: [] };
    let polledAs = null;
    await page.route('**/api/chat?*', async (route) => {
      if (route.request().method() !== 'GET' || polledAs) return route.continue();
      polledAs = new URL(route.request().url()).searchParams.get('user');
      return route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify({ replies: [late] }) });
    });
    const before = await botCount(page);
    await waitForBot(page, before);
    assert.equal(polledAs, sent.user, 'the poll asks for this visitor');
    assert.equal((await botTexts(page)).at(-1), late.text);
    const link = page.locator('#log .row.bot a').last();
    assert.equal(await link.getAttribute('href'), 'https://example.org/corsi');
    assert.equal(await link.getAttribute('rel'), 'noopener noreferrer nofollow');
    assertWellBehaved(seen);
  });

  for (const [name, viewport, mobile] of [['phone', PHONE, true], ['laptop', LAPTOP, false]]) {
    test(`the page fits a ${name} screen`, { timeout: 60_000 }, async (t) => {
      const { page, seen } = await openChat(t, { viewport, mobile });
      const { answer } = await say(page, 'ciao');
      const info = answer.replies.flatMap((r) => r.buttons).find((b) => b.id === 'menu:info');
      const before = await botCount(page);
      await page.getByRole('button', { name: info.title, exact: true }).last().click();
      await waitForBot(page, before);
      await input(page).fill('Cerco lavoro come cameriere a Bari, ho 22 anni.\nPosso passare domani?');

      const layout = await page.evaluate(() => {
        const box = (sel) => document.querySelector(sel).getBoundingClientRect();
        return {
          scrollWidth: document.documentElement.scrollWidth,
          composerBottom: box('#composer').bottom,
          headerTop: box('header').top,
          appWidth: box('.app').width,
          bubbleMax: Math.max(...[...document.querySelectorAll('.bubble')].map((b) => b.getBoundingClientRect().right)),
          chipHeight: Math.min(...[...document.querySelectorAll('.chip')].map((c) => c.getBoundingClientRect().height)),
        };
      });
      assert.ok(layout.scrollWidth <= viewport.width, 'no sideways scrolling');
      assert.ok(layout.composerBottom <= viewport.height + 0.5, 'the text box is on screen');
      assert.equal(layout.headerTop, 0);
      assert.ok(layout.bubbleMax <= viewport.width, 'bubbles fit');
      assert.ok(layout.chipHeight >= 40, 'buttons are big enough to tap');
      if (!mobile) assert.ok(layout.appWidth <= 760, 'a readable column on a laptop');

      const file = join(tmpdir(), `sportello-webchat-${name}.png`);
      await page.screenshot({ path: file });
      t.diagnostic(`screenshot: ${file}`);
      assertWellBehaved(seen);
    });
  }

  test('the page is served with its security headers and no outside resources', async () => {
    const res = await httpGet(server.url + '/');
    assert.equal(res.status, 200);
    assert.match(res.headers['content-type'], /text\/html/);
    assert.match(res.headers['content-security-policy'], /default-src 'self'/);
    const html = res.body;
    assert.doesNotMatch(html, /(src|href)\s*=\s*["']?(https?:)?\/\//i, 'no external src or href');
    assert.doesNotMatch(html, /innerHTML|outerHTML|insertAdjacentHTML|document\.write/, 'text only');
  });
});
