// intake serve in a real browser: Debian's Chromium, driven by playwright-core (no browser is
// downloaded). A store made from the sample batch by the real binary; users added with
// `intake user add`; `intake serve` on a free port of 127.0.0.1. Run by ctest (tests/CMakeLists.txt)
// as `node --test tests/browser/`, with INTAKE_BIN and INTAKE_SOURCE_DIR set.
// INTAKE_SCREENSHOTS=DIR also saves the main screens there (docs/screenshots/ in the README).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServe, launchBrowser, shot, ready, signInAs, shutDown } from './support.mjs';

const bin = process.env.INTAKE_BIN;
const source = process.env.INTAKE_SOURCE_DIR;
assert.ok(bin && source, 'INTAKE_BIN and INTAKE_SOURCE_DIR must be set (ctest sets them)');
const config = join(source, 'configs/default.yaml');

let dir, store, serve, base, browser;

function intake(args, input) {
  return execFileSync(bin, [...args, '--config', config], { input, encoding: 'utf8', env: { ...process.env, OMP_THREAD_LIMIT: '1' } });
}

const signIn = (user, password) => signInAs(browser, base, user, password);

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'intake-browser-'));
  store = join(dir, 'intake.db');
  intake(['run', join(source, 'samples/batch-01'), '--store', store, '--received', '2026-11-27T09:30']);
  intake(['user', 'add', 'lan', '--role', 'operator', '--store', store], 'mat-khau-kiem-tra\n');
  intake(['user', 'add', 'van', '--role', 'mailroom', '--store', store], 'mat-khau-van-thu\n');
  ({ serve, base } = await startServe(bin, store, config));
  browser = await launchBrowser();
});

after(() => shutDown(browser, serve, dir));

test('an operator fixes a tracking number with the keyboard only and confirms', async () => {
  const { context, page } = await signIn('lan', 'mat-khau-kiem-tra');
  assert.match(page.url(), /\/queue$/);
  await shot(page, 'queue');
  const rows = await page.locator('table.queue tbody tr').count();
  assert.ok(rows >= 1, 'the sample batch has dossiers to review');
  const keys = [];
  const press = async (k) => { keys.push(k); await page.keyboard.press(k); };
  const type = async (text) => { keys.push(...text); await page.keyboard.type(text); };

  await press('n');  // take the next dossier
  await page.waitForURL(/\/dossiers\//);
  await ready(page);
  const code = decodeURIComponent(page.url().split('/dossiers/')[1]);
  const field = page.locator('#f-tracking_number');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'f-tracking_number', 'the flagged field has the focus');
  await shot(page, 'dossier');

  // A wrong check digit is refused where it is typed, and never saved.
  await press('Control+A');
  await type('EE123456789VN');
  await press('Enter');
  await page.waitForTimeout(300);
  assert.match(await page.locator('.field[data-key="tracking_number"] .error').textContent(), /không hợp lệ/);
  assert.equal(await page.evaluate(() => document.activeElement.id), 'f-tracking_number');

  // The right one is saved with Enter.
  await press('Control+A');
  await type('EE123456785VN');
  await press('Enter');
  await page.locator('#status', { hasText: 'Đã lưu' }).waitFor();
  assert.equal(await field.inputValue(), 'EE123456785VN');

  // Ctrl+Enter confirms and opens the next dossier of the queue.
  await press('Control+Enter');
  await page.waitForURL((u) => !u.pathname.endsWith(encodeURIComponent(code)));
  const typed = keys.filter((k) => k.length === 1).length;
  console.log(`key presses, first dossier: ${keys.length} (${typed} characters typed, ${keys.length - typed} other keys, ` +
    `of which 1 wrong entry of 15 keys)`);

  // The next one lacks its tracking number: type it, one key confirms it and moves on.
  await ready(page);
  const second = decodeURIComponent(page.url().split('/dossiers/')[1]);
  if (await page.locator('.field.flagged[data-key="tracking_number"]').count()) {
    assert.equal(await page.evaluate(() => document.activeElement.id), 'f-tracking_number');
    const before = keys.length;
    await type('RR987654326VN');
    await press('Control+Enter');
    await page.waitForURL((u) => !u.pathname.endsWith(encodeURIComponent(second)));
    console.log(`key presses, one flagged field typed and confirmed: ${keys.length - before}`);
    assert.equal(JSON.parse(intake(['show', second, '--store', store])).tracking_number, 'RR987654326VN');
  }

  const shown = JSON.parse(intake(['show', code, '--store', store]));
  assert.equal(shown.tracking_number, 'EE123456785VN');
  assert.equal(shown.tracking_valid, true);
  assert.equal(shown.review.required, false);

  intake(['export', '--store', store, '--out', join(dir, 'export.jsonl')]);
  const exported = execFileSync('cat', [join(dir, 'export.jsonl')], { encoding: 'utf8' }).trim().split('\n').map(JSON.parse);
  assert.equal(exported.find((r) => r.dossier_code === code).tracking_number, 'EE123456785VN');

  const api = await page.evaluate(async (c) => (await fetch('/api/dossiers/' + encodeURIComponent(c))).json(), code);
  assert.equal(api.review_state, 'confirmed');
  assert.equal(api.original.tracking_number === 'EE123456785VN', false, 'the pipeline value is kept beside the correction');
  const actions = api.history.map((h) => `${h.actor} ${h.action}`);
  assert.ok(actions.includes('lan set_field'), actions.join(', '));
  assert.ok(actions.includes('lan confirm'), actions.join(', '));
  await context.close();
});

