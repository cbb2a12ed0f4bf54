// intake serve: the little JavaScript the pages need. Keyboard-first review (Enter saves a field
// and goes to the next flagged one, Ctrl+Enter confirms and opens the next dossier), the page
// viewer with the OCR's word boxes, live batch progress (server-sent events) and uploads.
// The server checks everything again; these checks only save the operator a round trip.
'use strict';

const csrf = () => document.body.dataset.csrf || '';

async function call(method, url, body) {
  const init = { method, headers: { 'X-CSRF-Token': csrf() }, credentials: 'same-origin' };
  if (body instanceof FormData) init.body = body;
  else if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const res = await fetch(url, init);
  let data = {};
  try { data = await res.json(); } catch (e) { /* not JSON */ }
  return { status: res.status, data };
}

// --- field rules, as on the server (pipeline/web/fields.cpp) --------------------------------

function s10Valid(v) {
  if (!/^[A-Z]{2}[0-9]{9}[A-Z]{2}$/.test(v)) return false;
  const w = [8, 6, 4, 2, 3, 5, 9, 7];
  let sum = 0;
  for (let i = 0; i < 8; i++) sum += w[i] * Number(v[2 + i]);
  let c = 11 - (sum % 11);
  if (c === 10) c = 0;
  if (c === 11) c = 5;
  return c === Number(v[10]);
}

function normalise(rule, v) {
  v = v.normalize('NFC').trim();
  if (rule === 's10') v = v.replace(/[\s-]/g, '').toUpperCase();
  return v;
}

function checkRule(rule, v) {
  if (v === '') return '';
  switch (rule) {
    case 's10': return s10Valid(v) ? '' : 'số hiệu bưu gửi không hợp lệ: 2 chữ cái, 9 chữ số (chữ số cuối là chữ số kiểm tra), 2 chữ cái';
    case 'citizen_id': return /^[0-9]{12}$/.test(v) ? '' : 'số định danh cá nhân gồm đúng 12 chữ số';
    case 'date': {
      const m = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/.exec(v);
      const d = m && new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
      return d && d.getUTCDate() === +m[3] && d.getUTCMonth() === +m[2] - 1 ? '' : 'ngày theo dạng YYYY-MM-DD, ví dụ 1990-03-15';
    }
    case 'phone': return /^0[0-9]{9,10}$/.test(v) ? '' : 'số điện thoại gồm 10 hoặc 11 chữ số, bắt đầu bằng 0';
    case 'sex': return v === 'Nam' || v === 'Nữ' ? '' : 'giới tính là Nam hoặc Nữ';
    default: return '';
  }
}

// --- the review screen ---------------------------------------------------------------------

