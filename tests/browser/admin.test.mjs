// The admins' config desk of intake serve in a real browser (Debian's Chromium, playwright-core):
// a candidate config is checked as at start-up, dry-run on a labelled corpus against the current
// one, and discarded when it is worse or applied when it is better (then intake serve reloads).
// The office here is a copy of configs/ and models/ in a temporary folder, its OCR made worse on
// purpose (English only), so that putting Vietnamese back is the better change.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, cpSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServe, launchBrowser, shot, ready, signInAs, shutDown } from './support.mjs';

const bin = process.env.INTAKE_BIN;
const source = process.env.INTAKE_SOURCE_DIR;
assert.ok(bin && source, 'INTAKE_BIN and INTAKE_SOURCE_DIR must be set (ctest sets them)');

let dir, office, config, store, serve, base, browser;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'intake-admin-'));
  office = join(dir, 'office');
  cpSync(join(source, 'configs'), join(office, 'configs'), { recursive: true });
  cpSync(join(source, 'models'), join(office, 'models'), { recursive: true });
  config = join(office, 'configs/default.yaml');
  const shipped = readFileSync(config, 'utf8');
  assert.match(shipped, /languages: vie\b/);
  writeFileSync(config, shipped.replace(/languages: vie\b/, 'languages: eng') + '\nserve:\n  dry_run_pages: 8\n');
  store = join(dir, 'intake.db');
  execFileSync(bin, ['user', 'add', 'quantri', '--role', 'admin', '--store', store, '--config', config],
    { input: 'mat-khau-quan-tri\n' });
  ({ serve, base } = await startServe(bin, store, config));
  browser = await launchBrowser();
});

after(() => shutDown(browser, serve, dir));

const signIn = () => signInAs(browser, base, 'quantri', 'mat-khau-quan-tri');

// Puts the candidate in the config's text area, runs the dry run and waits for its result.
async function dryRun(page, change) {
  await page.goto(base + '/admin/config');
  await ready(page);
  const text = await page.inputValue('#file-config');
  await page.fill('#file-config', change(text));
  await page.click('#config-form button[type=submit]');
  await page.waitForURL(/\/admin\/config\/dry-run\/[a-f0-9]{12}$/);
  await page.locator('#dry-run:not([data-state="running"])').waitFor({ state: 'attached', timeout: 400000 });
  await ready(page);
  const state = await page.getAttribute('#dry-run', 'data-state');
  assert.equal(state, 'done', await page.locator('#dry-run-error').textContent().catch(() => ''));
  const better = {};
  for (const row of await page.locator('#compare tbody tr').all())
    better[await row.getAttribute('data-key')] = await row.getAttribute('data-better');
  return better;
}

test('a candidate is checked as at start-up: an error names the key, and the text is kept', async () => {
  const { context, page } = await signIn();
  await page.goto(base + '/admin/config');
  await ready(page);
  await shot(page, 'config', true);
  const text = await page.inputValue('#file-config');
  await page.fill('#file-config', text.replace('max_attempts: 3', 'max_attempts: 3\n  max_attemps: 4'));
  await page.click('#config-form button[type=submit]');
  await page.locator('#config-message').waitFor();
  assert.match(await page.locator('#config-message').textContent(), /max_attemps/);
  assert.match(await page.inputValue('#file-config'), /max_attemps: 4/);
  assert.doesNotMatch(readFileSync(config, 'utf8'), /max_attemps/);
  await context.close();
});

test('a worse candidate is discarded and a better one applied, then intake serve reloads', { timeout: 900000 }, async () => {
  const { context, page } = await signIn();
  const before = readFileSync(config, 'utf8');

  // Worse: every page taken for little ink (only its text and bar codes save it from being blank:
  // the page types and the readings suffer).
  const worse = await dryRun(page, (t) => t.replace('blank_max_ink_ratio: 0.0015', 'blank_max_ink_ratio: 0.9'));
  assert.equal(worse.page_type, 'current', JSON.stringify(worse));
  assert.ok(await page.locator('#apply-form input[name="accept_worse"]').count(), 'a worse candidate asks for a confirmation');
  await page.click('#discard');
  await page.waitForURL(/\/admin\/config\?discarded=/);
  assert.equal(readFileSync(config, 'utf8'), before, 'a discarded candidate leaves the file as it was');

  // Better: Vietnamese back in the OCR.
  const better = await dryRun(page, (t) => t.replace('languages: eng', 'languages: vie'));
  await shot(page, 'dry-run', true);
  // The sender's address and the form's text lose their marks without Vietnamese (the sender's
  // name no longer does: the ID card's QR code gives it back its accents).
  assert.equal(better['sender.address'], 'candidate', JSON.stringify(better));
  assert.equal(better['cer.application_form'], 'candidate', JSON.stringify(better));
  for (const [key, side] of Object.entries(better))
    if (side === 'current') assert.equal(key, 'pages_per_minute', `the better candidate is worse only in speed: ${key}`);
  const { instance } = await (await fetch(base + '/healthz')).json();
  const confirm = page.locator('#apply-form input[name="accept_worse"]');
  if (await confirm.count()) await confirm.check();  // slower: Vietnamese costs time
  await page.click('#apply');
  await page.waitForURL(/\/admin\/config\?applied=/, { timeout: 120000 });
  await ready(page);
  const now = readFileSync(config, 'utf8');
  assert.match(now, /languages: vie\b/);
  assert.equal(now, before.replace('languages: eng', 'languages: vie'), 'the admin\'s text, comments and all');
  assert.match(await page.inputValue('#file-config'), /languages: vie\b/);
  const health = await (await fetch(base + '/healthz')).json();
  assert.notEqual(health.instance, instance, 'intake serve reloaded');

  // The audit has the dry runs, the discard and the apply with its old and new text.
  await page.goto(base + '/admin/users');
  const actions = await page.locator('table.history tbody tr td:nth-child(3)').allTextContents();
  for (const a of ['config.dry_run', 'config.discard', 'config.apply']) assert.ok(actions.includes(a), `${a} in ${actions}`);
  await context.close();
});