test('focusing a field shows the page it was read on with its words outlined, and how sure it is', async () => {
  intake(['export', '--store', store, '--out', join(dir, 'evidence.jsonl')]);
  const records = execFileSync('cat', [join(dir, 'evidence.jsonl')], { encoding: 'utf8' }).trim().split('\n').map(JSON.parse);
  // A name read from a form by OCR (the sample's third dossier: no ID card), not from a QR code.
  const record = records.find((r) => r.evidence['applicant.full_name'] && r.evidence['applicant.full_name'].source === 'ocr');
  assert.ok(record, 'the sample has an applicant read from a form');
  const evidence = record.evidence['applicant.full_name'];
  assert.ok(evidence.words.length >= 2, JSON.stringify(evidence));
  const { context, page } = await signIn('lan', 'mat-khau-kiem-tra');
  await page.goto(`${base}/dossiers/${encodeURIComponent(record.dossier_code)}`);
  await ready(page);
  const box = page.locator('.field[data-key="applicant.full_name"]');
  assert.match(await box.locator('.source').textContent(), new RegExp(`Chữ đọc được, trang ${evidence.page} · \\d+%`));
  await page.focus('#f-applicant-full_name');
  await page.waitForFunction((n) => document.getElementById('page-image').dataset.page === String(n), evidence.page);
  await page.waitForFunction((n) => document.querySelectorAll('#boxes .word.source').length === n, evidence.words.length);
  // The outlines sit on the words' boxes (working-image pixels times the rendition's scale).
  const outlined = await page.evaluate(() => [...document.querySelectorAll('#boxes .word.source')].map((b) => b.title));
  assert.deepEqual(outlined.map((t) => t.replace(/ \(\d+%\)$/, '')), evidence.words.map((w) => w.text));
  await shot(page, 'evidence');
  // This dossier came without an envelope: the sender's name was read nowhere, nothing outlined.
  await page.focus('#f-sender-name');
  await page.waitForFunction(() => document.querySelectorAll('#boxes .word.source').length === 0);
  await context.close();
});