function reviewScreen() {
  const main = document.getElementById('dossier');
  const code = main.dataset.code;
  const editable = main.dataset.editable === '1';
  const status = document.getElementById('status');
  const img = document.getElementById('page-image');
  const boxes = document.getElementById('boxes');
  const sheet = document.getElementById('sheet');
  const showWords = document.getElementById('show-words');
  let zoom = 1, turn = 0, words = [], scale = 1, page = Number(img.dataset.page);
  const thumbs = [...document.querySelectorAll('.thumb')];
  const fields = [...document.querySelectorAll('#record-form .field')];
  const inputOf = (f) => f.querySelector('input, select');

  const say = (text, bad) => { status.textContent = text; status.classList.toggle('error', !!bad); };

  async function showPage(n) {
    page = n;
    thumbs.forEach((t) => t.classList.toggle('current', Number(t.dataset.page) === n));
    const fit = Math.max(400, document.getElementById('canvas').clientWidth - 24);
    const width = Math.round(fit * zoom);
    const res = await fetch(`/pages/${encodeURIComponent(code)}/${n}?w=${width}`, { credentials: 'same-origin' });
    if (!res.ok) { say('Không đọc được bản quét của trang ' + n, true); return; }
    scale = Number(res.headers.get('X-Intake-Scale')) || 1;
    const url = URL.createObjectURL(await res.blob());
    img.onload = () => URL.revokeObjectURL(url);
    img.src = url;
    img.dataset.page = n;
    const w = await call('GET', `/api/dossiers/${encodeURIComponent(code)}/pages/${n}/words`);
    words = w.status === 200 ? w.data.words : [];
    drawWords();
  }

  // The words the focused field's value was read from (its evidence) are outlined, on whichever
  // page it was read; with "show words" on, every word is, the doubtful ones in red.
  let focused = null;  // the focused field's evidence
  function drawWords() {
    boxes.textContent = '';
    const mine = new Set((focused && focused.page === page ? focused.words : []).map((w) => w.x + ',' + w.y));
    for (const w of words) {
      const source = mine.has(w.x + ',' + w.y);
      if (!showWords.checked && !source) continue;
      const b = document.createElement('div');
      b.className = 'word';
      if (w.confidence < 60) b.classList.add('low');
      if (source) b.classList.add('source');
      b.style.left = w.x * scale + 'px';
      b.style.top = w.y * scale + 'px';
      b.style.width = w.w * scale + 'px';
      b.style.height = w.h * scale + 'px';
      b.title = `${w.text} (${Math.round(w.confidence)}%)`;
      boxes.appendChild(b);
    }
    const first = boxes.querySelector('.source');
    if (first) first.scrollIntoView({ block: 'nearest', inline: 'nearest' });
  }
  function focusEvidence(box) {
    focused = box.dataset.evidence ? JSON.parse(box.dataset.evidence) : null;
    if (focused && focused.page && focused.page !== page && focused.words.length) showPage(focused.page);
    else drawWords();
  }

  function setZoom(z) {
    zoom = Math.min(3, Math.max(0.5, z));
    showPage(page);
  }
  sheet.style.transformOrigin = 'top left';
  document.querySelectorAll('[data-zoom]').forEach((b) => b.addEventListener('click', () => setZoom(zoom * (b.dataset.zoom === 'in' ? 1.25 : 0.8))));
  document.querySelectorAll('[data-turn]').forEach((b) => b.addEventListener('click', () => turnPage()));
  showWords.addEventListener('change', () => drawWords());
  thumbs.forEach((t) => t.addEventListener('click', () => showPage(Number(t.dataset.page))));
  const stepPage = (d) => {
    const i = thumbs.findIndex((t) => Number(t.dataset.page) === page);
    const next = thumbs[i + d];
    if (next) showPage(Number(next.dataset.page));
  };

  function refresh(d) {
    main.dataset.version = d.version;
    for (const f of d.fields) {
      const box = fields.find((x) => x.dataset.key === f.key);
      if (!box) continue;
      const input = inputOf(box);
      input.value = f.value || '';
      input.dataset.saved = f.value || '';
      box.querySelector('.why').textContent = f.flagged.join('; ');
      box.dataset.evidence = JSON.stringify(f.evidence);
      box.querySelector('.source').textContent = f.evidence ? f.evidence.label : '';
      box.querySelector('.error').textContent = f.error || '';
      box.classList.toggle('flagged', f.flagged.length > 0 || !!f.error);
      box.classList.remove('invalid');
    }
    const list = document.getElementById('reasons');
    list.textContent = '';
    for (const r of d.reasons) { const li = document.createElement('li'); li.textContent = r.label; list.appendChild(li); }
    if (!d.reasons.length) { const li = document.createElement('li'); li.className = 'none'; li.textContent = 'Không còn lý do nào.'; list.appendChild(li); }
  }

  function validate(box) {
    const input = inputOf(box);
    const rule = input.dataset.rule;
    const why = checkRule(rule, normalise(rule, input.value));
    box.querySelector('.error').textContent = why;
    box.classList.toggle('invalid', !!why);
    return !why;
  }

  // Saves what changed; true when there was nothing to save or it was saved.
  async function save(only) {
    const changes = {};
    for (const box of only ? [only] : fields) {
      const input = inputOf(box);
      // The field left with Enter must keep its rule even unchanged (a misread kept as it was).
      if (only && !validate(box)) { input.focus(); return false; }
      if (input.value === (input.dataset.saved || '')) continue;
      if (!validate(box)) { input.focus(); return false; }
      changes[box.dataset.key] = input.value === '' ? null : normalise(input.dataset.rule, input.value);
    }
    if (!Object.keys(changes).length) return true;
    const r = await call('POST', `/api/dossiers/${encodeURIComponent(code)}/save`, { version: Number(main.dataset.version), changes });
    if (r.status === 200) { refresh(r.data); say('Đã lưu (phiên bản ' + r.data.version + ').'); return true; }
    if (r.status === 422) {
      for (const [key, why] of Object.entries(r.data.errors || {})) {
        const box = fields.find((x) => x.dataset.key === key);
        if (box) { box.querySelector('.error').textContent = why; box.classList.add('invalid'); inputOf(box).focus(); }
      }
      say('Có giá trị chưa đúng quy tắc: chưa lưu.', true);
      return false;
    }
    say(r.data.error || 'Không lưu được.', true);
    return false;
  }

  const nextFlagged = (from) => {
    const i = fields.indexOf(from);
    return fields.slice(i + 1).concat(fields.slice(0, i + 1)).find((f) => f !== from && f.classList.contains('flagged'));
  };

  async function confirmAndNext() {
    if (!(await save())) return;
    const r = await call('POST', `/api/dossiers/${encodeURIComponent(code)}/confirm`, { version: Number(main.dataset.version), next: true });
    if (r.status !== 200) {
      for (const [key, why] of Object.entries(r.data.errors || {})) {
        const box = fields.find((x) => x.dataset.key === key);
        if (box) { box.querySelector('.error').textContent = why; box.classList.add('invalid', 'flagged'); }
      }
      say(r.data.error || 'Không xác nhận được.', true);
      return;
    }
    location.href = r.data.next ? '/dossiers/' + encodeURIComponent(r.data.next) : '/queue?empty=1';
  }

  async function reject() {
    const reason = document.getElementById('reject-reason').value;
    if (!(await save())) return;
    const r = await call('POST', `/api/dossiers/${encodeURIComponent(code)}/reject`, { version: Number(main.dataset.version), reason, next: true });
    if (r.status !== 200) { say(r.data.error || 'Không chuyển được.', true); return; }
    location.href = r.data.next ? '/dossiers/' + encodeURIComponent(r.data.next) : '/queue?empty=1';
  }

  for (const box of fields) {
    const input = inputOf(box);
    input.addEventListener('input', () => validate(box));
    input.addEventListener('focus', () => { box.classList.add('focus'); focusEvidence(box); });
    input.addEventListener('blur', () => box.classList.remove('focus'));
    input.addEventListener('keydown', async (e) => {
      if (e.key === 'Enter' && !e.ctrlKey && !e.metaKey) {
        e.preventDefault();
        if (!(await save(box))) return;
        const next = nextFlagged(box);
        (next ? inputOf(next) : document.getElementById('confirm') || input).focus();
      } else if (e.key === 'Escape') {
        input.value = input.dataset.saved || '';
        validate(box);
      }
    });
  }
  const confirmButton = document.getElementById('confirm');
  if (confirmButton) confirmButton.addEventListener('click', confirmAndNext);
  const rejectButton = document.getElementById('reject');
  if (rejectButton) rejectButton.addEventListener('click', reject);
  // Separation review: the original scans are never touched; the store checks that no page is
  // lost or doubled. The records of both sides are rebuilt from their pages.
  async function split() {
    if (!(await save())) return;
    const r = await call('POST', `/api/dossiers/${encodeURIComponent(code)}/split`, { version: Number(main.dataset.version), before_page: page });
    if (r.status !== 200) { say(r.data.error || 'Không tách được.', true); return; }
    location.href = '/dossiers/' + encodeURIComponent(r.data.codes[0]) + '?split=' + encodeURIComponent(r.data.codes[1]);
  }
  async function merge() {
    if (!(await save())) return;
    const r = await call('POST', `/api/dossiers/${encodeURIComponent(code)}/merge`, { version: Number(main.dataset.version) });
    if (r.status !== 200) { say(r.data.error || 'Không gộp được.', true); return; }
    location.href = '/dossiers/' + encodeURIComponent(r.data.code) + '?merged=1';
  }
  // A page to another dossier of the batch, or another type for it: a dialog with one list,
  // Enter does it, Esc leaves it.
  function pageDialog(id, select, act) {
    const dialog = document.getElementById(id);
    if (!dialog) return () => {};
    const list = document.getElementById(select);
    list.addEventListener('keydown', async (e) => {
      if (e.key !== 'Enter') return;
      e.preventDefault();
      e.stopPropagation();
      dialog.close();
      await act(list.value);
    });
    return () => {
      dialog.querySelector('.page-no').textContent = page;
      if (select === 'type-to') {
        const thumb = thumbs.find((t) => Number(t.dataset.page) === page);
        if (thumb && thumb.dataset.type) list.value = thumb.dataset.type;
      }
      dialog.showModal();
      list.focus();
    };
  }
  const moveDialog = pageDialog('move-dialog', 'move-to', async (to) => {
    if (!(await save())) return;
    const r = await call('POST', `/api/dossiers/${encodeURIComponent(code)}/move`, { version: Number(main.dataset.version), page, to });
    if (r.status !== 200) { say(r.data.error || 'Không chuyển được trang.', true); return; }
    location.href = '/dossiers/' + encodeURIComponent(r.data.codes[0]) + '?moved=' + page;
  });
  const typeDialog = pageDialog('type-dialog', 'type-to', async (type) => {
    if (!(await save())) return;
    const r = await call('POST', `/api/dossiers/${encodeURIComponent(code)}/page-type`, { version: Number(main.dataset.version), page, type });
    if (r.status !== 200) { say(r.data.error || 'Không đổi được loại trang.', true); return; }
    location.href = '/dossiers/' + encodeURIComponent(code) + '?retyped=' + page;
  });
  const moveButton = document.getElementById('move');
  if (moveButton) moveButton.addEventListener('click', moveDialog);
  const retypeButton = document.getElementById('retype');
  if (retypeButton) retypeButton.addEventListener('click', typeDialog);
  const turnPage = () => { turn = (turn + 90) % 360; sheet.style.transform = `rotate(${turn}deg)`; };

  const reopenButton = document.getElementById('reopen');
  if (reopenButton)
    reopenButton.addEventListener('click', async () => {
      const r = await call('POST', `/api/dossiers/${encodeURIComponent(code)}/reopen`, {});
      if (r.status === 200) location.reload();
      else say(r.data.error || 'Không mở lại được.', true);
    });
  const splitButton = document.getElementById('split');
  if (splitButton) splitButton.addEventListener('click', split);
  const mergeButton = document.getElementById('merge');
  if (mergeButton) mergeButton.addEventListener('click', merge);

  const setState = document.getElementById('set-state');
  if (setState)
    setState.addEventListener('click', async () => {
      const r = await call('POST', `/api/dossiers/${encodeURIComponent(code)}/status`,
        { state: document.getElementById('next-state').value, note: document.getElementById('state-note').value });
      if (r.status === 200) location.reload();
      else say(r.data.error || 'Không chuyển được trạng thái.', true);
    });
  const help = document.getElementById('help');
  document.getElementById('help-close').addEventListener('click', () => help.close());

  document.addEventListener('keydown', (e) => {
    const typing = e.target.matches('input, select, textarea');
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey) && editable) { e.preventDefault(); confirmAndNext(); }
    else if (e.key === 'Delete' && e.ctrlKey && editable) { e.preventDefault(); reject(); }
    else if (e.altKey && e.key === 'ArrowRight') { e.preventDefault(); stepPage(1); }
    else if (e.altKey && e.key === 'ArrowLeft') { e.preventDefault(); stepPage(-1); }
    else if (e.altKey && (e.key === '=' || e.key === '+')) { e.preventDefault(); setZoom(zoom * 1.25); }
    else if (e.altKey && e.key === '-') { e.preventDefault(); setZoom(zoom * 0.8); }
    else if (e.altKey && (e.key === 's' || e.key === 'S') && editable) { e.preventDefault(); split(); }
    else if (e.altKey && (e.key === 'm' || e.key === 'M') && editable) { e.preventDefault(); merge(); }
    else if (e.altKey && (e.key === 'c' || e.key === 'C') && editable) { e.preventDefault(); moveDialog(); }
    else if (e.altKey && (e.key === 'l' || e.key === 'L') && editable) { e.preventDefault(); typeDialog(); }
    else if (e.altKey && (e.key === 'r' || e.key === 'R')) { e.preventDefault(); turnPage(); }
    else if (e.key === '?' && !typing) { e.preventDefault(); help.showModal(); }
  });

  showPage(page);
  if (editable) {
    const first = fields.find((f) => f.classList.contains('flagged')) || fields[0];
    if (first) inputOf(first).focus();
  }
}

