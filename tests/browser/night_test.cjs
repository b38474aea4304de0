// The picture of the night, embeds and cross-origin use, in Debian's
// Chromium against the real daemon (a generated night of 14 councils, each
// on the card's hex map). Checks that:
//   - the map colours a council in its party's card colour when its control
//     is called, and leaves undeclared councils grey;
//   - the seat-change bars, the "changed hands" list and the declarations
//     timeline say what /v1/scoreboard, /v1/councils and /v1/events say;
//   - embed URLs (?view=, ?region=, ?council=, ?header=0) show only what they
//     ask for, and the page can be framed by the origin web.frame_ancestors names;
//   - an EventSource on another origin receives the event stream when that
//     origin is in web.allow_origins, and is refused when it is not;
//   - the page fits a phone and a big screen.
// Screenshots go to OUT (night-desktop, night-bigscreen, night-phone,
// embed-map, embed-council, cross-origin).
//
// usage: node night_test.cjs DECLARED_BINARY OUT_DIR
'use strict';
const { chromium } = require('playwright-core');
const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const net = require('node:net');
const path = require('node:path');

const [bin, out] = process.argv.slice(2);
if (!bin || !out) { console.error('usage: node night_test.cjs DECLARED_BINARY OUT_DIR'); process.exit(2); }
fs.rmSync(out, { recursive: true, force: true });
fs.mkdirSync(out, { recursive: true });

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
// The page has drawn what its state holds: two animation frames have passed.
const settled = (p) => p.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
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
// A page on another origin: an EventSource on the daemon's stream, and a frame of an embed.
function otherOrigin(port, daemon) {
  const html = `<!doctype html><meta charset="utf-8"><title>other origin</title>
<h1>A newspaper article</h1>
<iframe id="embed" title="results map" src="${daemon}/?view=map&header=0" width="600" height="420"></iframe>
<script>
  window.__got = []; window.__ids = []; window.__errors = 0;
  const es = new EventSource(${JSON.stringify(daemon + '/v1/events/stream?since=0')});
  window.__es = es;
  es.addEventListener('hello', (e) => { window.__hello = JSON.parse(e.data); });
  es.onmessage = (e) => { window.__got.push(JSON.parse(e.data)); window.__ids.push(e.lastEventId); };
  es.onerror = () => { window.__errors++; };
</script>`;
  const server = http.createServer((req, res) => { res.writeHead(200, { 'Content-Type': 'text/html' }); res.end(html); });
  return new Promise((res) => server.listen(port, '127.0.0.1', () => res(server)));
}

