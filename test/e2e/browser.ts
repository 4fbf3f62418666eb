import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";

/**
 * Browser tests drive Debian's Chromium (`/usr/bin/chromium`, installed by .ci/run when
 * missing) through playwright-core; `npx playwright install` cannot download here.
 */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const hasChromium = existsSync(CHROMIUM);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
/** Screenshots land here (gitignored); CI keeps the folder as the test artifacts. */
export const ARTIFACTS = path.join(root, "test-artifacts", "dashboard");

export interface BrowserSession {
  browser: Browser;
  close(): Promise<void>;
}

/** Launches headless Chromium; Playwright gives every launch a fresh temporary profile. */
export async function launch(): Promise<BrowserSession> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
  return {
    browser,
    close: () => browser.close(),
  };
}

/** A fresh context (own cookies) whose page records console errors and failed requests. */
export async function newPage(
  b: BrowserSession,
  base: string,
  colorScheme: "light" | "dark" = "light",
): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await b.browser.newContext({ baseURL: base, colorScheme, viewport: { width: 1280, height: 860 } });
  const page = await context.newPage();
  const errors: string[] = [];
  // A sign-in refused by the shared sign-in budget is waited out by signIn(), not an error of the page.
  const budget = (status: number, path: string) => status === 429 && path === "/api/v1/auth/login";
  page.on("console", (m) => {
    if (
      m.type() === "error" &&
      !(m.text().includes("status of 429") && m.location().url.endsWith("/api/v1/auth/login"))
    )
      errors.push(`console: ${m.text()}`);
  });
  page.on("response", (r) => {
    const path = new URL(r.url()).pathname;
    if (r.status() >= 400 && !budget(r.status(), path))
      errors.push(`http ${r.status()} ${r.request().method()} ${path}`);
  });
  page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
  return { context, page, errors };
}

/**
 * Signs in through the sign-in page (password, then the TOTP step when `totp` is given). The e2e
 * files share one server and sign in as the same admin in parallel, so the per-user and per-address
 * sign-in budgets (10 and 30 a minute) can run out: then it waits as the page says, as a person
 * would, and tries again (twice at most).
 */
export async function signIn(page: Page, username: string, password: string, totp?: () => string): Promise<void> {
  const limited = page.getByText(/^Too many attempts/);
  for (let attempt = 0; ; attempt++) {
    await page.goto("/app/sign-in");
    await page.getByLabel("Username").fill(username);
    await page.getByLabel("Password").fill(password);
    await page.getByRole("button", { name: "Sign in" }).click();
    const next = totp ? page.getByLabel("Authentication code") : page.getByRole("heading", { name: "Overview" });
    await next.or(limited).first().waitFor();
    if (!(await limited.isVisible())) break;
    if (attempt >= 2) throw new Error(`sign-in of ${username} still rate-limited`);
    const wait = Number(/Wait (\d+) seconds/.exec((await limited.textContent()) ?? "")?.[1] ?? 60);
    await page.waitForTimeout((wait + 1) * 1000);
  }
  if (totp) {
    await page.getByLabel("Authentication code").fill(totp());
    await page.getByRole("button", { name: "Verify" }).click();
  }
  await page.getByRole("heading", { name: "Overview" }).waitFor();
}

export function artifactPath(name: string): string {
  mkdirSync(ARTIFACTS, { recursive: true });
  return path.join(ARTIFACTS, name);
}
