import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { AuthenticationError, ConflictError, RateLimitError } from "../api/client";
import { sharedScripts } from "../pages/run-script";
import { signInMessage } from "../pages/sign-in.page";
import { Confirm } from "./confirm";
import { type ColumnDef, DataTable, Pager } from "./data-table";
import { ansiLines, plain } from "./log-viewer";
import { StatusBadge } from "./states";

afterEach(cleanup);

type Row = { id: string; name: string; n: number };
const rows: Row[] = [
  { id: "1", name: "b", n: 2 },
  { id: "2", name: "a", n: 1 },
];
const columns: ColumnDef<Row, unknown>[] = [
  { accessorKey: "name", header: "Name" },
  { accessorKey: "n", header: "Count" },
];

describe("DataTable", () => {
  it("server-side sort: clicking a header asks for the sort instead of reordering rows", () => {
    const onSort = vi.fn();
    render(
      <DataTable
        caption="T"
        rows={rows}
        columns={columns}
        rowKey={(r) => r.id}
        sort={{ id: "name", desc: false }}
        onSort={onSort}
      />,
    );
    expect(screen.getByRole("columnheader", { name: /Name/ }).getAttribute("aria-sort")).toBe("ascending");
    fireEvent.click(screen.getByRole("button", { name: /Name/ }));
    expect(onSort).toHaveBeenCalledWith({ id: "name", desc: true });
    fireEvent.click(screen.getByRole("button", { name: /Count/ }));
    expect(onSort).toHaveBeenLastCalledWith(expect.objectContaining({ id: "n" }));
    expect(screen.getAllByRole("row")[1]?.textContent).toBe("b2");
  });

  it("client-side sort when no onSort is given", () => {
    render(<DataTable caption="T" rows={rows} columns={columns} rowKey={(r) => r.id} />);
    fireEvent.click(screen.getByRole("button", { name: /Name/ }));
    expect(screen.getAllByRole("row")[1]?.textContent).toBe("a1");
  });
});

describe("Pager", () => {
  it("shows the range and disables what cannot be reached", () => {
    const onPage = vi.fn();
    render(<Pager offset={50} limit={50} total={120} onPage={onPage} />);
    expect(screen.getByText("51–100 of 120")).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "Next" }));
    expect(onPage).toHaveBeenCalledWith(100);
    cleanup();
    render(<Pager offset={0} limit={50} total={0} onPage={onPage} />);
    expect((screen.getByRole("button", { name: "Previous" }) as HTMLButtonElement).disabled).toBe(true);
    expect((screen.getByRole("button", { name: "Next" }) as HTMLButtonElement).disabled).toBe(true);
  });
});

describe("Confirm", () => {
  it("with a typed confirmation, the action stays disabled until the exact text is typed", () => {
    const onConfirm = vi.fn();
    render(
      <Confirm
        open
        onOpenChange={() => undefined}
        title="Delete 12 hosts?"
        description="d"
        action="Delete"
        typed="12"
        onConfirm={onConfirm}
      />,
    );
    const button = screen.getByRole("button", { name: "Delete" }) as HTMLButtonElement;
    expect(button.disabled).toBe(true);
    fireEvent.change(screen.getByLabelText(/Type/), { target: { value: "11" } });
    expect(button.disabled).toBe(true);
    fireEvent.change(screen.getByLabelText(/Type/), { target: { value: "12" } });
    expect(button.disabled).toBe(false);
    fireEvent.click(button);
    expect(onConfirm).toHaveBeenCalledOnce();
  });
});

describe("log rendering", () => {
  it("escapes HTML in output and keeps ANSI colours as styled spans", () => {
    const [line] = ansiLines("\u001b[31m<img src=x onerror=alert(1)>\u001b[0m");
    expect(line).not.toContain("<img");
    expect(line).toContain("&lt;img");
    expect(line).toMatch(/<span style="color:rgb\(/);
    expect(plain("\u001b[1;32mok\u001b[0m done")).toBe("ok done");
  });
});

describe("small pieces", () => {
  it("sharedScripts keeps only scripts every target allowlists", () => {
    expect(
      sharedScripts([
        ["a", "b", "c"],
        ["c", "a"],
        ["a", "c", "d"],
      ]),
    ).toEqual(["a", "c"]);
    expect(sharedScripts([])).toEqual([]);
  });

  it("sign-in messages name lockout and rate limits, never which credential was wrong", () => {
    expect(signInMessage(new AuthenticationError("x", 401, "invalid_credentials"))).toBe(
      "Invalid username, password or code.",
    );
    expect(signInMessage(new ConflictError("x", 423, "account_locked"))).toMatch(/locked/);
    const limited = new RateLimitError("x", 429, "rate_limited");
    expect(signInMessage(limited)).toBe("Too many attempts. Wait a minute and try again.");
    limited.retryAfterSeconds = 30;
    expect(signInMessage(limited)).toBe("Too many attempts. Wait 30 seconds and try again.");
  });

  it("StatusBadge shows the status in words with its tone", () => {
    render(<StatusBadge status="timed_out" />);
    expect(screen.getByText("timed out").className).toContain("bad");
  });
});
