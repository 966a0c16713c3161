// Helpers for the browser tests: run the real `sportello serve` on a free
// loopback port with a throw-away database, and drive Debian's chromium
// through playwright-core (no browser download).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer as createHttpServer, get, request as httpRequest } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

// ctest sets SPORTELLO_BINARY; a local run uses the default build dir.
export const binary =
  process.env.SPORTELLO_BINARY || fileURLToPath(new URL('../../build/bot/sportello', import.meta.url));

export const chromiumPath = process.env.SPORTELLO_CHROMIUM || '/usr/bin/chromium';

// A port nobody listens on right now: bind to port 0, read it, release it.
export function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

// GET over a fresh connection closed after the answer (no keep-alive: an idle
// pooled connection would hold the server's shutdown for its keep-alive timeout).
export function httpGet(url, timeoutMs = 5_000) {
  return new Promise((resolve, reject) => {
    const req = get(url, { agent: false, headers: { connection: 'close' }, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => { body += chunk; });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url} timed out`)));
    req.on('error', reject);
  });
}

// Starts `sportello serve` and resolves once GET /healthz answers 200.
// `env` adds variables (e.g. the centre's address); the caller's
// SPORTELLO_*, TELEGRAM_* and WHATSAPP_* are dropped so only the web chat is on.
export async function startServer({ env = {}, readyTimeoutMs = 20_000 } = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'sportello-browser-'));
  const port = await freePort();
  const clean = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(SPORTELLO_|TELEGRAM_|WHATSAPP_)/.test(key)) clean[key] = value;
  }
  const child = spawn(binary, ['serve'], {
    // Quiet hours off: notices must not depend on the hour the suite runs at.
    env: { ...clean, SPORTELLO_DB: join(dir, 't.db'), SPORTELLO_LISTEN: `127.0.0.1:${port}`, SPORTELLO_QUIET_HOURS: 'off', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk) => { output = (output + chunk).slice(-64 * 1024); };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  let spawnError = null;
  child.once('error', (err) => { spawnError = err; });

  const url = `http://127.0.0.1:${port}`;
  const server = {
    url,
    port,
    output: () => output,
    // SIGTERM, then SIGKILL after 5 s. Resolves to how it ended and whether
    // a sanitizer (ASan/UBSan builds) reported anything meanwhile.
    async stop() {
      let killed = false;
      if (child.exitCode === null && child.signalCode === null && !spawnError) {
        child.kill('SIGTERM');
        const done = await Promise.race([exited, sleep(5_000).then(() => null)]);
        if (!done) {
          killed = true;
          child.kill('SIGKILL');
        }
      }
      const end = spawnError ? { code: null, signal: null } : await exited;
      await rm(dir, { recursive: true, force: true });
      return { ...end, killed, sanitizer: /ERROR: \w+Sanitizer|runtime error:/.test(output) };
    },
  };

  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    if (spawnError) {
      await server.stop();
      throw new Error(`cannot start ${binary}: ${spawnError.message}`);
    }
    if (child.exitCode !== null || child.signalCode !== null) {
      await server.stop();
      throw new Error(`sportello serve exited early (${child.exitCode ?? child.signalCode}):\n${output}`);
    }
    try {
      const res = await httpGet(`${url}/healthz`);
      if (res.status === 200) return server;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await server.stop();
      throw new Error(`sportello serve not healthy after ${readyTimeoutMs} ms:\n${output}`);
    }
    await sleep(100);
  }
}

// Headless chromium. playwright-core starts it with a fresh temporary
// --user-data-dir of its own (it refuses one in `args`) and deletes it on close.
export function launchBrowser() {
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    timeout: 30_000,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

// Records what a page must never do: talk to another host, open a dialog,
// throw, or break the Content-Security-Policy.
export function watchPage(page, serverUrl) {
  const origin = new URL(serverUrl).origin;
  const seen = { foreign: [], dialogs: [], errors: [], requests: [] };
  page.on('request', (req) => {
    const url = req.url();
    seen.requests.push(`${req.method()} ${url}`);
    if (url.startsWith('data:') || url.startsWith('blob:') || url === 'about:blank') return;
    if (new URL(url).origin !== origin) seen.foreign.push(url);
  });
  page.on('dialog', (dialog) => {
    seen.dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    dialog.dismiss().catch(() => {});
  });
  page.on('pageerror', (err) => seen.errors.push(`page error: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error' && /Content Security Policy|Refused to/i.test(msg.text())) {
      seen.errors.push(`console: ${msg.text()}`);
    }
  });
  return seen;
}

// Runs `sportello <args>` to completion with `input` on stdin (e.g. a
// password for `users add`), on the environment `env` only.
export function runSportello(args, { env = {}, input = '' } = {}) {
  const clean = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(SPORTELLO_|TELEGRAM_|WHATSAPP_)/.test(key)) clean[key] = value;
  }
  const result = spawnSync(binary, args, { env: { ...clean, ...env }, input, encoding: 'utf8', timeout: 30_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

// A fake Telegram Bot API on loopback: records every call
// (POST /bot<token>/<method>, JSON body) and answers as Telegram does.
export async function startFakeTelegram(token) {
  const calls = [];
  let nextId = 1000;
  const server = createHttpServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => { body += chunk; });
    req.on('end', () => {
      const match = /^\/bot([^/]+)\/(\w+)$/.exec(req.url || '');
      res.setHeader('Content-Type', 'application/json');
      if (!match || match[1] !== token) {
        res.statusCode = 404;
        res.end(JSON.stringify({ ok: false, error_code: 404, description: 'Not Found' }));
        return;
      }
      let json = {};
      try { json = JSON.parse(body || '{}'); } catch { json = {}; }
      calls.push({ method: match[2], body: json });
      const result = match[2] === 'sendMessage'
        ? { message_id: nextId++, date: Math.floor(Date.now() / 1000), chat: { id: Number(json.chat_id), type: 'private' }, text: json.text }
        : true;
      res.end(JSON.stringify({ ok: true, result }));
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    base: `http://127.0.0.1:${port}`,
    calls,
    texts: () => calls.filter((c) => c.method === 'sendMessage').map((c) => String(c.body.text)),
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

// POST a JSON body over a fresh connection; resolves to {status, body}.
export function httpPostJson(url, json, headers = {}) {
  return new Promise((resolve, reject) => {
    const data = JSON.stringify(json);
    const req = httpRequest(url, {
      method: 'POST',
      agent: false,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data), connection: 'close', ...headers },
      timeout: 10_000,
    }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => { body += chunk; });
      res.on('end', () => resolve({ status: res.statusCode, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`POST ${url} timed out`)));
    req.on('error', reject);
    req.end(data);
  });
}
