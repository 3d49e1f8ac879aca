/**
 * Headless Debian chromium for the UI tests, driven by playwright-core (browsers cannot be
 * downloaded here; scripts/install-chromium.sh installs the distribution's build). Each launch uses
 * a new, empty profile and records console errors, page errors and failed requests.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

const root = path.resolve(import.meta.dirname, '../../..');

function newest(dir: string): number {
  return Math.max(
    0,
    ...readdirSync(dir, { withFileTypes: true }).map((e) =>
      e.isDirectory() ? newest(path.join(dir, e.name)) : statSync(path.join(dir, e.name)).mtimeMs,
    ),
  );
}

/**
 * Runs `npm run build:ui` (type-check + Vite) unless pkg/ui/static is newer than every file of
 * ui/, so the browser tests always exercise the current source.
 */
export async function buildUi(): Promise<void> {
  const index = path.join(root, 'pkg/ui/static/index.html');
  if (existsSync(index) && statSync(index).mtimeMs > newest(path.join(root, 'ui'))) return;
  await promisify(execFile)('npm', ['run', '--silent', 'build:ui'], {
    cwd: root,
    maxBuffer: 16 * 1024 * 1024,
  });
}

/** Where Debian installs chromium. */
export const CHROMIUM = process.env.CATCAST_CHROMIUM ?? '/usr/bin/chromium';

const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-quic',
  '--disable-sync',
];

/** A running browser with its profile folder and what the pages complained about. */
export interface TestBrowser {
  readonly context: BrowserContext;
  /** Console errors, uncaught page errors and CSP violations of every page, in order. */
  readonly problems: string[];
  newPage(viewport?: { width: number; height: number }): Promise<Page>;
  close(): Promise<void>;
}

/** Launches chromium; a missing binary is a failure naming the installer, never a skip. */
export async function launchBrowser(): Promise<TestBrowser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} does not exist: run scripts/install-chromium.sh (apt-get install chromium)`);
  }
  const profile = mkdtempSync(path.join(tmpdir(), 'catcast-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    viewport: { width: 1280, height: 900 },
    locale: 'en-GB',
    timezoneId: 'UTC',
  });
  const problems: string[] = [];
  const watch = (page: Page) => {
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console: ${m.text()} (${page.url()})`);
    });
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  };
  context.on('page', watch);
  for (const p of context.pages()) watch(p);
  return {
    context,
    problems,
    async newPage(viewport) {
      const page = await context.newPage();
      if (viewport) await page.setViewportSize(viewport);
      return page;
    },
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** An axe-core violation, reduced to what a failure message needs. */
export interface AxeViolation {
  readonly id: string;
  readonly impact: string | null;
  readonly help: string;
  readonly nodes: readonly string[];
}

const axeSource = (() => {
  let text: string | undefined;
  return () => (text ??= readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8'));
})();

/**
 * Runs axe-core (WCAG 2.1 A/AA rules plus best practices) in the page. The script is evaluated
 * through the DevTools protocol, which the page's CSP does not restrict.
 */
export async function runAxe(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(axeSource());
  return page.evaluate(async () => {
    const axe = (
      globalThis as unknown as { axe: { run: (ctx: unknown, opts: unknown) => Promise<AxeResult> } }
    ).axe;
    interface AxeResult {
      violations: { id: string; impact: string | null; help: string; nodes: { target: unknown[] }[] }[];
    }
    const result = await axe.run((globalThis as unknown as { document: unknown }).document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
    });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 5).map((n) => n.target.map(String).join(' ')),
    }));
  });
}
