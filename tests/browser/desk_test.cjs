// The desk view in a real browser (Debian's Chromium, driven by
// playwright-core): the real daemon with a desk token, the night's policy
// set to approve, a generated night pushed in; /desk?token= must list every
// proposal GET /v1/desk has, and its Approve button (with a reason) must
// publish the call. /desk without the token is refused. A screenshot goes to
// OUT/desk.png.
//
// usage: node desk_test.cjs DECLARED_BINARY OUT_DIR
'use strict';
const { chromium } = require('playwright-core');
const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');

const [bin, out] = process.argv.slice(2);
if (!bin || !out) { console.error('usage: node desk_test.cjs DECLARED_BINARY OUT_DIR'); process.exit(2); }
fs.rmSync(out, { recursive: true, force: true });
fs.mkdirSync(out, { recursive: true });

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
let failures = 0;
function check(ok, what, detail) {
  if (ok) console.log('ok   ' + what);
  else { failures++; console.log('FAIL ' + what + (detail ? '\n     ' + detail : '')); }
}
function freePort() {
  return new Promise((res, rej) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => res(p)); });
    s.on('error', rej);
  });
}
async function until(what, fn, ms) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error('timed out waiting for ' + what);
    await sleep(100);
  }
}

async function main() {
  const night = path.join(out, 'night');
  execFileSync(bin, ['generate', '--seed', '11', '--councils', '6', '--test', '--out', night], { stdio: 'inherit' });
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const ingest = 'ingest-' + process.pid, desk = 'desk-' + process.pid;
  const log = fs.openSync(path.join(out, 'daemon.log'), 'a');
  const daemon = spawn(bin, ['serve', '--card', path.join(night, 'card.json'), '--journal', path.join(out, 'journal.dcl'),
    '--listen', `127.0.0.1:${port}`, '--ingest-token', 'test:' + ingest, '--desk-token', 'browser desk:' + desk],
  { stdio: ['ignore', log, log] });
  const stop = () => new Promise((res) => { if (daemon.exitCode != null) return res(); daemon.once('exit', res); daemon.kill('SIGTERM'); });
  try {
    await until('the daemon', async () => { try { return (await fetch(base + '/readyz')).ok; } catch (e) { return false; } }, 15000);
    const auth = { Authorization: 'Bearer ' + desk };
    const policy = await fetch(base + '/v1/desk/actions', { method: 'POST', headers: { ...auth, 'Content-Type': 'application/json' },
      body: JSON.stringify({ action: 'policy', policy: 'approve', reason: 'every call approved tonight' }) });
    check(policy.status === 200, 'policy approve for the night: 200', 'got ' + policy.status);
    execFileSync(bin, ['replay', '--to', base, '--speed', 'max', '--token', ingest, '--card', path.join(night, 'card.json'),
      '--declarations', path.join(night, 'declarations.jsonl')], { stdio: 'inherit' });
    const state = async () => (await fetch(base + '/v1/desk', { headers: auth })).json();
    const proposals = (s) => s.councils.filter((c) => c.proposal && !c.proposal.approved);
    const first = await state();
    check(proposals(first).length > 0, 'the night left calls awaiting approval', JSON.stringify(first).slice(0, 300));
    check((await fetch(base + '/desk')).status === 401, '/desk without a token is refused (401)');
    check((await fetch(base + '/desk?token=' + ingest)).status === 403, '/desk with the ingest token is refused (403)');

    const browser = await chromium.launch({
      executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
      const errors = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      await page.goto(base + '/desk?token=' + desk);
      await page.waitForSelector('[data-testid=desk-proposals] li', { timeout: 15000 });
      const want = proposals(first).map((c) => c.name).sort();
      const shown = (await page.$$eval('[data-testid=desk-proposals] li strong', (els) => els.map((e) => e.textContent))).sort();
      check(JSON.stringify(shown) === JSON.stringify(want), 'the desk view lists every proposal awaiting approval',
        'shown ' + shown.join(', ') + '; want ' + want.join(', '));
      await page.screenshot({ path: path.join(out, 'desk.png'), fullPage: false });

      // Approve without a reason: refused in the page, nothing sent.
      const button = page.locator('[data-testid=desk-proposals] li').first().locator('button');
      const name = await page.locator('[data-testid=desk-proposals] li strong').first().textContent();
      await button.click();
      await page.waitForFunction(() => /reason/i.test(document.querySelector('[data-testid=desk-status]').textContent), null, { timeout: 5000 });
      check(proposals(await state()).length === want.length, 'no reason, no action');
      await page.fill('[data-testid=desk-reason]', 'checked against our count');
      await page.locator('[data-testid=desk-proposals] li').first().locator('button').click();
      const called = await until('the approved call', async () => {
        const evs = (await (await fetch(base + '/v1/events?since=0&limit=10000')).json()).events;
        return evs.find((e) => e.type === 'control_called' && e.data.called_by.approved_by &&
          e.data.called_by.approved_by.reason === 'checked against our count');
      }, 15000);
      check(called.data.name === name, 'Approve published that council\'s call', called.text);
      check(called.data.called_by.approved_by.name === 'browser desk', 'the call names the desk editor');
      await page.waitForFunction((n) => ![...document.querySelectorAll('[data-testid=desk-proposals] li strong')].some((e) => e.textContent === n),
        name, { timeout: 10000 });
      check(true, 'the approved council leaves the list');
      check(errors.length === 0, 'no script errors', errors.join('\n     '));
    } finally {
      await browser.close();
    }
  } finally {
    await stop();
  }
  if (failures) { console.log(`${failures} check(s) failed`); process.exit(1); }
  console.log('all checks passed');
}

main().catch((e) => { console.error(e); process.exit(1); });
