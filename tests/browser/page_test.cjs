// The live results page in a real browser (Debian's Chromium, driven by
// playwright-core). Starts the real daemon on 127.0.0.1 with a generated small
// night, opens the page, replays the night into the daemon at high speed,
// kills and restarts the daemon (same journal, same port) mid-replay, and
// checks that the page:
//   - ends with the scoreboard GET /v1/scoreboard gives (and so does a page opened afterwards),
//   - shows control calls in the ticker with their house-style text,
//   - reconnected after the restart, with no ticker entry twice,
//   - shows every council's progress and control as /v1/councils does,
//   - opens a council's detail (composition bar with the majority line, ward results).
// Screenshots go to OUT (mid-night, desktop, phone, detail).
//
// usage: node page_test.cjs DECLARED_BINARY OUT_DIR
'use strict';
const { chromium } = require('playwright-core');
const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');

const [bin, out] = process.argv.slice(2);
if (!bin || !out) { console.error('usage: node page_test.cjs DECLARED_BINARY OUT_DIR'); process.exit(2); }
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

async function main() {
  const night = path.join(out, 'night');
  execFileSync(bin, ['generate', '--seed', '11', '--councils', '14', '--test', '--out', night], { stdio: 'inherit' });
  const card = path.join(night, 'card.json');
  const decls = path.join(night, 'declarations.jsonl');
  const journal = path.join(out, 'journal.dcl');
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const token = 'browser-test-' + process.pid;
  const log = fs.openSync(path.join(out, 'daemon.log'), 'a');

  let daemon = null;
  async function startDaemon() {
    daemon = spawn(bin, ['serve', '--card', card, '--journal', journal, '--listen', `127.0.0.1:${port}`,
      '--ingest-token', 'test:' + token], { stdio: ['ignore', log, log] });
    for (let i = 0; i < 200; i++) {
      try { if ((await fetch(base + '/readyz')).ok) return; } catch (e) { /* not yet */ }
      if (daemon.exitCode != null) throw new Error('daemon exited at start; see ' + path.join(out, 'daemon.log'));
      await sleep(50);
    }
    throw new Error('daemon not ready in 10 s');
  }
  function stopDaemon(signal) {
    return new Promise((res) => {
      if (!daemon || daemon.exitCode != null) return res();
      daemon.once('exit', () => res());
      daemon.kill(signal);
    });
  }
  const getJson = async (p) => (await fetch(base + p)).json();

  await startDaemon();

  // The page's files come from the binary, with their types, an ETag and revalidation.
  for (const [file, type] of [['/', 'text/html'], ['/app.js', 'text/javascript'], ['/style.css', 'text/css']]) {
    const r = await fetch(base + file);
    const etag = r.headers.get('etag');
    check(r.status === 200 && r.headers.get('content-type').startsWith(type) && r.headers.get('cache-control') === 'no-cache' &&
      /^"[0-9a-f]+"$/.test(etag || '') && (await r.text()).length > 100, `GET ${file}: 200, ${type}, no-cache, ETag`);
    const again = await fetch(base + file, { headers: { 'If-None-Match': etag } });
    check(again.status === 304, `GET ${file} with its ETag: 304`, 'got ' + again.status);
  }
  const head = await fetch(base + '/', { method: 'HEAD' });
  check(head.status === 200 && Number(head.headers.get('content-length')) > 100, 'HEAD /: 200 with the length');
  const missing = await fetch(base + '/nothing.js');
  check(missing.status === 404 && (await missing.json()).error.code === 'no_route', 'an unknown path keeps the API\'s 404');

  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    // launch() gives Chromium a new, empty --user-data-dir of its own each run.
  }).catch(async (e) => { await stopDaemon('SIGTERM'); throw e; });
  try {
    const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
    const page = await context.newPage();
    const external = [];
    const consoleErrors = [];
    page.on('request', (r) => { if (!r.url().startsWith(base) && !r.url().startsWith(base.replace('http', 'ws'))) external.push(r.url()); });
    page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
    page.on('pageerror', (e) => consoleErrors.push(String(e)));
    // Record every connection state the page shows.
    await page.addInitScript(() => {
      window.__states = [];
      document.addEventListener('DOMContentLoaded', () => {
        const conn = document.getElementById('conn');
        const note = () => { const s = conn.dataset.state; if (window.__states[window.__states.length - 1] !== s) window.__states.push(s); };
        note();
        new MutationObserver(note).observe(conn, { attributes: true, attributeFilter: ['data-state'] });
      });
    });
    await page.goto(base + '/');
    await page.waitForFunction(() => document.getElementById('conn').dataset.state === 'live', null, { timeout: 10000 });
    check(await page.isVisible('#rehearsal'), 'a rehearsal card shows the rehearsal banner');
    check((await page.$$('#grid li')).length === 14, 'the grid lists every council on the card');

    // Replay at high speed: the 17-hour night in about 8 s; restart the daemon about 3 s in.
    const replay = spawn(bin, ['replay', '--to', base, '--speed', '8000', '--token', token, '--card', card, '--declarations', decls],
      { stdio: ['ignore', 'inherit', 'inherit'] });
    const replayDone = new Promise((res) => replay.on('exit', (code) => res(code)));
    await sleep(2500);
    await page.screenshot({ path: path.join(out, 'mid-night.png') });  // undecided councils, early calls
    await sleep(500);
    const seqBefore = (await getJson('/v1/scoreboard')).last_seq;
    await stopDaemon('SIGKILL');
    console.log(`daemon killed at seq ${seqBefore}; restarting in 1 s`);
    await page.waitForFunction(() => document.getElementById('conn').dataset.state === 'reconnecting', null, { timeout: 10000 });
    await sleep(1000);
    await startDaemon();
    // A second page that joins mid-replay: snapshot, backfilled ticker and live events at once.
    const midContext = await browser.newContext({ viewport: { width: 1024, height: 768 } });
    const mid = await midContext.newPage();
    mid.on('pageerror', (e) => consoleErrors.push(String(e)));
    await mid.goto(base + '/');
    const code = await replayDone;
    check(code === 0, 'replay --to pushed the whole night across the restart', 'exit code ' + code);

    const final = await getJson('/v1/scoreboard');
    check(seqBefore > 0 && seqBefore < final.last_seq, 'the restart came mid-replay', `killed at ${seqBefore} of ${final.last_seq}`);
    await page.waitForFunction((seq) => window.declaredPage.state.lastSeq >= seq, final.last_seq, { timeout: 30000 });
    await sleep(300);  // one animation frame and then some
    const states = await page.evaluate(() => window.__states);
    check(states.includes('reconnecting') && states[states.length - 1] === 'live', 'the page showed the disconnect and is live again', states.join(' -> '));

    // The scoreboard, as the page shows it.
    async function pageScoreboard(p) {
      return p.evaluate(() => {
        const num = (s) => Number(s.replace(/[,+]/g, '').replace('−', '-'));
        const rows = (id) => Object.fromEntries([...document.querySelectorAll(`#${id} tbody tr`)].map((tr) =>
          [tr.dataset.party, { count: num(tr.children[1].textContent), change: num(tr.children[2].textContent) }]));
        return {
          councils_declared: num(document.getElementById('sb-declared').textContent),
          councils_total: num(document.getElementById('sb-total').textContent),
          councils: rows('sb-councils'),
          councillors: rows('sb-councillors'),
        };
      });
    }
    const expected = {
      councils_declared: final.councils_declared, councils_total: final.councils_total,
      councils: final.councils, councillors: final.councillors,
    };
    const sorted = (o) => JSON.stringify(o, Object.keys(o).sort());
    const same = (a, b) => a.councils_declared === b.councils_declared && a.councils_total === b.councils_total &&
      sorted(a.councils) === sorted(b.councils) && sorted(a.councillors) === sorted(b.councillors);
    const shown = await pageScoreboard(page);
    check(same(shown, expected), 'the page scoreboard equals GET /v1/scoreboard',
      'page ' + JSON.stringify(shown) + '\n     api  ' + JSON.stringify(expected));

    // The ticker: house-style text of the events, each seq once, newest first.
    const events = (await getJson('/v1/events?since=0&limit=10000')).events;
    const bySeq = new Map(events.map((e) => [e.seq, e]));
    async function checkTicker(p, who) {
      const items = await p.evaluate(() => [...document.querySelectorAll('#ticker li')].map((li) =>
        ({ seq: Number(li.dataset.seq), cls: li.className, text: li.querySelector('.ttext').textContent })));
      const seqs = items.map((t) => t.seq);
      check(items.length > 0 && new Set(seqs).size === seqs.length, who + ': no ticker entry appears twice', `${seqs.length} entries, ${new Set(seqs).size} distinct`);
      check(seqs.every((s, i) => i === 0 || seqs[i - 1] > s), who + ': the ticker is newest first', seqs.join(' '));
      const wrong = items.filter((t) => !bySeq.has(t.seq) || bySeq.get(t.seq).text !== t.text);
      check(wrong.length === 0, who + ': every ticker entry is its event\'s text', JSON.stringify(wrong.slice(0, 3)));
      const oldestShown = Math.min(...seqs);
      const calls = events.filter((e) => (e.type === 'control_called' || e.type === 'call_retracted') && e.seq >= oldestShown);
      const callsShown = items.filter((t) => t.cls === 'call' || t.cls === 'retract');
      check(calls.length > 0 && callsShown.length === calls.length, who + ': every control call since the oldest entry is in the ticker',
        `${callsShown.length} shown, ${calls.length} expected`);
      return items;
    }
    const ticker = await checkTicker(page, 'first page');
    await mid.waitForFunction((seq) => window.declaredPage.state.lastSeq >= seq, final.last_seq, { timeout: 30000 });
    await sleep(300);
    check(same(await pageScoreboard(mid), expected), 'page opened mid-replay: the scoreboard equals GET /v1/scoreboard');
    await checkTicker(mid, 'page opened mid-replay');
    await midContext.close();
    const lastCall = events.filter((e) => e.type === 'control_called').pop();
    const callItem = ticker.find((t) => t.seq === lastCall.seq);
    check(callItem && callItem.text === lastCall.text, `a control call appears with its text: "${lastCall.text}"`);
    check(events.some((e) => e.type === 'call_retracted') ? ticker.some((t) => t.cls === 'retract') : true,
      'a retracted call is in the ticker');

    // The grid: every council's progress and control as /v1/councils has them.
    const councils = (await getJson('/v1/councils')).councils;
    const tiles = await page.evaluate(() => [...document.querySelectorAll('#grid .tile')].map((b) =>
      ({ id: b.dataset.id, count: b.querySelector('.t-count').textContent, ctl: b.querySelector('.t-ctl').textContent.replace('◆ ', '') })));
    const tileOf = new Map(tiles.map((t) => [t.id, t]));
    const badTiles = councils.filter((c) => {
      const t = tileOf.get(c.id);
      return !t || t.count !== `${c.wards_declared}/${c.wards_total}` || (c.control && t.ctl !== c.control);
    });
    check(badTiles.length === 0, 'every council tile matches /v1/councils', JSON.stringify(badTiles.slice(0, 2)));

    await page.screenshot({ path: path.join(out, 'desktop.png'), fullPage: true });

    // Filters: one region only.
    const region = councils[0].region;
    await page.selectOption('#f-region', region);
    const visible = await page.$$eval('#grid li:not([hidden])', (l) => l.length);
    check(visible === councils.filter((c) => c.region === region).length, `the region filter shows only ${region}`);
    await page.selectOption('#f-region', '');

    // Council detail, opened from the keyboard.
    const target = councils.find((c) => c.control && c.wards_declared > 0) || councils[0];
    await page.focus(`#grid .tile[data-id="${target.id}"]`);
    await page.keyboard.press('Enter');
    await page.waitForSelector('#detail[open] .comp-bar .maj', { timeout: 5000 });
    const detail = await getJson('/v1/councils/' + encodeURIComponent(target.id));
    const wardsShown = await page.$$eval('#d-body .wards > li', (l) => l.length);
    check(wardsShown === detail.wards.length + (detail.mayors || []).length, `the detail lists ${target.name}'s wards`);
    check((await page.textContent('#d-name')) === detail.name, 'the detail is titled with the council');
    await page.click('#d-body .wards details summary');
    await page.screenshot({ path: path.join(out, 'detail.png') });
    await page.keyboard.press('Escape');
    await page.waitForFunction(() => !document.getElementById('detail').open);
    check(await page.evaluate((id) => document.activeElement && document.activeElement.dataset.id === id, target.id),
      'closing the detail returns focus to the council');

    // A page opened now starts from the snapshot and shows the same figures.
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
    const late = await phone.newPage();
    late.on('pageerror', (e) => consoleErrors.push(String(e)));
    await late.goto(base + '/');
    await late.waitForFunction((seq) => window.declaredPage && window.declaredPage.state.lastSeq >= seq, final.last_seq, { timeout: 10000 });
    await late.waitForFunction(() => document.querySelectorAll('#ticker li').length > 0, null, { timeout: 5000 });
    await sleep(300);
    const lateShown = await pageScoreboard(late);
    check(same(lateShown, expected), 'a page opened after the night shows the same scoreboard',
      'page ' + JSON.stringify(lateShown));
    const overflow = await late.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    check(overflow <= 0, 'no sideways scrolling on a phone', overflow + ' px too wide');
    await late.screenshot({ path: path.join(out, 'phone.png'), fullPage: true });

    check(external.length === 0, 'the page asked nothing of any other host', external.join(', '));
    check(consoleErrors.filter((e) => !/WebSocket|ERR_CONNECTION_REFUSED|Failed to load resource/.test(e)).length === 0,
      'no script errors', consoleErrors.join('\n     '));
  } finally {
    await browser.close();
    await stopDaemon('SIGTERM');
  }
  console.log(`screenshots: ${out}/{mid-night,desktop,phone,detail}.png`);
  if (failures) { console.log(`${failures} check(s) failed`); process.exit(1); }
  console.log('all checks passed');
}

main().catch((e) => { console.error(e); process.exit(1); });
