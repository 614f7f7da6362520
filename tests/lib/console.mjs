// Helpers for driving the playground console from browser tests: panes are
// addressed by their slot number (the first pane is 1).
import { launchBrowser, servePlayground } from './browser.mjs';

export const pane = (n = 1) => `.pane[data-pane="${n}"]`;
export const inputOf = (n = 1) => `${pane(n)} input.command`;
export const outputOf = (n = 1) => `${pane(n)} .output`;
export const repliesOf = (n = 1) => `${outputOf(n)} pre.reply`;

/** Starts the static server and the browser; returns them with a `close`. */
export async function startBrowser() {
  const server = await servePlayground();
  const browser = await launchBrowser();
  return {
    server,
    browser,
    close: async () => {
      await browser.close();
      await server.close();
    },
  };
}

/** Opens the playground; `readyMs` is the page's own measure of navigation start to usable prompt. */
export async function openConsole(env, options = {}) {
  const page = await env.browser.newPage(options);
  const errors = [];
  page.on('pageerror', (e) => errors.push(e));
  page.on('console', (m) => m.type() === 'error' && errors.push(new Error(m.text())));
  await page.goto(env.server.url);
  await page.waitForSelector('body[data-ready="true"]');
  const readyMs = Number(await page.getAttribute('body', 'data-ready-ms'));
  return { page, errors, readyMs };
}

/** Types a line in pane `n`, presses Enter and returns the reply block printed for it. */
export async function run(page, line, n = 1) {
  const before = await page.locator(repliesOf(n)).count();
  await page.fill(inputOf(n), line);
  await page.press(inputOf(n), 'Enter');
  await page.waitForFunction(([sel, count]) => document.querySelectorAll(sel).length > count, [repliesOf(n), before]);
  return page.locator(repliesOf(n)).last().textContent();
}

/** Types a line in pane `n` and presses Enter without waiting for a reply. */
export async function send(page, line, n = 1) {
  await page.fill(inputOf(n), line);
  await page.press(inputOf(n), 'Enter');
}

export async function promptOf(page, n = 1) {
  return page.locator(`${pane(n)} .prompt`).textContent();
}

/** The grey hint shown after the typed text in pane `n`. */
export async function hintOf(page, n = 1) {
  return page.locator(`${pane(n)} .shadow .hint`).textContent();
}
