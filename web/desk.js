// The desk view (docs/desk.md): the live page opened at /desk?token=DESKTOKEN
// adds a panel listing what the results desk must decide: proposed calls
// awaiting approval, councils on hold, desk calls and conflicts, the embargo,
// and wards marked recount or adjourned, with a button for each action. It
// reads GET /v1/desk (refreshed every two seconds and after each action) and
// acts through POST /v1/desk/actions with the token as a Bearer header.
(function () {
  'use strict';
  if (location.pathname !== '/desk') return;
  const TOKEN = new URLSearchParams(location.search).get('token') || '';
  const REFRESH_MS = 2000;

  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v == null) continue;
      if (k === 'text') e.textContent = v;
      else e.setAttribute(k, v);
    }
    for (const c of children) if (c != null) e.append(c);
    return e;
  }

  const panel = el('section', { id: 'desk', class: 'card desk', 'aria-labelledby': 'desk-heading', 'data-testid': 'desk' });
  const status = el('p', { class: 'muted small', role: 'status', 'aria-live': 'polite', 'data-testid': 'desk-status' });
  const reason = el('input', { id: 'desk-reason', type: 'text', maxlength: '500', placeholder: 'Reason (recorded with your name)', 'data-testid': 'desk-reason' });
  const lists = el('div', { class: 'desk-lists' });
  panel.append(
    el('h2', { id: 'desk-heading', text: 'Results desk' }),
    el('label', { class: 'desk-reason', for: 'desk-reason' }, el('span', { text: 'Reason ' }), reason),
    status, lists);

  async function act(body) {
    if (!reason.value.trim()) { status.textContent = 'Give a reason first: it is recorded with the action.'; reason.focus(); return; }
    body.reason = reason.value.trim();
    try {
      const r = await fetch('/v1/desk/actions', {
        method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: 'Bearer ' + TOKEN },
        body: JSON.stringify(body),
      });
      const answer = await r.json();
      status.textContent = r.ok ? body.action + ' applied' : 'Refused: ' + ((answer.error && answer.error.message) || r.status);
    } catch (e) { status.textContent = 'The daemon could not be reached: ' + e.message; }
    refresh();
  }

  function button(label, body) {
    const b = el('button', { type: 'button', text: label });
    b.addEventListener('click', () => act(body));
    return b;
  }

  function section(title, testid, items) {
    const ul = el('ul', { class: 'desk-list', 'data-testid': testid });
    for (const it of items) ul.append(it);
    return el('div', null, el('h3', { text: title + ' (' + items.length + ')' }),
      items.length ? ul : el('p', { class: 'muted small', text: 'None.' }));
  }

  function render(s) {
    const proposals = [], holds = [], calls = [], wards = [];
    for (const c of s.councils) {
      if (c.proposal && !c.proposal.approved)
        proposals.push(el('li', null, el('strong', { text: c.name }), ' ', c.proposal.outcome + ' proposed · ' + c.arithmetic.proof + ' ',
          button('Approve', { action: 'approve', council: c.id, control: c.proposal.control })));
      if (c.policy === 'hold')
        holds.push(el('li', null, el('strong', { text: c.name }), ' on hold' + (c.held ? ': the arithmetic says ' + c.arithmetic.outcome : '') + ' ',
          button('Release', { action: 'release', council: c.id })));
      if (c.desk_call)
        calls.push(el('li', null, el('strong', { text: c.name }), ' desk call ' + c.desk_call.outcome + ' by ' + c.desk_call.name +
          (c.conflict ? ' · CONFLICT: the arithmetic says ' + c.conflict : '') + ' ',
          button('Return to the arithmetic', { action: 'return', council: c.id })));
    }
    for (const w of s.wards)
      wards.push(el('li', null, el('strong', { text: w.name }), ' ' +
        (w.state === 'recount' ? 'recount' : w.state === 'count_adjourned' ? 'count adjourned' + (w.expected_at ? ', resumes ' + w.expected_at : '') : '') +
        (w.withdrawn_revision ? ' · revision ' + w.withdrawn_revision + ' withdrawn' : '')));
    const e = s.embargo;
    const embargo = el('div', { 'data-testid': 'desk-embargo' }, el('h3', { text: 'Embargo' }),
      e.active ? el('p', null, 'Every call held' + (e.until ? ' until ' + e.until : ' until lifted') + ' (' + e.held.length + ' waiting, set by ' + e.name + ') ',
        button('Lift the embargo', { action: 'lift_embargo' }))
        : el('p', { class: 'muted small', text: 'None. Night-wide policy: ' + s.policy + '.' }));
    lists.replaceChildren(section('Awaiting approval', 'desk-proposals', proposals), section('On hold', 'desk-holds', holds),
      section('Desk calls', 'desk-calls', calls), embargo, section('Wards marked', 'desk-wards', wards));
  }

  let timer = 0;
  async function refresh() {
    clearTimeout(timer);
    try {
      const r = await fetch('/v1/desk', { headers: { Authorization: 'Bearer ' + TOKEN }, cache: 'no-store' });
      if (r.ok) render(await r.json());
      else status.textContent = r.status === 401 || r.status === 403 ? 'This view needs a desk token: open /desk?token=…' : 'GET /v1/desk: ' + r.status;
    } catch (e) { status.textContent = 'The daemon could not be reached'; }
    timer = setTimeout(refresh, REFRESH_MS);
  }

  document.addEventListener('DOMContentLoaded', () => {
    document.getElementById('main').before(panel);  // above the results grid, full width
    document.title = 'Results desk — declared';
    refresh();
  });
})();
