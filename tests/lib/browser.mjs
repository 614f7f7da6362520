// Shared helpers for browser tests: Debian's Chromium driven by playwright-core
// (never a downloaded browser), and a served build of the playground.
import { chromium } from 'playwright-core';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { serveStatic } from '../../scripts/serve.mjs';

export const ARTIFACTS = fileURLToPath(new URL('../artifacts/', import.meta.url));

export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

export async function servePlayground() {
  return serveStatic(fileURLToPath(new URL('../../www/dist', import.meta.url)), 0);
}

export async function screenshot(page, name) {
  await mkdir(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: `${ARTIFACTS}${name}.png`, fullPage: true });
}

/** What each pane of the <redplay-console> with id `id` shows, by client name ('' for a single client). */
export async function consoleScreens(page, id) {
  return page.locator(`#${id}`).evaluate((el) => {
    const out = {};
    for (const pane of el.shadowRoot.querySelectorAll('.pane')) {
      out[pane.dataset.client] = [...pane.querySelectorAll('.output pre')].map((b) => b.textContent).join('\n');
    }
    return out;
  });
}
