import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import type { ReactNode } from "react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ValidationError } from "../api/client";
import { session } from "../auth/session";
import { fieldErrors } from "../ui/field-errors";
import { HealthCheckDialog } from "./health-check-dialog";
import { MaintenanceWindowDialog } from "./maintenance-window-dialog";

const USER = { id: "u1", username: "ada", display_name: null, role: "operator", mfa_enabled: false };
const WINDOW = {
  id: "8422fe32-8c0e-4d2b-9b40-2b5f1f5a9f10",
  host_id: "9422fe32-8c0e-4d2b-9b40-2b5f1f5a9f10",
  label: "Sunday night",
  recurrence: "weekly" as const,
  start_at: "2026-07-05T21:00:00.000Z",
  duration_minutes: 60,
  recurrence_day: 0,
  enabled: true,
  auto_apply: false,
  time_zone: "Europe/Berlin",
  next_start_at: null,
  next_end_at: null,
  created_at: "2026-07-01T00:00:00.000Z",
  updated_at: "2026-07-01T00:00:00.000Z",
};
const wrap = (ui: ReactNode) => render(<QueryClientProvider client={new QueryClient()}>{ui}</QueryClientProvider>);
const refuse = (details: unknown, message: string) =>
  new Response(JSON.stringify({ error: { code: "validation_error", message, request_id: null, details } }), {
    status: 422,
    headers: { "Content-Type": "application/json" },
  });

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe("create/edit dialogs", () => {
  it("maps the API's validation issues to fields, and a domain refusal by its field prefix", () => {
    const body = {
      error: { code: "validation_error", message: "x", details: [{ path: "label", message: "Too short" }] },
    };
    expect(fieldErrors(new ValidationError("label: Too short", 422, "validation_error", undefined, body))).toEqual({
      label: "Too short",
    });
    expect(fieldErrors(new ValidationError("recurrence_day: weekly needs a day 0-6", 422, "v"))).toEqual({
      recurrence_day: "weekly needs a day 0-6",
    });
    expect(fieldErrors(new Error("label: no"))).toEqual({});
  });

  it("maintenance window: the start is sent as UTC of the wall-clock time in the window's zone; refusals show inline", async () => {
    session.signedIn({ access_token: "t", expires_in: 900, user: USER });
    const sent: { method: string; url: string; body: unknown }[] = [];
    vi.stubGlobal("fetch", async (req: Request) => {
      sent.push({ method: req.method, url: req.url, body: await req.json() });
      return refuse([{ path: "duration_minutes", message: "Too big: expected number to be <=1440" }], "bad");
    });
    wrap(<MaintenanceWindowDialog open onOpenChange={() => undefined} window={WINDOW} />);
    expect(screen.getByLabelText(/First start/)).toHaveProperty("value", "2026-07-05T23:00");
    fireEvent.change(screen.getByLabelText(/Duration/), { target: { value: "5000" } });
    fireEvent.click(screen.getByRole("button", { name: "Save window" }));
    const err = await screen.findByText("Too big: expected number to be <=1440");
    expect(screen.getByLabelText(/Duration/).getAttribute("aria-describedby")).toBe(err.id);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.method).toBe("PUT");
    expect(sent[0]?.url).toContain(`/hosts/${WINDOW.host_id}/maintenance-windows/${WINDOW.id}`);
    expect(sent[0]?.body).toMatchObject({
      start_at: "2026-07-05T21:00:00.000Z",
      duration_minutes: 5000,
      time_zone: "Europe/Berlin",
    });
  });

  it("maintenance window: an unknown time zone is caught before anything is sent", async () => {
    const fetch = vi.fn(async () => new Response("{}", { status: 200 }));
    vi.stubGlobal("fetch", fetch);
    wrap(<MaintenanceWindowDialog open onOpenChange={() => undefined} window={WINDOW} />);
    fireEvent.change(screen.getByLabelText(/Time zone/), { target: { value: "Mars/Olympus" } });
    fireEvent.click(screen.getByRole("button", { name: "Save window" }));
    await screen.findByText("Not a time in this time zone");
    expect(fetch).not.toHaveBeenCalled();
  });

  it("health check: a new check needs a host; the API's message shows when no field owns it", async () => {
    session.signedIn({ access_token: "t", expires_in: 900, user: USER });
    vi.stubGlobal("fetch", async (req: Request) =>
      new URL(req.url).pathname === "/api/v1/hosts"
        ? new Response(
            JSON.stringify({ hosts: [{ id: WINDOW.host_id, fqdn: "web-1.example", display_name: "" }], total: 1 }),
            { status: 200, headers: { "Content-Type": "application/json" } },
          )
        : refuse(null, "A check with this name already exists on the host"),
    );
    wrap(<HealthCheckDialog open onOpenChange={() => undefined} />);
    fireEvent.click(screen.getByRole("button", { name: "Create check" }));
    await screen.findByText("Choose a host");
    await screen.findByRole("option", { name: "web-1.example" });
    fireEvent.change(screen.getByLabelText(/^Host/), { target: { value: WINDOW.host_id } });
    fireEvent.change(screen.getByLabelText(/^Name/), { target: { value: "nginx" } });
    fireEvent.click(screen.getByRole("button", { name: "Create check" }));
    await waitFor(() => expect(screen.getByRole("alert").textContent).toContain("already exists"));
  });
});
