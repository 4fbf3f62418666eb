/**
 * The dashboard's device-login, patch deployment, compliance and report pages in Chromium
 * against the shared `wrangler dev` (no agents: lean). Approving a CLI device login signs the
 * CLI in; the patch plan reaches POST /jobs and shows the server's refusal; compliance figures
 * equal /status/fleet; a report downloads at once and as an async export.
 */
import { readFileSync } from "node:fs";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { adminAccess } from "./agent-process";
import { artifactPath, type BrowserSession, hasChromium, launch, newPage, signIn } from "./browser";
import { E2E_ADMIN } from "./global-setup";

const base = () => inject("baseUrl");
const suffix = Math.random().toString(36).slice(2, 7);
let browser: BrowserSession;
let access = "";
let hostId = "";
let groupId = "";
const fqdn = `patch-${suffix}.example.test`;

async function api<T>(path: string, init: { method?: string; body?: unknown; token?: string } = {}): Promise<T> {
  const res = await fetch(`${base()}/api/v1${path}`, {
    method: init.method ?? "GET",
    headers: {
      "content-type": "application/json",
      ...(init.token !== "" ? { authorization: `Bearer ${init.token ?? access}` } : {}),
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${init.method ?? "GET"} ${path}: ${res.status} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

async function pollToken(deviceCode: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${base()}/api/v1/auth/device/token`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ device_code: deviceCode }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: artifactPath(`${name}.png`), fullPage: true });
}

describe.skipIf(!hasChromium)("dashboard pages in Chromium: device login, patching, compliance, reports", () => {
  beforeAll(async () => {
    access = await adminAccess(base());
    browser = await launch();
    const group = await api<{ id: string }>("/groups", { method: "POST", body: { name: `compliance-${suffix}` } });
    groupId = group.id;
    // A host without an agent: self-enrolled, approved, put in the group.
    await api("/enroll", {
      method: "POST",
      token: "",
      body: { machine_id: `m-${suffix}`, fqdn, ip_address: "10.9.8.6", os_details: { name: "Debian", version: "13" } },
    });
    const pending = await api<{ id: string; fqdn: string }[]>("/admin/enrollments");
    const request = pending.find((p) => p.fqdn === fqdn);
    await api(`/admin/enrollments/${request?.id}/approve`, { method: "POST" });
    const hosts = await api<{ hosts: { id: string; fqdn: string }[] }>(`/hosts?search=${encodeURIComponent(fqdn)}`);
    hostId = hosts.hosts.find((h) => h.fqdn === fqdn)?.id ?? "";
    await api(`/hosts/${hostId}/groups`, { method: "POST", body: { group_id: groupId } });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
  });

  it("approves a CLI device login from the link the CLI prints, through sign-in; the CLI then gets a session", async () => {
    const code = await api<{ device_code: string; user_code: string; verification_uri_complete: string }>(
      "/auth/device/code",
      { method: "POST", token: "", body: { client_name: "e2e" } },
    );
    expect((await pollToken(code.device_code)).body).toMatchObject({
      error: { code: "authorization_pending" },
    });
    const { context, page, errors } = await newPage(browser, base());
    // Signed out: the link leads through sign-in and back to the device page with its code.
    await page.goto(new URL(code.verification_uri_complete).pathname + new URL(code.verification_uri_complete).search);
    await page.getByRole("heading", { name: "Sign in to Fleetgate" }).waitFor();
    await page.getByLabel("Username").fill(E2E_ADMIN.username);
    await page.getByLabel("Password").fill(E2E_ADMIN.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { name: "Is this the code in your terminal?" }).waitFor();
    expect(await page.locator("[data-user-code]").textContent()).toBe(code.user_code);
    // Who asked is shown before the decision: the client's name and the address it asked from.
    const request = page.getByRole("definition");
    await expect.poll(() => request.first().textContent()).toBe("e2e");
    expect(await request.nth(1).textContent()).toMatch(/^[0-9a-f.:]+$/);
    await shot(page, "device-light");
    await page.getByRole("button", { name: "Approve sign-in" }).click();
    await page.getByText(/^Approved: the command-line client is now signed in as admin/).waitFor();
    // Respect the poll interval, then the CLI's poll yields the session, once.
    await new Promise((r) => setTimeout(r, 5_500));
    const granted = await pollToken(code.device_code);
    expect(granted.status).toBe(200);
    expect(typeof granted.body.access_token).toBe("string");

    // The same code again (typed, in another form) is refused plainly.
    await page.goto("/app/device");
    await page.getByRole("textbox", { name: /^Code/ }).fill(code.user_code.toLowerCase().replace("-", " "));
    await page.getByRole("button", { name: "Continue" }).click();
    await expect
      .poll(() => page.getByRole("alert").textContent())
      .toBe("This code is unknown, already used or expired. Run the sign-in command again for a new code.");
    expect(await page.getByRole("button", { name: "Approve sign-in" }).isDisabled()).toBe(true);
    // The refused lookup (400) is the only failed request.
    expect(errors).toContain("http 400 POST /api/v1/auth/device/lookup");
    expect(errors.filter((e) => !e.includes("400"))).toEqual([]);
    await context.close();
  });

  it("plans a patch deployment: bad input is caught on the page, the server's refusal is shown", async () => {
    const { context, page, errors } = await newPage(browser, base());
    await signIn(page, E2E_ADMIN.username, E2E_ADMIN.password);
    await page.goto(`/app/patching?scope=all&search=${encodeURIComponent(fqdn)}`);
    await page.getByRole("checkbox", { name: `Select ${fqdn}` }).check();
    expect(await page.getByTestId("patch-targets").textContent()).toBe(`1 host(s) selected: ${fqdn}`);
    await page.getByRole("button", { name: `Show updates of ${fqdn}` }).click();
    await page.getByText("This host has not reported its packages yet.").waitFor();
    await page.getByLabel("Only these packages").check();
    await page.getByLabel(/^Packages/).fill("openssl; reboot");
    await page.getByRole("button", { name: "Deploy to 1 host(s)…" }).click();
    await page.getByText("Not a package name: openssl;").waitFor();
    await page.getByLabel("Every pending update").check();
    await page.getByRole("button", { name: "Deploy to 1 host(s)…" }).click();
    const dialog = page.getByRole("dialog", { name: "Deploy patches" });
    const [answer] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === "POST" && new URL(r.url()).pathname === "/api/v1/jobs"),
      dialog.getByRole("button", { name: "Deploy to 1 host(s)" }).click(),
    ]);
    // A host that reported no pending update has nothing to patch: the API's 422, in the page.
    expect(answer.status()).toBe(422);
    const message = ((await answer.json()) as { error: { message: string } }).error.message;
    await page.getByRole("alert").filter({ hasText: message }).waitFor();
    await shot(page, "patching-light");
    expect(errors.filter((e) => !e.includes("422"))).toEqual([]);
    await context.close();
  });

  it("compliance shows the API's figures for a group (table twin), and reports download now and in the background", async () => {
    const { context, page, errors } = await newPage(browser, base(), "dark");
    await signIn(page, E2E_ADMIN.username, E2E_ADMIN.password);
    const status = await api<{ compliant: number; non_compliant: number; compliance_unknown: number }>(
      `/status/fleet?group_id=${groupId}`,
    );
    await page.goto(`/app/compliance?group_id=${groupId}`);
    const table = page.locator('table[data-chart-table="Hosts by compliance"]');
    await page.getByText("View as table").first().click();
    await expect
      .poll(() => table.locator("tbody td").allTextContents())
      .toEqual([status.compliant, status.non_compliant, status.compliance_unknown].map(String));
    expect(status.compliant + status.non_compliant + status.compliance_unknown).toBe(1);
    await page.waitForLoadState("networkidle");
    await shot(page, "compliance-dark");

    await page.goto("/app/exports");
    await page.getByRole("combobox", { name: /^Report/ }).selectOption("compliance");
    await page.getByRole("combobox", { name: /^File type/ }).selectOption("csv");
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: "Download report" }).click(),
    ]);
    expect(download.suggestedFilename()).toBe("compliance-report.csv");
    expect(readFileSync(await download.path(), "utf8")).toContain(fqdn);

    const [started] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === "POST" && new URL(r.url()).pathname === "/api/v1/exports"),
      page.getByRole("button", { name: "Prepare in background" }).click(),
    ]);
    const { task_id } = (await started.json()) as { task_id: string };
    const link = page.locator(`tbody tr[data-task="${task_id}"]`).getByRole("button", { name: /^Download/ });
    await link.waitFor({ timeout: 30_000 });
    const [later] = await Promise.all([page.waitForEvent("download"), link.click()]);
    expect(readFileSync(await later.path(), "utf8")).toContain(fqdn);
    expect(errors).toEqual([]);
    await context.close();
  });
});