async function main() {
  const night = path.join(out, 'night');
  execFileSync(bin, ['generate', '--seed', '11', '--councils', '14', '--test', '--out', night], { stdio: 'inherit' });
  const card = path.join(night, 'card.json');
  const lines = fs.readFileSync(path.join(night, 'declarations.jsonl'), 'utf8').split('\n').filter(Boolean);
  const [port, allowedPort, otherPort] = [await freePort(), await freePort(), await freePort()];
  const base = `http://127.0.0.1:${port}`;
  const allowed = `http://127.0.0.1:${allowedPort}`;
  const token = 'night-test-' + process.pid;
  const log = fs.openSync(path.join(out, 'daemon.log'), 'a');
  const daemon = spawn(bin, ['serve', '--card', card, '--journal', path.join(out, 'journal.dcl'), '--listen', `127.0.0.1:${port}`,
    '--ingest-token', 'test:' + token, '--web.allow_origins', allowed, '--web.frame_ancestors', `'self' ${allowed}`],
  { stdio: ['ignore', log, log] });
  // Ready when /readyz says so; bounded by time, not by a count of tries.
  for (const end = Date.now() + 60000; ;) {
    try { if ((await fetch(base + '/readyz')).ok) break; } catch (e) { /* not yet */ }
    if (daemon.exitCode != null || Date.now() > end) throw new Error('daemon did not start; see ' + path.join(out, 'daemon.log'));
    await sleep(50);
  }
  const getJson = async (p) => (await fetch(base + p)).json();
  const push = async (batch) => {
    const r = await fetch(base + '/v1/declarations', { method: 'POST', body: batch.join('\n') + '\n',
      headers: { Authorization: 'Bearer ' + token, 'Content-Type': 'application/x-ndjson' } });
    if (!r.ok) throw new Error('push: HTTP ' + r.status + ' ' + await r.text());
  };
  const cardJson = await getJson('/v1/card');
  const colourOf = new Map(cardJson.parties.map((p) => [p.code, (p.colour || '').toLowerCase()]));
  const servers = [await otherOrigin(allowedPort, base), await otherOrigin(otherPort, base)];

  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const errors = [];
  const watch = (p) => { p.on('pageerror', (e) => errors.push(String(e))); return p; };
  try {
    const desk = await browser.newContext({ viewport: { width: 1366, height: 900 } });
    const page = watch(await desk.newPage());
    await page.goto(base + '/');
    await page.waitForFunction(() => document.getElementById('conn').dataset.state === 'live', null, { timeout: 10000 });
    const hexes = await page.$$eval('#hexmap .hex', (l) => l.map((g) => ({ id: g.dataset.id, fill: g.querySelector('polygon').getAttribute('fill') })));
    check(hexes.length === 14, 'the map draws every council of the card', hexes.length + ' hexes');
    const called0 = new Set((await getJson('/v1/councils')).councils.filter((c) => c.control).map((c) => c.id));
    check(hexes.filter((h) => !called0.has(h.id)).every((h) => h.fill === '#d5d9e0'), 'councils not yet called are grey');

    // Declarations until a council is called that was not called before.
    let firstCall = null, at = 0;
    while (!firstCall && at < lines.length) {
      await push(lines.slice(at, at + 1));  // one at a time: the call is caught before the council completes
      at += 1;
      const calls = (await getJson('/v1/events?since=0&limit=10000&types=control_called')).events;
      firstCall = calls.find((e) => !called0.has(e.council));
    }
    check(!!firstCall, 'a council was called part-way through the night');
    const want = firstCall.data.control === 'NOC' ? '#4d4d4d' : colourOf.get(firstCall.data.control);
    await page.waitForFunction(([id, fill]) => {
      const g = document.querySelector(`#hexmap .hex[data-id="${id}"] polygon`);
      return g && g.getAttribute('fill') === fill;
    }, [firstCall.council, want], { timeout: 10000 }).catch(() => {});
    const fillNow = await page.$eval(`#hexmap .hex[data-id="${firstCall.council}"] polygon`, (p) => p.getAttribute('fill'));
    check(fillNow === want, `the map colours ${firstCall.council} ${want} (${firstCall.data.control}, the card's colour) once called`, 'fill ' + fillNow);
    const early = await page.$eval(`#hexmap .hex[data-id="${firstCall.council}"]`, (g) => [g.dataset.early, getComputedStyle(g.querySelector('.early')).display]);
    check(!firstCall.data.final && early[0] === 'true' && early[1] !== 'none', 'an early call is marked on the map', JSON.stringify(early));
    await page.screenshot({ path: path.join(out, 'night-mid.png') });

    // The rest of the night.
    for (; at < lines.length; at += 200) await push(lines.slice(at, at + 200));
    const final = await getJson('/v1/scoreboard');
    await page.waitForFunction((seq) => window.declaredPage.state.lastSeq >= seq, final.last_seq, { timeout: 30000 });
    await settled(page);

    const bars = await page.$$eval('#seat-bars li', (l) => l.map((li) => ({ party: li.dataset.party, change: Number(li.dataset.change), seats: Number(li.dataset.seats) })));
    const wantBars = Object.entries(final.councillors).filter(([, v]) => v.count > 0 || v.change !== 0)
      .sort((a, b) => b[1].count - a[1].count || (a[0] < b[0] ? -1 : 1)).slice(0, 10)
      .map(([party, v]) => ({ party, change: v.change, seats: v.count }));
    check(JSON.stringify(bars) === JSON.stringify(wantBars), 'the seat-change bars match /v1/scoreboard',
      'page ' + JSON.stringify(bars) + '\n     api  ' + JSON.stringify(wantBars));
    const coverage = await page.$eval('#change-coverage', (p) => p.textContent);
    const wantCoverage = 'Change on ' + final.change_coverage.with_baseline.toLocaleString('en-GB') + ' of ' +
      final.change_coverage.seats_up.toLocaleString('en-GB') + ' seats';
    check(coverage === wantCoverage, 'the change bars say on how many seats change is measured', coverage + ' vs ' + wantCoverage);
    const widths = await page.$$eval('#seat-bars .sb-bar', (l) => l.map((b) => parseFloat(b.style.width)));
    const most = Math.max(...wantBars.map((b) => Math.abs(b.change)));
    check(wantBars.every((b, i) => Math.abs(widths[i] - 50 * Math.abs(b.change) / Math.max(1, most)) < 0.01),
      'each bar is as long as its change', JSON.stringify(widths));

    const councils = (await getJson('/v1/councils')).councils;
    const events = (await getJson('/v1/events?since=0&limit=10000')).events;
    const lastCallSeq = new Map();
    for (const e of events) if (e.type === 'control_called' || e.type === 'call_retracted') lastCallSeq.set(e.council, e.seq);
    const wantChanged = councils.filter((c) => c.control && c.control_before && c.control !== c.control_before)
      .map((c) => c.id).sort((a, b) => lastCallSeq.get(b) - lastCallSeq.get(a));
    const changed = await page.$$eval('#changed li', (l) => l.map((li) => li.dataset.id));
    check(wantChanged.length > 0 && JSON.stringify(changed) === JSON.stringify(wantChanged),
      'changed hands lists the councils that changed control, newest call first', JSON.stringify(changed) + ' vs ' + JSON.stringify(wantChanged));
    const finals = councils.filter((c) => c.wards_declared === c.wards_total).length;
    const count = await page.$eval('#timeline', (s) => Number(s.dataset.count));
    check(count === finals, 'the timeline counts the councils fully declared', `${count} vs ${finals}`);
    const wrongFill = await page.$$eval('#hexmap .hex', (l) => l.map((g) => [g.dataset.id, g.dataset.control]));
    const ctl = new Map(councils.map((c) => [c.id, c.control || '']));
    check(wrongFill.every(([id, c]) => ctl.get(id) === c), 'every hex shows the control /v1/councils has');
    // Text on every fill is black or white, whichever is readable.
    const contrast = await page.$$eval('#hexmap .hex', (l) => l.map((g) => [g.querySelector('polygon').getAttribute('fill'), g.querySelector('text').getAttribute('fill')]));
    const lum = (hex) => { const n = parseInt(hex.slice(1), 16); const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
      return 0.2126 * f(n >> 16) + 0.7152 * f((n >> 8) & 255) + 0.0722 * f(n & 255); };
    const ratio = (a, b) => { const [x, y] = [lum(a), lum(b === '#000' ? '#000000' : '#ffffff')]; return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05); };
    check(contrast.every(([bg, ink]) => ratio(bg, ink) >= 4.5), 'hex labels have a contrast of at least 4.5:1 on every colour', JSON.stringify(contrast.filter(([bg, ink]) => ratio(bg, ink) < 4.5)));
    // Hovering opens nothing but says what it is; a tap (click) opens the council.
    const some = councils.find((c) => c.control);
    await page.hover(`#hexmap .hex[data-id="${some.id}"]`);
    check((await page.textContent('#map-tip')).startsWith(some.name + ': '), 'hovering a hex names the council');
    await page.click(`#hexmap .hex[data-id="${some.id}"]`);
    await page.waitForSelector('#detail[open]', { timeout: 5000 });
    check((await page.textContent('#d-name')) === some.name, 'clicking a hex opens its council');
    await page.keyboard.press('Escape');
    await page.screenshot({ path: path.join(out, 'night-desktop.png'), fullPage: true });

    const wall = watch(await (await browser.newContext({ viewport: { width: 1920, height: 1080 } })).newPage());
    await wall.goto(base + '/');
    await wall.waitForFunction((seq) => window.declaredPage && window.declaredPage.state.lastSeq >= seq, final.last_seq, { timeout: 10000 });
    await settled(wall);
    const side = await wall.evaluate(() => {
      const m = document.getElementById('map-section').getBoundingClientRect(), b = document.getElementById('bars-section').getBoundingClientRect();
      return { mapRight: m.right, barsLeft: b.left, mapWidth: m.width };
    });
    check(side.mapRight <= side.barsLeft && side.mapWidth > 500, 'on a big screen the map stands beside the charts', JSON.stringify(side));
    await wall.screenshot({ path: path.join(out, 'night-bigscreen.png') });

    // Embeds.
    const london = councils.filter((c) => c.region === 'London');
    const region = london.length ? 'London' : councils[0].region;
    const inRegion = councils.filter((c) => c.region === region);
    const embed = watch(await (await browser.newContext({ viewport: { width: 600, height: 420 } })).newPage());
    await embed.goto(base + '/?view=map&header=0&region=' + encodeURIComponent(region));
    await embed.waitForFunction((seq) => window.declaredPage && window.declaredPage.state.lastSeq >= seq, final.last_seq, { timeout: 10000 });
    await settled(embed);
    const shown = await embed.evaluate(() => [...document.querySelectorAll('main > section')].filter((s) => !s.hidden && s.offsetParent !== null).map((s) => s.id));
    check(JSON.stringify(shown) === '["map-section"]', '?view=map shows the map and nothing else', JSON.stringify(shown));
    check(!(await embed.isVisible('header.top')) && !(await embed.isVisible('footer')), '?header=0 hides the header and footer');
    const embedHexes = await embed.$$eval('#hexmap .hex', (l) => l.map((g) => g.dataset.id).sort());
    check(JSON.stringify(embedHexes) === JSON.stringify(inRegion.map((c) => c.id).sort()), `?region=${region} draws only its councils`, JSON.stringify(embedHexes));
    await embed.screenshot({ path: path.join(out, 'embed-map.png') });
    const one = councils.find((c) => c.control) || councils[0];
    await embed.goto(base + '/?council=' + encodeURIComponent(one.id) + '&view=councils,ticker,changed&header=0');
    await embed.waitForFunction((seq) => window.declaredPage && window.declaredPage.state.lastSeq >= seq, final.last_seq, { timeout: 10000 });
    await settled(embed);
    const tiles = await embed.$$eval('#grid li:not([hidden])', (l) => l.map((li) => li.dataset.id));
    check(JSON.stringify(tiles) === JSON.stringify([one.id]), '?council= shows only that council', JSON.stringify(tiles));
    // The ticker's earlier entries come from a fetch of /v1/events after the
    // snapshot: on a loaded machine it may still be on its way.
    await embed.waitForFunction(() => document.querySelectorAll('#ticker li:not([hidden])').length > 0, null, { timeout: 15000 }).catch(() => {});
    const tickerCouncils = await embed.$$eval('#ticker li:not([hidden])', (l) => [...new Set(l.map((li) => li.dataset.council))]);
    check(tickerCouncils.length === 1 && tickerCouncils[0] === one.id, '?council= keeps only its ticker entries', JSON.stringify(tickerCouncils));
    await embed.screenshot({ path: path.join(out, 'embed-council.png') });
    await embed.goto(base + '/?view=map,nonsense&region=Atlantis');
    await embed.waitForSelector('[data-testid="embed-error"]', { timeout: 5000 });
    const problems = await embed.$$eval('[data-testid="embed-error"]', (l) => l.map((p) => p.textContent));
    check(problems.some((p) => p.startsWith('Unknown view nonsense')) && problems.some((p) => p.includes('"Atlantis"')),
      'a bad embed option is said on the page', JSON.stringify(problems));

    // Another origin: allowed, the stream arrives and the embed frames; not allowed, the stream is refused.
    const other = watch(await (await browser.newContext({ viewport: { width: 1024, height: 800 } })).newPage());
    await other.goto(allowed + '/');
    await other.waitForFunction((n) => window.__got.length >= n, events.length, { timeout: 15000 }).catch(() => {});
    const got = await other.evaluate(() => ({ n: window.__got.length, ids: window.__ids, seqs: window.__got.map((e) => e.seq), hello: window.__hello }));
    check(got.n === events.length && got.seqs.every((s, i) => s === i + 1) && got.ids.every((id, i) => id === String(i + 1)),
      'an EventSource on an allowed origin receives every event, with its seq as the id', `${got.n} of ${events.length}`);
    check(got.hello && got.hello.resume === 'since', 'it got the hello first');
    const frame = other.frames().find((f) => f.url().startsWith(base));
    const framed = frame ? await frame.waitForSelector('#hexmap .hex', { timeout: 10000 }).then(() => true, () => false) : false;
    check(framed, 'the page embeds in a frame on the origin web.frame_ancestors allows');
    await other.screenshot({ path: path.join(out, 'cross-origin.png') });
    const refused = watch(await (await browser.newContext()).newPage());
    await refused.goto(`http://127.0.0.1:${otherPort}/`);
    await refused.waitForFunction(() => window.__errors > 0, null, { timeout: 10000 }).catch(() => {});
    const denied = await refused.evaluate(() => ({ n: window.__got.length, errors: window.__errors, hello: !!window.__hello }));
    check(denied.errors > 0 && denied.n === 0 && !denied.hello, 'an EventSource on an origin not allowed is refused', JSON.stringify(denied));

    // A phone.
    const phone = watch(await (await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true })).newPage());
    await phone.goto(base + '/');
    await phone.waitForFunction((seq) => window.declaredPage && window.declaredPage.state.lastSeq >= seq, final.last_seq, { timeout: 10000 });
    await settled(phone);
    const fit = await phone.evaluate(() => ({ overflow: document.documentElement.scrollWidth - window.innerWidth,
      map: document.getElementById('hexmap').getBoundingClientRect().width, bars: document.getElementById('bars-section').getBoundingClientRect().width }));
    check(fit.overflow <= 0 && fit.map > 300 && fit.bars > 300, 'on a phone: one column, nothing wider than the screen', JSON.stringify(fit));
    await phone.tap(`#hexmap .hex[data-id="${some.id}"]`);
    await phone.waitForSelector('#detail[open]', { timeout: 5000 }).catch(() => {});
    check(await phone.isVisible('#detail[open]'), 'tapping a hex on a phone opens the council');
    await phone.keyboard.press('Escape');
    await phone.screenshot({ path: path.join(out, 'night-phone.png'), fullPage: true });

    check(errors.length === 0, 'no script errors', errors.join('\n     '));
  } finally {
    await browser.close();
    for (const s of servers) s.close();
    await new Promise((res) => { daemon.once('exit', res); daemon.kill('SIGTERM'); });
  }
  if (failures) { console.log(`${failures} check(s) failed`); process.exit(1); }
  console.log('all checks passed');
}

main().catch((e) => { console.error(e); process.exit(1); });