test('an operator splits a dossier before a page and merges it back, and no page is lost', async () => {
  const { context, page } = await signIn('lan', 'mat-khau-kiem-tra');
  // The sample batch's first dossier: four pages (envelope, form, ID card, supporting document).
  intake(['export', '--store', store, '--out', join(dir, 'before.jsonl')]);
  const before = execFileSync('cat', [join(dir, 'before.jsonl')], { encoding: 'utf8' }).trim().split('\n').map(JSON.parse);
  const first = before[0];
  const pagesInDossiers = before.reduce((n, d) => n + d.pages.length, 0);
  const code = first.dossier_code;
  assert.ok(first.pages.length >= 3, 'a dossier of three pages or more');
  await page.goto(base + '/dossiers/' + encodeURIComponent(code));
  await ready(page);
  if (await page.locator('#reopen').count()) {
    await page.click('#reopen');
    await page.locator('#split').waitFor();
    await ready(page);
  }
  await page.locator('#split').waitFor();
  await page.locator('.thumb.current').waitFor();
  // To the third page with the keyboard, then split before it.
  await page.keyboard.press('Alt+ArrowRight');
  await page.waitForFunction(() => document.querySelector('.thumb.current')?.dataset.page === document.querySelectorAll('.thumb')[1].dataset.page);
  await page.keyboard.press('Alt+ArrowRight');
  await page.waitForFunction(() => document.querySelector('.thumb.current')?.dataset.page === document.querySelectorAll('.thumb')[2].dataset.page);
  await page.keyboard.press('Alt+S');
  await page.waitForURL(/split=/);
  const newCode = decodeURIComponent(new URL(page.url()).searchParams.get('split'));
  const a = JSON.parse(intake(['show', code, '--store', store]));
  const b = JSON.parse(intake(['show', newCode, '--store', store]));
  assert.equal(a.pages.length, 2);
  assert.equal(a.pages.length + b.pages.length, first.pages.length);
  await shot(page, 'split');

  // Merge the new one back into the one before it.
  await page.goto(base + '/dossiers/' + encodeURIComponent(newCode));
  await ready(page);
  await page.locator('#merge').waitFor();
  await page.keyboard.press('Alt+M');
  await page.waitForURL(/merged=1/);
  const back = JSON.parse(intake(['show', code, '--store', store]));
  assert.deepEqual(back.pages.map((p) => p.number), first.pages.map((p) => p.number));
  intake(['export', '--store', store, '--out', join(dir, 'after.jsonl')]);
  const seen = new Set();
  for (const line of execFileSync('cat', [join(dir, 'after.jsonl')], { encoding: 'utf8' }).trim().split('\n'))
    for (const p of JSON.parse(line).pages) { assert.ok(!seen.has(p.number), `page ${p.number} in two dossiers`); seen.add(p.number); }
  assert.equal(seen.size, pagesInDossiers, 'every page that was in a dossier is in one still');
  await context.close();
});

test('an operator retypes a page and moves it to the dossier before, by keyboard, and no page is lost', async () => {
  const { context, page } = await signIn('lan', 'mat-khau-kiem-tra');
  intake(['export', '--store', store, '--out', join(dir, 'move-before.jsonl')]);
  const before = execFileSync('cat', [join(dir, 'move-before.jsonl')], { encoding: 'utf8' }).trim().split('\n').map(JSON.parse);
  const total = before.reduce((n, d) => n + d.pages.length, 0);
  const [taker, giver] = before;  // the batch's first two dossiers, in scan order
  assert.ok(giver.pages.length >= 2, 'the second dossier has two pages or more');
  for (const code of [taker.dossier_code, giver.dossier_code]) {
    await page.goto(base + '/dossiers/' + encodeURIComponent(code));
    await ready(page);
    if (await page.locator('#reopen').count()) { await page.click('#reopen'); await page.locator('#move').waitFor(); }
  }
  await page.goto(base + '/dossiers/' + encodeURIComponent(giver.dossier_code));
  await ready(page);
  await page.keyboard.press('Alt+ArrowRight');  // its second page
  const moving = giver.pages[1].number;
  await page.waitForFunction((n) => document.querySelector('.thumb.current')?.dataset.page === String(n), moving);

  // Alt+L: another type, chosen in the list and done with Enter.
  await page.keyboard.press('Alt+L');
  await page.locator('#type-to').waitFor();
  const type = giver.pages[1].type === 'supporting_document' ? 'application_form' : 'supporting_document';
  await page.selectOption('#type-to', type);
  await page.focus('#type-to');
  await page.keyboard.press('Enter');
  await page.waitForURL(/retyped=/);
  await ready(page);
  assert.equal(await page.getAttribute(`.thumb[data-page="${moving}"]`, 'data-type'), type);

  // Alt+C: to the dossier before it.
  await page.keyboard.press('Alt+ArrowRight');
  await page.waitForFunction((n) => document.querySelector('.thumb.current')?.dataset.page === String(n), moving);
  await page.keyboard.press('Alt+C');
  await page.locator('#move-to').waitFor();
  await page.selectOption('#move-to', taker.dossier_code);
  await page.focus('#move-to');
  await page.keyboard.press('Enter');
  await page.waitForURL(/moved=/);
  const after = JSON.parse(intake(['show', taker.dossier_code, '--store', store]));
  const got = after.pages.find((p) => p.number === moving);
  assert.ok(got, `page ${moving} is in ${taker.dossier_code} now`);
  assert.equal(got.type, type, 'with the type the operator gave it');
  intake(['export', '--store', store, '--out', join(dir, 'move-after.jsonl')]);
  const seen = new Set();
  for (const line of execFileSync('cat', [join(dir, 'move-after.jsonl')], { encoding: 'utf8' }).trim().split('\n'))
    for (const p of JSON.parse(line).pages) { assert.ok(!seen.has(p.number), `page ${p.number} in two dossiers`); seen.add(p.number); }
  assert.equal(seen.size, total, 'every page that was in a dossier is in one still');
  await context.close();
});

