/// <reference lib="dom" />
// Headless Chromium (Debian's package) through puppeteer-core for the HTML report tests: one
// browser per suite, pages loaded from files, console errors and requests recorded.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { drawnCharts } from './html-charts.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** A reason to skip where Chromium is not installed (.ci/run installs it), else false. */
export const chromiumSkip: string | false = existsSync(CHROMIUM) ? false : `no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`;

/** What a loaded page reported: console errors and warnings, requests other than its file, the charts drawn. */
export interface Loaded {
  readonly errors: string[];
  readonly requests: string[];
  readonly charts: { view: string; series: string[] }[];
}

/** One headless browser and a temp dir for its profile and pages. */
export interface HtmlBrowser {
  /** Writes `html` to `name`, opens it at 1100 x 900 and waits until the page says it rendered. */
  load(html: string, name: string, scheme?: 'light' | 'dark'): Promise<{ page: Page; loaded: Loaded }>;
  close(): Promise<void>;
}

/** Starts Chromium headless, without sandbox, GPU, QUIC or background networking. */
export async function openHtmlBrowser(): Promise<HtmlBrowser> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'grpclb-probe-html-'));
  const browser: Browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', `--user-data-dir=${path.join(dir, 'profile')}`],
  });
  return {
    async load(html, name, scheme = 'light') {
      const file = path.join(dir, name);
      writeFileSync(file, html);
      const page = await browser.newPage();
      const errors: string[] = [];
      const requests: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error' || message.type() === 'warn') errors.push(`${message.type()}: ${message.text()}`);
      });
      page.on('pageerror', (error) => errors.push(`pageerror: ${(error as Error).message}`));
      page.on('request', (request) => {
        if (request.url() !== pathToFileURL(file).href) requests.push(request.url());
      });
      await page.setViewport({ width: 1100, height: 900 });
      await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: scheme }]);
      await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
      await page.waitForSelector('body[data-rendered="true"]', { timeout: 10_000 });
      const charts = await drawnCharts(page);
      return { page, loaded: { errors, requests, charts } };
    },
    async close() {
      await browser.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