// --- the queue -----------------------------------------------------------------------------

function queueScreen() {
  const take = document.getElementById('take-next');
  document.addEventListener('keydown', (e) => {
    if ((e.key === 'n' || e.key === 'N') && !e.target.matches('input, select, textarea') && take) { e.preventDefault(); take.click(); }
  });
}

// --- batches: live progress and uploads ------------------------------------------------------

function batchesScreen() {
  const live = document.querySelector('#live tbody');
  const row = (ticket) => {
    let tr = live.querySelector(`tr[data-ticket="${ticket}"]`);
    if (!tr) {
      tr = document.createElement('tr');
      tr.dataset.ticket = ticket;
      for (const cls of ['id', 'input', 'state', 'progress', 'q']) { const td = document.createElement('td'); td.className = cls; tr.appendChild(td); }
      live.prepend(tr);
    }
    return tr;
  };
  const labels = { queued: 'Đang chờ', running: 'Đang xử lý', finished: 'Xong', failed: 'Lỗi' };
  const events = new EventSource('/api/events');
  events.addEventListener('batch', (ev) => {
    const b = JSON.parse(ev.data);
    const tr = row(b.ticket);
    tr.children[0].textContent = b.batch_id;
    tr.children[1].textContent = b.input.split('/').pop();
    tr.children[2].textContent = labels[b.state] + (b.error ? ': ' + b.error : '');
    tr.children[2].dataset.state = b.state;
    const p = document.createElement('progress');
    p.max = Math.max(1, b.total);
    p.value = b.done;
    tr.children[3].textContent = '';
    tr.children[3].append(p, ` ${b.done}/${b.total}`);
    tr.children[4].textContent = b.quarantined;
  });

  const form = document.getElementById('upload');
  const files = document.getElementById('upload-files');
  const status = document.getElementById('upload-status');
  async function send(list) {
    if (!list.length) { status.textContent = 'Chưa chọn tệp nào.'; return; }
    const data = new FormData();
    for (const f of list) data.append('files', f, f.name);
    status.textContent = `Đang tải lên ${list.length} tệp…`;
    const r = await call('POST', '/api/batches', data);
    status.textContent = r.status === 202 ? `Đã nhận ${r.data.files} tệp: lô đang chờ xử lý.` : (r.data.error || 'Không tải lên được.');
  }
  form.addEventListener('submit', (e) => { e.preventDefault(); send([...files.files]); });
  const zone = form.closest('section');
  zone.addEventListener('dragover', (e) => { e.preventDefault(); zone.classList.add('drop'); });
  zone.addEventListener('dragleave', () => zone.classList.remove('drop'));
  zone.addEventListener('drop', (e) => { e.preventDefault(); zone.classList.remove('drop'); send([...e.dataTransfer.files]); });
}