test('the mailroom prints the batch\'s receipt slips as one PDF, a slip per dossier', async () => {
  const { context, page } = await signIn('van', 'mat-khau-van-thu');
  intake(['export', '--store', store, '--out', join(dir, 'slips.jsonl')]);
  const dossiers = execFileSync('cat', [join(dir, 'slips.jsonl')], { encoding: 'utf8' }).trim().split('\n').map(JSON.parse);
  const batch = dossiers[0].batch_id;
  await page.goto(base + '/batches/' + batch);
  await ready(page);
  const href = await page.getAttribute('#receipts', 'href');
  const res = await page.request.get(base + href);
  assert.equal(res.status(), 200);
  assert.equal(res.headers()['content-type'], 'application/pdf');
  const pdf = join(dir, 'slips.pdf');
  writeFileSync(pdf, await res.body());
  const text = execFileSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' });
  const slips = text.split('\f').filter((p) => p.includes('GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ'));
  const ours = dossiers.filter((d) => d.batch_id === batch);
  assert.equal(slips.length, ours.length, 'one slip per dossier of the batch');
  for (const d of ours) assert.ok(text.includes('Mã hồ sơ: ' + d.dossier_code), `the slip of ${d.dossier_code}`);
  await context.close();
});

test('the mailroom uploads a batch from the browser and watches it finish live', async () => {
  const { context, page } = await signIn('van', 'mat-khau-van-thu');
  assert.match(page.url(), /\/batches$/);
  await page.setInputFiles('#upload-files', [1, 2, 3].map((n) => join(source, 'samples/batch-01', `scan_${n}.png`)).filter((f) => {
    try { execFileSync('test', ['-f', f]); return true; } catch { return false; }
  }));
  await page.click('#upload button[type=submit]');
  await page.locator('#upload-status', { hasText: 'Đã nhận' }).waitFor({ timeout: 30000 });
  const row = page.locator('#live tbody tr').first();
  await row.locator('[data-state="finished"]').waitFor({ timeout: 120000 });
  await shot(page, 'batches');
  await page.reload();
  assert.ok((await page.locator('table.batches tbody tr').count()) >= 2, 'the upload is a batch of its own');
  await context.close();
});

test('the mailroom finds a dossier by a name typed without accents and moves it on', async () => {
  const { context, page } = await signIn('van', 'mat-khau-van-thu');
  await page.goto(base + '/search');
  await ready(page);
  await page.fill('#q', 'vo thi mai');
  await page.press('#q', 'Enter');
  await ready(page);
  const link = page.locator('table.found tbody tr a').first();
  const code = await link.textContent();
  await link.click();
  await page.waitForURL(/\/dossiers\//);
  await ready(page);
  await page.selectOption('#next-state', 'assigned');
  await page.fill('#state-note', 'giao cho cán bộ tư pháp');
  await page.click('#set-state');
  await page.waitForLoadState('networkidle');
  await page.locator('table.history', { hasText: 'Đã phân công' }).waitFor();
  assert.match(intake(['status', code, '--store', store]), /state\s+assigned/);
  await context.close();
});

test('the server refuses the unsigned, the wrong role and a request without its CSRF token', async () => {
  const anon = await browser.newContext();
  const page = await anon.newPage();
  await page.goto(base + '/login');
  const unsigned = await page.evaluate(async () => (await fetch('/api/queue')).status);
  assert.equal(unsigned, 401);
  await anon.close();

  const { context, page: van } = await signIn('van', 'mat-khau-van-thu');
  const response = await van.goto(base + '/queue');
  assert.equal(response.status(), 403);
  const noToken = await van.evaluate(async () => {
    const form = new FormData();
    form.append('files', new Blob(['not really a scan']), 'a.png');
    return (await fetch('/api/batches', { method: 'POST', body: form })).status;
  });
  assert.equal(noToken, 403);
  await context.close();
});
