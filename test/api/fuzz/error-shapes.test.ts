import { describe, expect, it } from "vitest";
import { call } from "../helpers";
import { errorShapeProblem, type Face, faceOf } from "./fuzz-faces";

/**
 * Issue 11 "error shape under hostile input": every 4xx the Worker produces on
 * a JSON face is in that face's shape — also for unknown paths (404), a wrong
 * method on a known path (405), an oversized body (413) and a body that is not
 * JSON where JSON is required (415/400). One known JSON-taking path per face.
 */
const ISSUER = "/api/accounts/token_issuers/oidc/00000000-0000-4000-8000-000000000000/auth/";
/** `wrongMethodStatus`: ctrl-exec routes by exact method + path, so a wrong method is its "no route" 404 (ctrl-exec.md). */
const FACES: {
  face: Face;
  unknown: string;
  known: { path: string; wrongMethod: string; wrongMethodStatus: number };
}[] = [
  {
    face: "native",
    unknown: "/api/v1/no-such-thing",
    known: { path: "/api/v1/auth/login", wrongMethod: "PUT", wrongMethodStatus: 405 },
  },
  {
    face: "ziti",
    unknown: "/edge/client/v1/no-such-thing",
    known: { path: "/edge/client/v1/authenticate?method=password", wrongMethod: "PUT", wrongMethodStatus: 405 },
  },
  { face: "exec", unknown: "/no-such-thing", known: { path: "/run", wrongMethod: "PUT", wrongMethodStatus: 404 } },
  {
    face: "zentral",
    unknown: "/api/no-such-thing/",
    known: { path: ISSUER, wrongMethod: "PUT", wrongMethodStatus: 405 },
  },
];

async function shapeOf(face: Face, res: Response): Promise<string | undefined> {
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return `not JSON: ${text.slice(0, 80)}`;
  }
  return errorShapeProblem(face, body);
}

describe("wrong-method bodies exactly as the references", () => {
  it("ctrl-exec: 404 no route for <METHOD> <path>", async () => {
    const res = await call("/run", { method: "PUT", json: {} });
    expect(await res.json()).toEqual({ ok: false, error: "not found", detail: "no route for PUT /run" });
  });

  it('Zentral (DRF): 405 {"detail":"Method "PUT" not allowed."}', async () => {
    const res = await call(ISSUER, { method: "PUT", json: {} });
    expect(await res.json()).toEqual({ detail: 'Method "PUT" not allowed.' });
  });
});

describe.each(FACES)("$face face error shapes", ({ face, unknown, known }) => {
  it("the face owns its paths (as DESIGN.md says)", () => {
    expect(faceOf(unknown)).toBe(face);
    expect(faceOf(known.path.split("?")[0] ?? "")).toBe(face);
  });

  it("404 on an unknown path", async () => {
    const res = await call(unknown);
    expect(res.status).toBe(404);
    expect(await shapeOf(face, res)).toBeUndefined();
  });

  it("a wrong method on a known path: 405 (ctrl-exec: its no-route 404)", async () => {
    const res = await call(known.path, { method: known.wrongMethod, json: {} });
    expect(res.status).toBe(known.wrongMethodStatus);
    expect(await shapeOf(face, res)).toBeUndefined();
  });

  it("413 on an oversized body", async () => {
    const res = await call(known.path, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: `{"x":"${"a".repeat(2 * 1024 * 1024)}"}`,
    });
    expect(res.status).toBe(413);
    expect(await shapeOf(face, res)).toBeUndefined();
  });

  it("a body that is not JSON is a 4xx in the face's shape", async () => {
    const res = await call(known.path, {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: "username=admin&password=x",
    });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(await shapeOf(face, res)).toBeUndefined();
  });
});
