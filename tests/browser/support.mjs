// What the browser tests share: intake serve on a free port of 127.0.0.1, Debian's Chromium,
// screenshots, and waiting for a page's script.
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

// Starts `intake serve --store STORE --config CONFIG` on a free port; its process and address.
export async function startServe(bin, store, config) {
  const serve = spawn(bin, ['serve', '--store', store, '--listen', '127.0.0.1:0', '--config', config], {
    env: { ...process.env, OMP_THREAD_LIMIT: '1' }, stdio: ['ignore', 'pipe', 'inherit'] });
  const base = await new Promise((resolve, reject) => {
    let out = '';
    serve.stdout.on('data', (d) => {
      out += d;
      const m = /intake serve: (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) resolve(m[1]);
    });
    serve.on('exit', (code) => reject(new Error('intake serve exited with ' + code + ': ' + out)));
    setTimeout(() => reject(new Error('intake serve did not start: ' + out)), 60000);
  });
  return { serve, base };
}

// The system's Chromium (CHROMIUM, else /usr/bin/chromium): nothing is downloaded.
export function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}

// INTAKE_SCREENSHOTS=DIR saves the main screens there (docs/screenshots/ in the README).
export async function shot(page, name, fullPage = false) {
  const dir = process.env.INTAKE_SCREENSHOTS;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: join(dir, name + '.png'), fullPage });
}

// The page loaded and its script listening (app.js marks <body data-ready>).
export async function ready(page) {
  await page.waitForLoadState('networkidle');
  await page.locator('body[data-ready="1"]').waitFor();
}

// A fresh browser context at a 2019 office screen's size, signed in through the form.
export async function signInAs(browser, base, user, password) {
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'vi-VN' });
  const page = await context.newPage();
  page.on('pageerror', (e) => { throw e; });
  await page.goto(base + '/login');
  await page.fill('#user', user);
  await page.fill('#password', password);
  await page.press('#password', 'Enter');
  await page.waitForURL((u) => !u.pathname.startsWith('/login'));
  await ready(page);
  return { context, page };
}

// Closes the browser, stops intake serve (SIGTERM; it finishes what it is doing) and waits for
// it to exit before the test's folder goes.
export async function shutDown(browser, serve, dir) {
  if (browser) await browser.close();
  if (serve && serve.exitCode === null && serve.signalCode === null) {
    const exited = new Promise((resolve) => serve.once('exit', resolve));
    serve.kill('SIGTERM');
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 15000))]);
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
}
