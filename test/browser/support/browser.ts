import { chromium, type Browser, type Page } from 'playwright-core';

// Browser tests drive the system's Chromium (Debian's /usr/bin/chromium) through playwright-core,
// headless, with everything that would reach the network besides the test server switched off.
export const chromiumPath = '/usr/bin/chromium';

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** An HTTP error answer the test expects (Chromium logs every 4xx/5xx of a fetch as a console error). */
export interface ExpectedFailure {
  status: number;
  path: string;
}

export interface PageWatch {
  /** Console errors and warnings, uncaught exceptions and CSP violations, minus expected HTTP failures. */
  problems(): string[];
}

/**
 * Collects everything that should never happen on a page. CSP violations are reported by a
 * `securitypolicyviolation` listener injected before any page script (Playwright's init scripts
 * are not subject to the page's CSP), so a blocked inline style or script fails the test.
 */
export async function watchPage(page: Page, expected: ExpectedFailure[] = []): Promise<PageWatch> {
  const problems: string[] = [];
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI || 'inline'} at ${event.sourceFile}:${event.lineNumber}`);
    });
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() !== 'error' && message.type() !== 'warning') return;
    const text = message.text();
    const status = /status of (\d{3})/.exec(text)?.[1];
    const url = message.location().url;
    if (status !== undefined && url) {
      const path = new URL(url).pathname;
      if (expected.some((e) => e.status === Number(status) && e.path === path)) return;
    }
    problems.push(`console.${message.type()}: ${text}${url ? ` (${url})` : ''}`);
  });
  return { problems: () => [...problems] };
}