// --- one batch: run it again, give a quarantined page another chance -------------------------

function batchScreen() {
  const batch = document.getElementById('batch').dataset.batch;
  const status = document.getElementById('batch-status');
  const done = (r) => { status.textContent = r.status === 202 ? 'Đã xếp lô vào hàng xử lý.' : (r.data.error || 'Không thực hiện được.'); };
  document.getElementById('resume').addEventListener('click', async () => done(await call('POST', `/api/batches/${batch}/resume`, {})));
  document.querySelectorAll('button.retry').forEach((b) => b.addEventListener('click', async () =>
    done(await call('POST', `/api/batches/${batch}/pages/${b.dataset.page}/retry`, {}))));
}

// --- admin: a dry run under way, and the reload after an apply --------------------------------

function dryRunScreen() {
  const run = document.getElementById('dry-run');
  if (run.dataset.state !== 'running') return;
  const events = new EventSource('/api/events');
  events.addEventListener('dryrun', (ev) => {
    const d = JSON.parse(ev.data);
    if (d.id === run.dataset.id && d.state !== 'running') { events.close(); location.reload(); }
  });
  setTimeout(() => location.reload(), 20000);  // should an event be missed
}

function configAppliedScreen() {
  const mark = document.getElementById('reloading');
  const old = mark.dataset.instance;
  const poll = async () => {
    try {
      const r = await fetch('/healthz', { cache: 'no-store', signal: AbortSignal.timeout(3000) });
      const h = await r.json();
      if (h.instance && h.instance !== old) { location.href = `/admin/config?applied=${mark.dataset.id}`; return; }
    } catch (e) { /* the server is restarting */ }
    setTimeout(poll, 500);
  };
  setTimeout(poll, 500);
}

document.addEventListener('DOMContentLoaded', () => {
  const c = document.body.classList;
  if (c.contains('dossier-page')) reviewScreen();
  if (c.contains('queue-page')) queueScreen();
  if (c.contains('batches-page')) batchesScreen();
  if (c.contains('batch-page')) batchScreen();
  if (c.contains('dry-run-page')) dryRunScreen();
  if (c.contains('config-applied-page')) configAppliedScreen();
  document.body.dataset.ready = '1';  // the keys work from now on (the browser tests wait for it)
});
