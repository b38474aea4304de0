// The live results page. Plain JS, no build step, no network beyond this
// daemon: GET /v1/councils for the list, then the WebSocket feed
// (/v1/feed, docs/feed.md): hello, a snapshot of the current state, then
// every event in seq order. The newest seq seen (event or heartbeat) is
// remembered; after any disconnect the page reconnects with backoff and
// since=<that seq>, so nothing is missed and nothing is shown twice.
// Rendering is batched to one animation frame and touches only what changed.
// GET /v1/card gives the parties' colours and each council's hex position
// (the map). Options in the URL make embeds: ?region=London, ?council=ID,
// ?view=map,bars (only those pieces), ?header=0 (no header or footer).
'use strict';

(() => {
  const $ = (id) => document.getElementById(id);

  // ---------------------------------------------------------------- parties
  const KNOWN = {
    LAB: ['Labour', '#e4003b'], CON: ['Conservative', '#0087dc'], LD: ['Liberal Democrat', '#faa61a'],
    GREEN: ['Green', '#02a95b'], GRN: ['Green', '#02a95b'], REF: ['Reform UK', '#12b6cf'],
    REFORM: ['Reform UK', '#12b6cf'], SNP: ['SNP', '#fdf38e'], PC: ['Plaid Cymru', '#005b54'],
    IND: ['Independent', '#aaaaaa'], TUSC: ['TUSC', '#ec008c'], SDP: ['SDP', '#004a8f'],
    UKIP: ['UKIP', '#6d3177'], NOC: ['No overall control', '#4d4d4d'],
  };
  const FALLBACK = ['#8e6c8a', '#b5651d', '#6b8e23', '#c71585', '#2f4f4f', '#8b4513', '#4682b4', '#9acd32'];
  const colourCache = new Map();
  const CARD_PARTIES = new Map();  // code -> {name, colour} from /v1/card
  const HEX = /^#[0-9a-fA-F]{6}$/;
  function partyColour(code) {
    if (!code) return null;
    let c = colourCache.get(code);
    if (c) return c;
    const fromCard = CARD_PARTIES.get(code);
    if (fromCard && HEX.test(fromCard.colour || '')) c = fromCard.colour.toLowerCase();
    else if (KNOWN[code]) c = KNOWN[code][1];
    else {
      let h = 0;
      for (const ch of code) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
      c = FALLBACK[h % FALLBACK.length];
    }
    colourCache.set(code, c);
    return c;
  }
  const partyName = (code) => (CARD_PARTIES.get(code) && CARD_PARTIES.get(code).name) || (KNOWN[code] ? KNOWN[code][0] : code);
  // Black or white, whichever contrasts more with the background (WCAG luminance).
  function inkOn(hex) {
    const n = parseInt(hex.slice(1), 16);
    const lin = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    const L = 0.2126 * lin(n >> 16) + 0.7152 * lin((n >> 8) & 255) + 0.0722 * lin(n & 255);
    return (L + 0.05) / 0.05 >= 1.05 / (L + 0.05) ? '#000' : '#fff';
  }

  // ---------------------------------------------------------------- helpers
  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    if (attrs) for (const [k, v] of Object.entries(attrs)) {
      if (v == null || v === false) continue;
      if (k === 'class') e.className = v;
      else if (k === 'text') e.textContent = v;
      else e.setAttribute(k, v === true ? '' : v);
    }
    for (const c of children) if (c != null) e.append(c);
    return e;
  }
  const fmtInt = (n) => (n == null ? '–' : n.toLocaleString('en-GB'));
  const fmtChange = (n) => (n > 0 ? '+' + n : n < 0 ? '−' + -n : '0');
  const fmtBp = (bp) => (bp == null ? '–' : (bp / 100).toFixed(1) + '%');
  const timeFmt = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', timeZone: 'Europe/London' });
  const fmtTime = (iso) => { if (!iso) return ''; const d = new Date(iso); return isNaN(d) ? '' : timeFmt.format(d); };
  function chip(code) {
    const c = el('span', { class: 'chip', 'aria-hidden': 'true' });
    c.style.background = partyColour(code) || '#ccc';
    return c;
  }
  function partyLabel(code) {
    return el('abbr', { title: partyName(code) }, chip(code), code);
  }
  const STATUS_WORDS = { unknown: 'control unknown', undecided: 'undecided', secured: 'called', noc_certain: 'called: no overall control', final: 'final' };

  // ---------------------------------------------------------------- state
  const S = {
    election: null, test: false,
    lastSeq: 0,              // newest seq seen: events and heartbeats
    synced: false,           // a hello + state have been received at least once
    councils: new Map(),     // id -> council record (see addCouncil)
    scoreboard: null, scoreboardSeq: -1,
    tickerSeqs: new Set(),   // seqs already in the ticker (never shown twice)
    filter: { region: '', text: '', called: false, only: '' },
    openId: null,
  };
  const TICKER_MAX = 400;
  const TICKER_TYPES = new Set(['ward_declared', 'declaration_corrected', 'control_called', 'call_retracted']);

  // ---------------------------------------------------------------- render queue
  const dirty = { councils: new Set(), scoreboard: false, ticker: [], count: false, night: false };
  let frame = 0;
  function schedule() { if (!frame) frame = requestAnimationFrame(flush); }
  function flush() {
    frame = 0;
    for (const id of dirty.councils) renderTile(S.councils.get(id));
    dirty.councils.clear();
    if (dirty.scoreboard) { renderScoreboard(); dirty.scoreboard = false; }
    if (dirty.ticker.length) { renderTicker(dirty.ticker); dirty.ticker = []; }
    if (dirty.count) { renderFilterCount(); dirty.count = false; }
    if (dirty.night) { renderChanged(); renderTimeline(); dirty.night = false; }
    $('last-seq').textContent = 'seq ' + S.lastSeq;
  }

  // ---------------------------------------------------------------- councils grid
  const grid = $('grid');
  function addCouncil(c, seq) {
    const rec = {
      id: c.id, name: c.name, region: c.region || '', status: c.status, control: c.control,
      outcome: c.outcome, wards_declared: c.wards_declared || 0, wards_total: c.wards_total || 0,
      complete: c.status === 'final', called: c.status === 'secured' || c.status === 'noc_certain' || c.status === 'final',
      control_before: c.control_before || null,
      seq, el: null, hex: null,
      // What the charts need, from the newest event of each kind whatever its age.
      callSeq: 0, callAt: null, callText: null, updSeq: 0, completedAt: null,
    };
    S.councils.set(c.id, rec);
    const btn = el('button', { type: 'button', class: 'tile', 'data-id': c.id });
    btn.append(
      el('span', { class: 't-name', text: c.name }),
      el('span', { class: 't-ctl' }),
      el('span', { class: 't-bar', 'aria-hidden': 'true' }, el('span', { class: 't-fill' })),
      el('span', { class: 't-count' }),
      el('span', { class: 'sr t-sr' }));
    btn.addEventListener('click', () => openCouncil(c.id));
    const li = el('li', { 'data-id': c.id, 'data-region': rec.region }, btn);
    rec.el = li;
    rec.parts = { btn, ctl: btn.children[1], fill: btn.children[2].firstChild, count: btn.children[3], sr: btn.children[4] };
    renderTile(rec);
    return li;
  }

  function renderTile(c) {
    if (!c || !c.el) return;
    const p = c.parts;
    const known = c.called && c.control;
    const bg = known ? partyColour(c.control) : null;
    p.btn.style.background = bg || '';
    p.btn.style.color = bg ? inkOn(bg) : '';
    p.btn.classList.toggle('known', !!known);
    const early = c.called && !c.complete;
    p.btn.classList.toggle('early', early);
    p.btn.classList.toggle('final', c.complete);
    p.ctl.textContent = known ? c.control : c.status === 'unknown' ? '?' : '';
    const frac = c.wards_total ? c.wards_declared / c.wards_total : 0;
    p.fill.style.width = (frac * 100).toFixed(1) + '%';
    p.count.textContent = c.wards_declared + '/' + c.wards_total;
    p.sr.textContent = ': ' + (c.outcome || STATUS_WORDS[c.status] || c.status) + '. ' + c.wards_declared +
      ' of ' + c.wards_total + ' wards declared' + (early ? '; called early' : '') + '.';
    applyFilterTo(c);
    renderHex(c);
  }

  function updateCouncil(id, seq, patch) {
    const c = S.councils.get(id);
    if (!c || seq <= c.seq) return;
    c.seq = seq;
    Object.assign(c, patch);
    dirty.councils.add(id);
    dirty.count = true;
  }

  // ---------------------------------------------------------------- filters
  const fRegion = $('f-region'), fCouncil = $('f-council'), fCalled = $('f-called');
  function matches(region, council) {
    const f = S.filter;
    if (f.only && council && council !== f.only) return false;
    if (f.region && region !== f.region) return false;
    if (f.text) {
      const c = S.councils.get(council);
      if (!c || !c.name.toLowerCase().includes(f.text)) return false;
    }
    return true;
  }
  function applyFilterTo(c) {
    const show = matches(c.region, c.id) && (!S.filter.called || c.called);
    if (c.el.hidden === show) c.el.hidden = !show;
    if (c.hex) c.hex.g.classList.toggle('out', !matches(c.region, c.id));
  }
  function applyFilters() {
    S.filter.region = fRegion.value;
    S.filter.text = fCouncil.value.trim().toLowerCase();
    S.filter.called = fCalled.checked;
    for (const c of S.councils.values()) applyFilterTo(c);
    for (const li of ticker.children) li.hidden = !matches(li.dataset.region, li.dataset.council);
    renderFilterCount();
    dirty.night = true;
    schedule();
  }
  function renderFilterCount() {
    let shown = 0, called = 0;
    for (const c of S.councils.values()) { if (!c.el.hidden) shown++; if (c.called) called++; }
    $('f-count').textContent = `Showing ${shown} of ${S.councils.size} councils · ${called} called`;
    renderTickerEmpty();
  }
  function renderTickerEmpty() {
    const sel = ticker.classList.contains('calls-only') ? 'li.call:not([hidden]), li.retract:not([hidden])' : 'li:not([hidden])';
    const empty = !ticker.querySelector(sel);
    if ($('ticker-empty').hidden === empty) $('ticker-empty').hidden = !empty;
  }
  fRegion.addEventListener('change', applyFilters);
  fCouncil.addEventListener('input', applyFilters);
  fCalled.addEventListener('change', applyFilters);
  $('filters').addEventListener('submit', (e) => {
    e.preventDefault();
    const t = fCouncil.value.trim().toLowerCase();
    for (const c of S.councils.values()) if (c.name.toLowerCase() === t) return openCouncil(c.id);
  });

  // ---------------------------------------------------------------- scoreboard
  function renderRows(tbody, entries) {
    // Reuse rows by party so a frame touches only changed cells.
    const have = new Map();
    for (const tr of tbody.children) have.set(tr.dataset.party, tr);
    let i = 0;
    for (const [code, v] of entries) {
      let tr = have.get(code);
      if (!tr) {
        tr = el('tr', { 'data-party': code },
          el('th', { scope: 'row' }, partyLabel(code)), el('td', { class: 'num count' }), el('td', { class: 'num change' }));
      }
      have.delete(code);
      const count = String(v.count), change = fmtChange(v.change);
      if (tr.children[1].textContent !== count) tr.children[1].textContent = count;
      if (tr.children[2].textContent !== change) {
        tr.children[2].textContent = change;
        tr.children[2].className = 'num change ' + (v.change > 0 ? 'up' : v.change < 0 ? 'down' : '');
      }
      if (tbody.children[i] !== tr) tbody.insertBefore(tr, tbody.children[i] || null);
      i++;
    }
    for (const tr of have.values()) tr.remove();
  }
  function renderScoreboard() {
    const d = S.scoreboard;
    if (!d) return;
    $('sb-declared').textContent = fmtInt(d.councils_declared);
    $('sb-total').textContent = fmtInt(d.councils_total);
    $('sb-known').textContent = fmtInt(d.councils_known);
    $('sb-wards').textContent = fmtInt(d.wards_declared) + ' of ' + fmtInt(d.wards_total);
    $('sb-bar').style.width = (d.councils_total ? (100 * d.councils_declared) / d.councils_total : 0) + '%';
    const byCount = (o) => Object.entries(o || {}).sort((a, b) => b[1].count - a[1].count || (a[0] < b[0] ? -1 : 1));
    renderRows($('sb-councils').tBodies[0], byCount(d.councils));
    renderRows($('sb-councillors').tBodies[0], byCount(d.councillors));
    const parts = [];
    if (d.votes && d.votes.by_party) {
      const top = Object.entries(d.votes.by_party).sort((a, b) => b[1].votes - a[1].votes).slice(0, 5);
      if (top.length) parts.push('Vote share over declared wards: ' + top.map(([p, v]) => p + ' ' + fmtBp(v.share_bp)).join(', '));
    }
    if (d.turnout && d.turnout.turnout_bp != null) parts.push('turnout ' + fmtBp(d.turnout.turnout_bp));
    $('sb-votes').textContent = parts.join(' · ');
    renderSeatBars(d);
  }
  function setScoreboard(data, seq) {
    if (seq <= S.scoreboardSeq) return;
    S.scoreboardSeq = seq;
    S.scoreboard = data;
    dirty.scoreboard = true;
  }

  // ---------------------------------------------------------------- ticker
  const ticker = $('ticker');
  function tickerItem(ev) {
    const cls = { ward_declared: 'ward', declaration_corrected: 'corr', control_called: 'call', call_retracted: 'retract' }[ev.type];
    const li = el('li', { class: cls, 'data-seq': ev.seq, 'data-council': ev.council || '', 'data-region': ev.region || '' });
    li.append(el('time', { datetime: ev.at || '', text: fmtTime(ev.at) }));
    if (ev.type === 'control_called' && ev.data) li.append(chip(ev.data.control === 'NOC' ? 'NOC' : ev.data.control));
    const text = ev.council ? el('a', { class: 'ttext', href: '#council=' + encodeURIComponent(ev.council), text: ev.text })
      : el('span', { class: 'ttext', text: ev.text });
    li.append(text);
    if (ev.type === 'control_called' && ev.data && !ev.data.final) li.append(el('span', { class: 'tag', text: 'early call' }));
    if (ev.type === 'call_retracted') li.append(el('span', { class: 'tag warn', text: 'retracted' }));
    if (ev.type === 'declaration_corrected') li.append(el('span', { class: 'tag', text: 'correction' }));
    if (!matches(ev.region, ev.council)) li.hidden = true;
    return li;
  }
  function addToTicker(ev) {
    if (S.tickerSeqs.has(ev.seq)) return;
    S.tickerSeqs.add(ev.seq);
    dirty.ticker.push(ev);
    if (dirty.ticker.length > 2 * TICKER_MAX) {  // no frame for a while (a hidden tab): keep the newest
      dirty.ticker.sort((a, b) => a.seq - b.seq);
      dirty.ticker.splice(0, dirty.ticker.length - TICKER_MAX);
    }
  }
  function renderTicker(evs) {
    // The list is newest first. Most events are newer than everything shown
    // (prepend); backfilled history, which may arrive after live events, goes in its place.
    evs.sort((a, b) => a.seq - b.seq);
    if (evs.length > TICKER_MAX) evs = evs.slice(-TICKER_MAX);
    const frag = document.createDocumentFragment();
    const newest = ticker.firstElementChild ? Number(ticker.firstElementChild.dataset.seq) : 0;
    const older = [];
    for (let i = evs.length - 1; i >= 0; i--) {
      if (evs[i].seq > newest) frag.append(tickerItem(evs[i]));
      else older.push(evs[i]);
    }
    ticker.prepend(frag);
    for (const ev of older) {  // descending seq
      let next = null;
      for (const li of ticker.children) if (Number(li.dataset.seq) < ev.seq) { next = li; break; }
      ticker.insertBefore(tickerItem(ev), next);
    }
    while (ticker.childElementCount > TICKER_MAX) ticker.lastElementChild.remove();
    renderTickerEmpty();
  }

  // ---------------------------------------------------------------- the night in pictures
  // History the charts need, kept from the newest event of each kind (the
  // council records themselves only take events newer than /v1/councils).
  function noteHistory(ev, d) {
    const c = ev.council && S.councils.get(ev.council);
    if (!c) return;
    if ((ev.type === 'control_called' || ev.type === 'call_retracted') && ev.seq > c.callSeq) {
      c.callSeq = ev.seq;
      c.callAt = ev.type === 'control_called' ? ev.at : null;
      c.callText = ev.type === 'control_called' ? ev.text : null;
      dirty.night = true;
    } else if (ev.type === 'council_updated' && ev.seq > c.updSeq) {
      c.updSeq = ev.seq;
      if (d.control_before !== undefined) c.control_before = d.control_before;
      c.completedAt = d.complete ? (c.completedAt || ev.at) : null;
      dirty.night = true;
    }
  }

  // Hex map (HexJSON odd-r: odd rows shifted right by half a cell; rows count
  // northwards, so the SVG's y runs the other way).
  const SVGNS = 'http://www.w3.org/2000/svg';
  const svgEl = (tag, attrs) => {
    const e = document.createElementNS(SVGNS, tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    return e;
  };
  const HEX_R = 10, HEX_W = Math.sqrt(3) * HEX_R, UNCALLED = '#d5d9e0';
  function buildMap(councils) {
    const placed = councils.filter((c) => c.hex && S.councils.has(c.id) &&
      (!EMBED.region || c.region === EMBED.region));
    if (!placed.length) return false;
    const svg = $('hexmap');
    const maxR = Math.max(...placed.map((c) => c.hex.r));
    let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    const frag = document.createDocumentFragment();
    for (const c of placed) {
      const { q, r } = c.hex;
      const cx = HEX_W * (q + ((r & 1) ? 0.5 : 0)), cy = 1.5 * HEX_R * (maxR - r);
      x0 = Math.min(x0, cx - HEX_W / 2); x1 = Math.max(x1, cx + HEX_W / 2);
      y0 = Math.min(y0, cy - HEX_R); y1 = Math.max(y1, cy + HEX_R);
      const pts = [];
      for (let i = 0; i < 6; i++) {
        const a = Math.PI / 180 * (60 * i + 30);
        pts.push((cx + HEX_R * Math.cos(a)).toFixed(2) + ',' + (cy + HEX_R * Math.sin(a)).toFixed(2));
      }
      const rec = S.councils.get(c.id);
      const g = svgEl('g', { class: 'hex', 'data-id': c.id, tabindex: '0', role: 'button' });
      const poly = svgEl('polygon', { points: pts.join(' ') });
      const early = svgEl('circle', { class: 'early', cx: cx.toFixed(2), cy: cy.toFixed(2), r: (HEX_R * 0.62).toFixed(2) });
      const label = svgEl('text', { class: 'lbl', x: cx.toFixed(2), y: cy.toFixed(2) });
      label.textContent = c.name.replace(/^(City of |The )/, '').slice(0, 3);
      const title = svgEl('title');
      g.append(poly, early, label, title);
      g.addEventListener('click', () => openCouncil(c.id));
      g.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); openCouncil(c.id); } });
      const tip = () => { $('map-tip').textContent = hexWords(rec); };
      g.addEventListener('mouseenter', tip);
      g.addEventListener('focus', tip);
      rec.hex = { g, poly, early, label, title };
      frag.append(g);
      renderHex(rec);
    }
    const pad = 2;
    svg.setAttribute('viewBox', [x0 - pad, y0 - pad, x1 - x0 + 2 * pad, y1 - y0 + 2 * pad].map((v) => v.toFixed(1)).join(' '));
    svg.append(frag);
    return true;
  }
  function hexWords(c) {
    const state = c.called && c.control ? (c.outcome || c.control) : (c.wards_declared ? 'not yet called' : 'no results yet');
    return c.name + ': ' + state + ' · ' + c.wards_declared + ' of ' + c.wards_total + ' wards' +
      (c.called && !c.complete ? ' · called early' : '');
  }
  function renderHex(c) {
    const h = c.hex;
    if (!h) return;
    const known = c.called && c.control;
    const fill = known ? partyColour(c.control) : UNCALLED;
    const ink = inkOn(fill);
    h.poly.setAttribute('fill', fill);
    h.label.setAttribute('fill', ink);
    h.early.setAttribute('stroke', ink);
    h.early.style.display = known && !c.complete ? '' : 'none';
    h.g.dataset.control = known ? c.control : '';
    h.g.dataset.early = known && !c.complete ? 'true' : 'false';
    h.title.textContent = hexWords(c);
    h.g.setAttribute('aria-label', hexWords(c));
  }

  // Seat change bars: net councillors won or lost, by party, biggest parties first.
  function renderSeatBars(d) {
    const list = $('seat-bars');
    const rows = Object.entries(d.councillors || {}).filter(([, v]) => v.count > 0 || v.change !== 0)
      .sort((a, b) => b[1].count - a[1].count || (a[0] < b[0] ? -1 : 1)).slice(0, 10);
    const most = Math.max(1, ...rows.map(([, v]) => Math.abs(v.change)));
    const frag = document.createDocumentFragment();
    for (const [code, v] of rows) {
      const colour = partyColour(code);
      const bar = el('span', { class: 'sb-bar' });
      const half = 50 * Math.abs(v.change) / most;
      bar.style.left = (v.change < 0 ? 50 - half : 50) + '%';
      bar.style.width = half + '%';
      bar.style.background = colour;
      frag.append(el('li', { 'data-party': code, 'data-change': v.change, 'data-seats': v.count },
        el('span', { class: 'sb-party' }, partyLabel(code)),
        el('span', { class: 'sb-track', role: 'img', 'aria-label': partyName(code) + ': ' + v.count + ' councillors, ' +
          (v.change > 0 ? 'up ' + v.change : v.change < 0 ? 'down ' + -v.change : 'no change') }, bar),
        el('span', { class: 'sb-num change ' + (v.change > 0 ? 'up' : v.change < 0 ? 'down' : ''), text: fmtChange(v.change) })));
    }
    list.replaceChildren(frag);
    // Change is measured only where the seats' last result is known: say on how many.
    const cov = d.change_coverage;
    $('change-coverage').textContent = cov && cov.seats_up > 0
      ? 'Change on ' + fmtInt(cov.with_baseline) + ' of ' + fmtInt(cov.seats_up) + ' seats' : '';
  }

  // Councils whose control changed, newest call first.
  function renderChanged() {
    const changed = [...S.councils.values()].filter((c) => c.called && c.control && c.control_before &&
      c.control !== c.control_before && matches(c.region, c.id)).sort((a, b) => b.callSeq - a.callSeq);
    const frag = document.createDocumentFragment();
    for (const c of changed) {
      const colour = partyColour(c.control);
      const pill = el('span', { class: 'pill', text: c.control });
      pill.style.background = colour;
      pill.style.color = inkOn(colour);
      const link = el('a', { href: '#council=' + encodeURIComponent(c.id), text: c.callText || (c.name + ': ' + (c.outcome || c.control)) });
      frag.append(el('li', { 'data-id': c.id, 'data-seq': c.callSeq }, el('time', { datetime: c.callAt || '', text: fmtTime(c.callAt) }), pill, link));
    }
    $('changed').replaceChildren(frag);
    $('changed-empty').hidden = changed.length > 0;
  }

  // Councils fully declared against the clock: a step line.
  function renderTimeline() {
    const svg = $('timeline');
    const times = [...S.councils.values()].filter((c) => c.completedAt && matches(c.region, c.id))
      .map((c) => Date.parse(c.completedAt)).filter((t) => !isNaN(t)).sort((a, b) => a - b);
    const total = [...S.councils.values()].filter((c) => matches(c.region, c.id)).length;
    svg.dataset.count = times.length;
    if (!times.length) {
      svg.replaceChildren();
      svg.setAttribute('aria-label', 'No council fully declared yet');
      $('timeline-caption').textContent = 'No council fully declared yet.';
      return;
    }
    const t0 = times[0], t1 = Math.max(times[times.length - 1], t0 + 60000);
    const W = 320, H = 120, x = (t) => 4 + (W - 8) * (t - t0) / (t1 - t0), y = (n) => H - 4 - (H - 8) * n / Math.max(1, total);
    let d = 'M' + x(t0).toFixed(1) + ',' + y(0).toFixed(1);
    times.forEach((t, i) => { d += 'H' + x(t).toFixed(1) + 'V' + y(i + 1).toFixed(1); });
    const area = svgEl('path', { class: 'tl-area', d: d + 'V' + y(0).toFixed(1) + 'Z' });
    const line = svgEl('path', { class: 'tl-line', d });
    svg.replaceChildren(area, line);
    const words = times.length + ' of ' + total + ' councils fully declared; the first at ' + fmtTime(new Date(t0).toISOString()) +
      ', the latest at ' + fmtTime(new Date(times[times.length - 1]).toISOString());
    svg.setAttribute('aria-label', words);
    $('timeline-caption').textContent = words + '.';
  }

  // ---------------------------------------------------------------- embeds
  // ?region=NAME one region, ?council=ID one council, ?view=map,bars only
  // those pieces (scoreboard, map, bars, changed, timeline, councils,
  // ticker), ?header=0 without the header and footer.
  const Q = new URLSearchParams(location.search);
  // A private night (the daemon has read-token): the page's own address
  // carries ?token=, and the page passes it on to every request it makes.
  const TOKEN = Q.get('token') || '';
  const withToken = (url) => (TOKEN ? url + (url.includes('?') ? '&' : '?') + 'token=' + encodeURIComponent(TOKEN) : url);
  const EMBED = {
    region: Q.get('region') || '',
    council: Q.get('council') || '',
    views: Q.get('view') ? new Set(Q.get('view').split(',').map((v) => v.trim()).filter(Boolean)) : null,
    header: !['0', 'false', 'no'].includes((Q.get('header') || '').toLowerCase()),
  };
  const VIEWS = ['scoreboard', 'map', 'bars', 'changed', 'timeline', 'councils', 'ticker'];
  const wanted = (view) => !EMBED.views || EMBED.views.has(view);
  function embedProblem(text) {
    const p = el('p', { class: 'card error embed-error', role: 'alert', 'data-testid': 'embed-error', text });
    $('main').prepend(p);
  }
  function applyEmbed(councils) {
    if (!EMBED.header) document.body.classList.add('no-header');
    if (EMBED.views) {
      document.body.classList.add('embed');
      const unknown = [...EMBED.views].filter((v) => !VIEWS.includes(v));
      if (unknown.length) embedProblem('Unknown view ' + unknown.join(', ') + ' in the address; the views are ' + VIEWS.join(', ') + '.');
      for (const sec of document.querySelectorAll('main > section[data-view]')) if (!wanted(sec.dataset.view)) sec.hidden = true;
    }
    if (EMBED.region) {
      if (!councils.some((c) => c.region === EMBED.region))
        embedProblem('No council on the card is in the region "' + EMBED.region + '"; showing none.');
      S.filter.region = EMBED.region;
      fRegion.value = EMBED.region;
      fRegion.disabled = true;
    }
    if (EMBED.council) {
      if (!S.councils.has(EMBED.council)) embedProblem('No council "' + EMBED.council + '" on the card; showing none.');
      S.filter.only = EMBED.council;
      fCouncil.closest('label').hidden = true;
    }
  }

  async function loadCard() {
    try {
      const r = await fetch(withToken('/v1/card'), { cache: 'no-store' });
      if (!r.ok) return null;
      const card = await r.json();
      for (const p of card.parties || []) CARD_PARTIES.set(p.code, { name: p.name, colour: p.colour });
      colourCache.clear();
      return card;
    } catch (e) { return null; }  // the page works without it: fallback colours, no map
  }

  // ---------------------------------------------------------------- events
  function applyEvent(ev, news) {
    const d = ev.data || {};
    noteHistory(ev, d);
    switch (ev.type) {
      case 'council_updated':
        updateCouncil(ev.council, ev.seq, {
          status: d.status, control: d.control, outcome: d.outcome, wards_declared: d.wards_declared,
          wards_total: d.wards_total, complete: !!d.complete, called: d.call != null,
        });
        break;
      case 'control_called':
        updateCouncil(ev.council, ev.seq, {
          status: d.final ? 'final' : d.call, control: d.control, outcome: d.outcome, called: true,
        });
        break;
      case 'call_retracted':
        updateCouncil(ev.council, ev.seq, { status: d.status, control: null, outcome: null, called: false });
        break;
      case 'scoreboard':
        setScoreboard(d, ev.seq);
        break;
    }
    if (news && TICKER_TYPES.has(ev.type)) addToTicker(ev);
    if (S.openId && ev.council === S.openId && ev.type !== 'scoreboard') refreshDetailSoon();
  }

  // ---------------------------------------------------------------- connection
  const conn = $('conn'), connText = $('conn-text');
  function setConn(state, text) {
    if (conn.dataset.state !== state) conn.dataset.state = state;
    if (connText.textContent !== text) connText.textContent = text;
  }
  let ws = null, attempt = 0, retryTimer = 0, watchdog = 0, snapshotLeft = 0, lastMessageAt = 0;
  const WATCHDOG_MS = 20000;  // heartbeats come every 5 s by default

  function feedUrl() {
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    let q = '';
    if (S.synced) q = '?since=' + S.lastSeq + (S.election ? '&election=' + encodeURIComponent(S.election) : '');
    return withToken(proto + '//' + location.host + '/v1/feed' + q);
  }

  function connect() {
    clearTimeout(retryTimer);
    setConn(attempt ? 'reconnecting' : 'connecting', attempt ? 'Reconnecting…' : 'Connecting…');
    let sock;
    try { sock = new WebSocket(feedUrl()); } catch (e) { return retry(); }
    ws = sock;
    snapshotLeft = 0;
    sock.onmessage = (m) => { if (ws === sock) onMessage(m.data); };
    sock.onclose = (e) => {
      if (ws !== sock) return;
      ws = null;
      retry(e.code === 1001 ? 'the server is restarting' : e.code === 4008 ? 'the page fell behind' : '');
    };
    sock.onerror = () => {};  // onclose follows
  }

  function retry(why) {
    clearInterval(watchdog);
    // 0.5 s, 1 s, 2 s ... capped at 15 s, with jitter so pages don't return in a herd.
    const delay = Math.min(15000, 500 * 2 ** Math.min(attempt, 5)) * (0.75 + Math.random() * 0.5);
    attempt++;
    const until = Date.now() + delay;
    const tick = () => {
      const s = Math.max(0, Math.ceil((until - Date.now()) / 1000));
      setConn('reconnecting', (why ? 'Disconnected (' + why + '). ' : 'Disconnected. ') + 'Reconnecting' + (s ? ' in ' + s + ' s…' : '…'));
    };
    tick();
    const iv = setInterval(tick, 1000);
    retryTimer = setTimeout(() => { clearInterval(iv); connect(); }, delay);
  }

  function onMessage(data) {
    lastMessageAt = Date.now();
    let start = 0;
    while (start < data.length) {
      let end = data.indexOf('\n', start);
      if (end < 0) end = data.length;
      const line = data.slice(start, end);
      start = end + 1;
      if (line) onLine(JSON.parse(line));
    }
    schedule();
  }

  function onLine(m) {
    if (snapshotLeft > 0) {  // state as of the snapshot's seq, not news
      snapshotLeft--;
      applyEvent(m, false);
      return;
    }
    switch (m.type) {
      case 'hello': return onHello(m);
      case 'snapshot':
        snapshotLeft = m.events;
        S.lastSeq = Math.max(S.lastSeq, m.seq);
        if (!S.synced) backfillTicker(m.seq);
        S.synced = true;
        return;
      case 'heartbeat':
        if (m.seq > S.lastSeq) S.lastSeq = m.seq;
        return;
    }
    if (typeof m.seq !== 'number' || m.seq <= S.lastSeq) return;  // already seen (before a reconnect)
    S.lastSeq = m.seq;
    applyEvent(m, true);
  }

  function onHello(h) {
    if (S.election && h.election !== S.election) return location.reload();  // another election: start over
    if (S.synced && h.resume !== 'since' && h.seq < S.lastSeq) return location.reload();  // journal reset
    S.election = h.election;
    S.test = !!h.test;
    $('election').textContent = h.election;
    $('rehearsal').hidden = !S.test;
    document.body.classList.toggle('is-test', S.test);
    if (h.resume === 'since') S.synced = true;
    attempt = 0;
    setConn('live', S.test ? 'Live (rehearsal)' : 'Live');
    clearInterval(watchdog);
    watchdog = setInterval(() => {  // a silent, half-open connection: drop it and resume
      if (ws && Date.now() - lastMessageAt > WATCHDOG_MS) ws.close();
    }, 5000);
  }

  // Recent declarations and calls from before the page opened, so the ticker
  // is not empty; anything live that arrives meanwhile is kept (deduped by seq).
  async function backfillTicker(upto) {
    if (upto <= 0) return;
    try {
      const since = Math.max(0, upto - 2000);
      const r = await fetch(withToken('/v1/events?since=' + since + '&limit=2000'), { cache: 'no-store' });
      if (!r.ok) return;
      const page = await r.json();
      const evs = page.events.filter((e) => e.seq <= upto && TICKER_TYPES.has(e.type));
      for (const e of evs.slice(-TICKER_MAX)) addToTicker(e);
      schedule();
    } catch (e) { /* the ticker starts empty; live events still come */ }
  }

  // ---------------------------------------------------------------- council detail
  const dialog = $('detail');
  let detailTimer = 0, detailReq = 0;
  function openCouncil(id) {
    if (!S.councils.has(id)) return;
    S.openId = id;
    const c = S.councils.get(id);
    $('d-name').textContent = c.name;
    $('d-sub').textContent = c.region;
    if (location.hash !== '#council=' + encodeURIComponent(id)) history.replaceState(null, '', '#council=' + encodeURIComponent(id));
    if (!dialog.open) dialog.showModal();
    loadDetail();
  }
  function closeCouncil() {
    if (dialog.open) dialog.close();
  }
  dialog.addEventListener('close', () => {
    const id = S.openId;
    S.openId = null;
    if (location.hash.startsWith('#council=')) history.replaceState(null, '', location.pathname + location.search);
    const c = id && S.councils.get(id);
    if (c && !c.el.hidden) c.parts.btn.focus();
  });
  dialog.addEventListener('click', (e) => { if (e.target === dialog) closeCouncil(); });  // the backdrop
  $('d-close').addEventListener('click', closeCouncil);
  function refreshDetailSoon() {
    if (!detailTimer) detailTimer = setTimeout(() => { detailTimer = 0; loadDetail(); }, 400);
  }
  async function loadDetail() {
    const id = S.openId;
    if (!id) return;
    const n = ++detailReq;
    const body = $('d-body');
    if (!body.firstChild) body.append(el('p', { class: 'muted', text: 'Loading…' }));
    try {
      const r = await fetch(withToken('/v1/councils/' + encodeURIComponent(id)), { cache: 'no-store' });
      if (!r.ok) throw new Error('HTTP ' + r.status);
      const d = await r.json();
      if (n !== detailReq || S.openId !== id) return;
      renderDetail(d);
    } catch (e) {
      if (n === detailReq) body.replaceChildren(el('p', { class: 'error', text: 'Could not load this council (' + e.message + '). It will retry on the next update.' }));
    }
  }

  function renderDetail(d) {
    $('d-name').textContent = d.name;
    $('d-sub').textContent = d.region + ' · ' + (d.outcome || STATUS_WORDS[d.status] || d.status);
    const body = $('d-body');
    const openWards = new Set([...body.querySelectorAll('details[open]')].map((x) => x.dataset.id));
    const frag = document.createDocumentFragment();

    const facts = el('dl', { class: 'facts' });
    const fact = (k, v) => facts.append(el('div', null, el('dt', { text: k }), el('dd', { text: v })));
    fact('Control', d.status === 'undecided' ? 'Undecided' : d.status === 'unknown' ? 'Unknown' : (d.control === 'NOC' ? 'No overall control' : d.control) + (d.complete ? '' : ' (called early)'));
    fact('Before', d.control_before == null ? 'unknown' : d.control_before);
    fact('Wards declared', d.wards_declared + ' of ' + d.wards_total);
    fact('Seats declared', d.seats_declared + ' of ' + d.seats_total);
    fact('Majority', d.majority == null ? 'unknown' : d.majority + ' of ' + d.size + ' seats' + (d.vacancies ? ' (' + d.vacancies + ' vacant)' : ''));
    frag.append(facts);

    // Composition bar: seats by party, the rest not yet declared; a line at the majority.
    if (d.size) {
      const wrap = el('figure', { class: 'comp' });
      const bar = el('div', { class: 'comp-bar', role: 'img', 'aria-label': 'Composition: ' +
        d.composition.filter((p) => p.seats > 0).map((p) => p.party + ' ' + p.seats).join(', ') +
        ' of ' + d.size + ' seats; ' + (d.majority == null ? '' : d.majority + ' needed for a majority') });
      let used = 0;
      for (const p of d.composition) {
        if (p.seats <= 0) continue;
        const seg = el('span', { class: 'seg', title: p.party + ' ' + p.seats });
        seg.style.width = (100 * p.seats / d.size) + '%';
        seg.style.background = partyColour(p.party);
        if (p.seats / d.size > 0.06) { seg.textContent = p.party; seg.style.color = inkOn(partyColour(p.party)); }
        bar.append(seg);
        used += p.seats;
      }
      if (d.majority != null) {
        const line = el('span', { class: 'maj', 'aria-hidden': 'true' });
        line.style.left = (100 * d.majority / d.size) + '%';
        line.append(el('span', { text: d.majority + ' for majority' }));
        bar.append(line);
      }
      const rest = d.size - used;
      wrap.append(bar, el('figcaption', { class: 'muted small', text: used + ' of ' + d.size + ' seats filled' +
        (rest > 0 ? '; grey: ' + rest + (d.vacancies ? ' to declare or vacant' : ' to declare') : '') +
        (d.majority != null ? '; dashed line: ' + d.majority + ' seats for a majority' : '') + '.' }));
      frag.append(wrap);
    }

    const t = el('table', { class: 'tally comp-table' },
      el('caption', { text: 'Composition' }),
      el('thead', null, el('tr', null, ...['Party', 'Seats', 'Won tonight', 'Continuing', 'Eve of poll', 'Net change'].map((h, i) =>
        el('th', { scope: 'col', class: (i ? 'num' : '') + (i === 2 || i === 3 ? ' opt' : ''), text: h })))));
    const tb = el('tbody');
    for (const p of d.composition) {
      tb.append(el('tr', null, el('th', { scope: 'row' }, partyLabel(p.party)),
        el('td', { class: 'num', text: p.seats }), el('td', { class: 'num opt', text: p.won }),
        el('td', { class: 'num opt', text: p.continuing }), el('td', { class: 'num', text: p.eve_of_poll }),
        el('td', { class: 'num change ' + (p.net_vs_last > 0 ? 'up' : p.net_vs_last < 0 ? 'down' : ''), text: fmtChange(p.net_vs_last) })));
    }
    t.append(tb);
    frag.append(el('div', { class: 'scroll' }, t));

    const contests = [...(d.mayors || []), ...(d.wards || [])];
    frag.append(el('h3', { text: 'Ward results' }));
    const list = el('ul', { class: 'wards' });
    const declared = contests.filter((w) => w.declared).sort((a, b) => b.event.seq - a.event.seq);
    const waiting = contests.filter((w) => !w.declared);
    for (const w of [...declared, ...waiting]) list.append(wardItem(w, openWards.has(w.id)));
    frag.append(list);
    body.replaceChildren(frag);
  }

  // A ward the results desk marked: "recount", "count adjourned, resumes 10:00".
  function wardState(w) {
    if (w.state === 'recount') return 'recount';
    if (w.state === 'count_adjourned') return 'count adjourned' + (w.expected_at ? ', resumes ' + fmtTime(w.expected_at) : '');
    return '';
  }
  function wardItem(w, open) {
    const li = el('li');
    const state = wardState(w);
    if (!w.declared) {
      li.append(el('p', { class: 'ward-wait' }, el('strong', { text: w.name }), ' ',
        state ? el('span', { class: 'ward-state', 'data-testid': 'ward-state', text: state }) : null, state ? ' ' : null,
        el('span', { class: 'muted', text: w.postponed ? 'poll postponed' : 'awaiting declaration' + (w.seats > 1 ? ' (' + w.seats + ' seats)' : '') })));
      return li;
    }
    const r = w.result;
    const det = el('details', { 'data-id': w.id, open: open || null });
    const winners = el('span', { class: 'winners', 'aria-hidden': 'true' });
    for (const p of r.winners || []) winners.append(chip(p));
    det.append(el('summary', null, winners, el('strong', { text: r.name }), ' ', el('span', { text: r.summary || '' })));
    const tab = el('table', { class: 'cands' },
      el('caption', { class: 'sr', text: r.name + ' candidates' }),
      el('thead', null, el('tr', null, ...['Candidate', 'Party', 'Votes', 'Share', ''].map((h, i) => el('th', { scope: 'col', class: i > 1 ? 'num' : null, text: h || null }, h ? null : el('span', { class: 'sr', text: 'Elected' }))))));
    const tb = el('tbody');
    for (const c of r.candidates) {
      tb.append(el('tr', { class: c.elected ? 'elected' : null },
        el('td', { text: c.name }), el('td', null, partyLabel(c.party)),
        el('td', { class: 'num', text: c.votes == null ? 'unopposed' : fmtInt(c.votes) }),
        el('td', { class: 'num', text: fmtBp(c.share_bp) }),
        el('td', { class: 'num elected-mark' }, c.elected ? el('span', { 'aria-hidden': 'true', text: '✓' }) : null,
          c.elected ? el('span', { class: 'sr', text: 'Elected' }) : null)));
    }
    tab.append(tb);
    det.append(el('div', { class: 'scroll' }, tab));
    const notes = [];
    if (r.turnout_bp != null) notes.push('Turnout ' + fmtBp(r.turnout_bp));
    if (r.notional) notes.push('notional baseline');
    if (r.lots) notes.push('tie decided by lot');
    if (r.revision > 1) notes.push('revision ' + r.revision + ' (corrected)');
    if (state) notes.push(state);
    if (notes.length) det.append(el('p', { class: 'muted small', text: notes.join(' · ') }));
    li.append(det);
    return li;
  }

  function openFromHash() {
    const m = /^#council=(.+)$/.exec(location.hash);
    if (m) openCouncil(decodeURIComponent(m[1]));
    else if (dialog.open) closeCouncil();
  }
  window.addEventListener('hashchange', openFromHash);

  // ---------------------------------------------------------------- ticker toggle
  const tAll = $('t-all'), tCalls = $('t-calls');
  function callsOnly(on) {
    ticker.classList.toggle('calls-only', on);
    tAll.setAttribute('aria-pressed', String(!on));
    tCalls.setAttribute('aria-pressed', String(on));
    renderTickerEmpty();
  }
  tAll.addEventListener('click', () => callsOnly(false));
  tCalls.addEventListener('click', () => callsOnly(true));

  // ---------------------------------------------------------------- start
  async function loadCouncils() {
    for (;;) {
      try {
        const r = await fetch(withToken('/v1/councils'), { cache: 'no-store' });
        if (!r.ok) throw new Error('HTTP ' + r.status);
        return await r.json();
      } catch (e) {
        setConn('reconnecting', 'Cannot reach the results server; retrying…');
        await new Promise((res) => setTimeout(res, 2000));
      }
    }
  }

  async function start() {
    const [list, card] = await Promise.all([loadCouncils(), loadCard()]);
    const frag = document.createDocumentFragment();
    const regions = new Set(), names = document.createDocumentFragment();
    for (const c of list.councils) {
      frag.append(addCouncil(c, list.last_seq));
      if (c.region) regions.add(c.region);
      names.append(el('option', { value: c.name }));
    }
    grid.append(frag);
    $('council-names').append(names);
    for (const r of [...regions].sort()) fRegion.append(el('option', { value: r, text: r }));
    $('sb-total').textContent = list.councils.length;
    applyEmbed(list.councils);
    const mapped = card && wanted('map') && buildMap(card.councils);
    $('map-section').hidden = !mapped;
    $('main').classList.toggle('no-map', !mapped);
    for (const c of S.councils.values()) applyFilterTo(c);
    renderFilterCount();
    dirty.night = true;
    schedule();
    connect();
    openFromHash();
  }
  // Expose a read-only view for tests and debugging.
  window.declaredPage = { state: S };
  start();
})();
