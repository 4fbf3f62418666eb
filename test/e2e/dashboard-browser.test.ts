/**
 * The dashboard in a real browser (Debian's Chromium through playwright-core) against the
 * real `wrangler dev` of global-setup, with real agents: sign-in with TOTP, approving an
 * enrollment, running a script on two hosts and watching its output arrive live, an export
 * and its download, keyboard-only use of the hosts page, and an axe scan plus light and dark
 * screenshots (test-artifacts/dashboard/) of every page with no console error anywhere.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { Secret, TOTP } from "otpauth";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { AgentProcess, adminAccess } from "./agent-process";
import { artifactPath, type BrowserSession, hasChromium, launch, newPage, signIn } from "./browser";
import { E2E_ADMIN } from "./global-setup";

const base = () => inject("baseUrl");
const suffix = Math.random().toString(36).slice(2, 7);
const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
/** One line a second for $1 seconds: output that keeps arriving while the job runs. */
const TICKER = `#!/bin/sh\nn="\${1:-5}"; i=1\nwhile [ "$i" -le "$n" ]; do echo "tick $i"; i=$((i + 1)); sleep 1; done\n`;
let browser: BrowserSession;
let access = "";
const agents: AgentProcess[] = [];

async function api<T>(path: string, init: { method?: string; body?: unknown; token?: string } = {}): Promise<T> {
  const res = await fetch(`${base()}/api/v1${path}`, {
    method: init.method ?? "GET",
    headers: {
      "content-type": "application/json",
      ...(init.token !== "" ? { authorization: `Bearer ${init.token ?? access}` } : {}),
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  if (!res.ok) throw new Error(`${init.method ?? "GET"} ${path}: ${res.status} ${await res.text()}`);
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

/** Waits until no loading placeholder is left on the page. */
async function settled(page: Page): Promise<void> {
  await page.waitForLoadState("networkidle");
  await page.waitForFunction('!document.body.innerText.includes("Loading")', undefined, { timeout: 15_000 });
}

describe.skipIf(!hasChromium)("dashboard in Chromium", () => {
  beforeAll(async () => {
    access = await adminAccess(base());
    browser = await launch();
    for (const name of [`web-a-${suffix}`, `web-b-${suffix}`]) {
      const agent = new AgentProcess(base(), name, { role: "web" }, { ticker: TICKER });
      agents.push(agent);
      await agent.enroll(access);
      agent.start();
    }
    await Promise.all(agents.map((a) => a.waitOnline(access)));
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await Promise.all(agents.map((a) => a.dispose()));
  });

  it("signs in with password then TOTP; a reload keeps the session; sign-out revokes the refresh cookie", async () => {
    const username = `mfa-${suffix}`;
    const password = "Mfa-User-Pass-1!";
    await api("/users", {
      method: "POST",
      body: { username, email: `${username}@example.test`, role: "operator", password },
    });
    const login = await api<{ access_token: string }>("/auth/login", {
      method: "POST",
      token: "",
      body: { username, password },
    });
    const setup = await api<{ secret_base32: string }>("/auth/mfa/setup", { token: login.access_token });
    const totp = new TOTP({ secret: Secret.fromBase32(setup.secret_base32), digits: 6, period: 30 });
    await api("/auth/mfa/verify", {
      method: "POST",
      token: login.access_token,
      body: { secret_base32: setup.secret_base32, code: totp.generate(), password },
    });

    const { context, page, errors } = await newPage(browser, base());
    // The code for the next step: the current one was just used to enrol, and each is accepted once.
    await signIn(page, username, password, () => totp.generate({ timestamp: Date.now() + 30_000 }));
    expect(await page.getByText(`${username} · operator`).isVisible()).toBe(true);

    const cookies = await context.cookies();
    const refresh = cookies.find((c) => c.name === "__Host-fg_refresh");
    expect(refresh?.httpOnly).toBe(true);
    expect(refresh?.sameSite).toBe("Strict");
    expect(await page.evaluate<string>("document.cookie")).not.toContain("fg_refresh");

    await page.reload();
    await page.getByRole("heading", { name: "Overview" }).waitFor();
    const rotated = (await context.cookies()).find((c) => c.name === "__Host-fg_refresh")?.value ?? "";
    expect(rotated).toMatch(/^[0-9a-f]{64}$/);

    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByRole("heading", { name: "Sign in to Fleetgate" }).waitFor();
    const after = await fetch(`${base()}/api/v1/auth/refresh`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ refresh_token: rotated }),
    });
    expect(after.status).toBe(401);
    // The only failed request: the password step's 401 mfa_required (the LPM login protocol).
    expect(errors.filter((e) => !e.includes("401 (Unauthorized)") && e !== "http 401 POST /api/v1/auth/login")).toEqual(
      [],
    );
    expect(errors.filter((e) => e.startsWith("http "))).toEqual(["http 401 POST /api/v1/auth/login"]);
    await context.close();
  });

  it("shows a wrong password plainly and stays on the sign-in page", async () => {
    const { context, page, errors } = await newPage(browser, base());
    await page.goto("/app/sign-in");
    await page.getByLabel("Username").fill(`nobody-${suffix}`);
    await page.getByLabel("Password").fill("Wrong-Pass-123!");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect.poll(() => page.getByRole("alert").textContent()).toBe("Invalid username, password or code.");
    // The 401 of the failed login is the only failed request.
    expect(errors.filter((e) => !e.includes("401"))).toEqual([]);
    await context.close();
  });

  it("approves a pending self-enrollment from the queue", async () => {
    const fqdn = `pending-${suffix}.example.test`;
    await api("/enroll", {
      method: "POST",
      token: "",
      body: { machine_id: `m-${suffix}`, fqdn, ip_address: "10.9.8.7", os_details: { name: "Debian", version: "13" } },
    });
    const { context, page, errors } = await newPage(browser, base());
    await signIn(page, E2E_ADMIN.username, E2E_ADMIN.password);
    await page.getByRole("link", { name: "Enrollment" }).click();
    await page.getByRole("checkbox", { name: `Select ${fqdn}` }).check();
    await page.getByRole("button", { name: /^Approve/ }).click();
    await page.getByText(`${fqdn}: approved`).waitFor();
    const hosts = await api<{ hosts: { fqdn: string }[] }>(`/hosts?search=${encodeURIComponent(fqdn)}`);
    expect(hosts.hosts.map((h) => h.fqdn)).toEqual([fqdn]);
    expect(errors).toEqual([]);
    await context.close();
  });

  it("runs a script on two hosts and shows its output while it runs", async () => {
    const { context, page, errors } = await newPage(browser, base());
    await signIn(page, E2E_ADMIN.username, E2E_ADMIN.password);
    await page.goto(`/app/hosts?search=web-&offset=0`);
    await page.getByRole("checkbox", { name: `Select ${agents[0]?.name}` }).waitFor();
    for (const a of agents) await page.getByRole("checkbox", { name: `Select ${a.name}` }).check();
    await page.getByRole("button", { name: "Run script…" }).click();
    const drawer = page.getByRole("dialog", { name: "Run a script" });
    await drawer.getByLabel("Script").fill("ticker");
    await drawer.getByLabel(/^Arguments/).fill("8");
    await drawer.getByRole("button", { name: "Run on 2 host(s)" }).click();
    await page.waitForURL(/\/app\/jobs\/[0-9a-f-]{36}$/);
    await page.getByText("Live", { exact: true }).waitFor();
    const output = page.getByTestId("job-output");
    // Lines arrive as live chunks while the script is still running on both hosts.
    await output.getByText("tick 3", { exact: true }).waitFor({ timeout: 20_000 });
    expect(await page.getByTestId("job-counts").textContent()).toContain("0 of 2 hosts finished");
    await page.getByText("2 of 2 hosts finished").waitFor({ timeout: 40_000 });
    await output.getByText("tick 8", { exact: true }).waitFor();
    await expect.poll(() => page.getByTestId("job-counts").textContent()).toContain("2 succeeded");
    // The other host's output is one click away in the per-host grid.
    await page.locator(`[data-host="${agents[1]?.name}"]`).click();
    await output.getByText("tick 8", { exact: true }).waitFor();
    expect(errors).toEqual([]);
    await context.close();
  });

  it("starts an export, follows its progress and downloads the file", async () => {
    const { context, page, errors } = await newPage(browser, base());
    await signIn(page, E2E_ADMIN.username, E2E_ADMIN.password);
    await page.goto("/app/exports");
    await page.getByLabel("Data").selectOption("hosts");
    await page.getByLabel("Format").selectOption("csv");
    // Other files' exports share this server: follow the row of the task this click started.
    const [started] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === "POST" && new URL(r.url()).pathname === "/api/v1/exports"),
      page.getByRole("button", { name: "Start export" }).click(),
    ]);
    const { task_id } = (await started.json()) as { task_id: string };
    const link = page.locator(`tbody tr[data-task="${task_id}"]`).getByRole("button", { name: /^Download/ });
    await link.waitFor({ timeout: 30_000 });
    const [download] = await Promise.all([page.waitForEvent("download"), link.click()]);
    const file = await download.path();
    const text = readFileSync(file, "utf8");
    expect(text.split("\n")[0]?.toLowerCase()).toContain("fqdn");
    for (const a of agents) expect(text).toContain(a.name);
    expect(errors).toEqual([]);
    await context.close();
  });

  it("the hosts page works from the keyboard alone", async () => {
    const { context, page, errors } = await newPage(browser, base());
    await signIn(page, E2E_ADMIN.username, E2E_ADMIN.password);
    await page.keyboard.press("g");
    await page.keyboard.press("h");
    await page.waitForURL(/\/app\/hosts/);
    await page.getByRole("heading", { name: "Hosts" }).waitFor();
    await page.keyboard.press("/");
    expect(await page.evaluate<boolean>('document.activeElement?.hasAttribute("data-page-search")')).toBe(true);
    await page.keyboard.type(`web-a-${suffix}`);
    await page.keyboard.press("Enter");
    await page.waitForURL(new RegExp(`search=web-a-${suffix}`));
    await page.getByRole("link", { name: `web-a-${suffix}` }).waitFor();
    // Tab forward to the host's link and open it.
    for (let i = 0; i < 60; i++) {
      await page.keyboard.press("Tab");
      const text = await page.evaluate<string>('document.activeElement?.textContent ?? ""');
      if (text === `web-a-${suffix}`) break;
    }
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { name: `web-a-${suffix}` }).waitFor();
    // `?` lists the shortcuts; Esc closes; Ctrl+K opens the palette.
    await page.keyboard.press("?");
    await page.getByRole("dialog", { name: "Keyboard shortcuts" }).waitFor();
    await page.keyboard.press("Escape");
    await page.keyboard.press("Control+k");
    await page.getByRole("combobox", { name: "Page name" }).waitFor();
    await page.keyboard.type("Jobs");
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { name: "Jobs" }).waitFor();
    expect(errors).toEqual([]);
    await context.close();
  });

  it("every page passes an axe scan (no serious or critical issue), light and dark, with screenshots", async () => {
    const jobs = await api<{ jobs: { id: string }[] }>("/jobs?limit=1");
    const pages = [
      "/",
      "/hosts",
      `/hosts/${agents[0]?.hostId}`,
      "/enrollments",
      "/jobs",
      ...(jobs.jobs[0] ? [`/jobs/${jobs.jobs[0].id}`] : []),
      "/exports",
      "/audit",
      "/certificates",
      "/users",
      "/groups",
      "/tokens",
      "/token-issuers",
      "/settings",
      "/profile",
      "/patching",
      "/maintenance",
      "/health-checks",
      "/compliance",
      "/device",
    ];
    const problems: string[] = [];
    for (const scheme of ["light", "dark"] as const) {
      const { context, page, errors } = await newPage(browser, base(), scheme);
      await page.goto("/app/sign-in");
      await page.getByRole("heading", { name: "Sign in to Fleetgate" }).waitFor();
      problems.push(...(await scan(page, "sign-in", scheme)));
      await signIn(page, E2E_ADMIN.username, E2E_ADMIN.password);
      for (const p of pages) {
        await page.goto(`/app${p}`);
        await settled(page);
        const name = p === "/" ? "overview" : p.slice(1).replace(/\/[0-9a-f-]{36}$/, "-detail");
        problems.push(...(await scan(page, name, scheme)));
      }
      problems.push(...errors.map((e) => `${scheme}: ${e}`));
      await context.close();
    }
    expect(problems).toEqual([]);
  }, 240_000);
});

/** Runs axe-core in the page; returns serious/critical violations. Saves a screenshot. */
async function scan(page: Page, name: string, scheme: "light" | "dark"): Promise<string[]> {
  await page.screenshot({ path: artifactPath(`${name}-${scheme}.png`), fullPage: true });
  // Evaluated through the DevTools protocol, so the page's CSP (script-src 'self') does not apply.
  await page.evaluate(axeSource);
  const violations = await page.evaluate<AxeViolation[]>("axe.run(document).then((r) => r.violations)");
  return violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${scheme} ${name}: ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`);
}

interface AxeViolation {
  id: string;
  impact?: string;
  help: string;
  nodes: { target: string[] }[];
}
