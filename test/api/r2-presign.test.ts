import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { presignR2Get, r2PresignConfig } from "@fleetgate/domain";
import { AwsClient } from "aws4fetch";
import { describe, expect, it } from "vitest";
import { app } from "../../workers/api/src/app";
import { adminLogin, bearer } from "./auth-helpers";
import { seedTask } from "./task-helpers";

const CFG = {
  accountId: "0123456789abcdef0123456789abcdef",
  accessKeyId: "AKIDEXAMPLE",
  secretAccessKey: "s3cr3t",
  bucket: "fleetgate-exports",
};

describe("the R2 presigned alternative (opt-in, not revocable)", () => {
  it("the SigV4 library reproduces AWS's documented presigned-URL example", async () => {
    // docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html — "Example"
    const client = new AwsClient({
      accessKeyId: "AKIAIOSFODNN7EXAMPLE",
      secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
      service: "s3",
      region: "us-east-1",
    });
    const url = new URL("https://examplebucket.s3.amazonaws.com/test.txt");
    url.searchParams.set("X-Amz-Expires", "86400");
    const signed = await client.sign(new Request(url), { aws: { signQuery: true, datetime: "20130524T000000Z" } });
    expect(new URL(signed.url).searchParams.get("X-Amz-Signature")).toBe(
      "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404",
    );
  });

  it("is off unless all three credentials are configured", () => {
    expect(r2PresignConfig({})).toBeUndefined();
    expect(r2PresignConfig({ R2_ACCOUNT_ID: "a", R2_ACCESS_KEY_ID: "b" })).toBeUndefined();
    expect(r2PresignConfig({ R2_ACCOUNT_ID: "a", R2_ACCESS_KEY_ID: "b", R2_SECRET_ACCESS_KEY: "c" })).toEqual({
      accountId: "a",
      accessKeyId: "b",
      secretAccessKey: "c",
      bucket: "fleetgate-exports",
    });
  });

  it("signs a GET on the R2 endpoint, ≤ 5 minutes, with the stored headers as response overrides", async () => {
    const url = new URL(
      await presignR2Get(CFG, "exports/x/inventory_export_2026-11-22_10-00-00.csv", {
        ttlSeconds: 3600,
        headers: { "Content-Type": "text/csv", "Content-Disposition": 'attachment; filename="a.csv"' },
      }),
    );
    expect(url.origin).toBe(`https://${CFG.accountId}.r2.cloudflarestorage.com`);
    expect(url.pathname).toBe("/fleetgate-exports/exports/x/inventory_export_2026-11-22_10-00-00.csv");
    expect(url.searchParams.get("X-Amz-Expires")).toBe("300");
    expect(url.searchParams.get("X-Amz-Credential")).toMatch(/^AKIDEXAMPLE\/\d{8}\/auto\/s3\/aws4_request$/);
    expect(url.searchParams.get("response-content-disposition")).toBe('attachment; filename="a.csv"');
    expect(url.searchParams.get("X-Amz-Signature")).toMatch(/^[0-9a-f]{64}$/);
  });

  it("with credentials configured, task downloads redirect to R2 instead of /files/", async () => {
    const admin = await adminLogin();
    const id = crypto.randomUUID();
    const key = `exports/${id}/audit_export_2026-11-22_10-00-00.csv`;
    const headers = {
      "Content-Type": "text/csv",
      "Content-Disposition": 'attachment; filename="audit_export_2026-11-22_10-00-00.csv"',
    };
    await env.EXPORTS.put(key, "a\r\n");
    await seedTask({
      id,
      status: "SUCCESS",
      createdBy: admin.userId,
      result: { filepath: key, headers },
      fileKey: key,
      headers,
    });
    const res = await app.fetch(
      new Request(`http://127.0.0.1/api/task_result/${id}/download/`, { headers: bearer(admin) }),
      {
        ...env,
        R2_ACCOUNT_ID: CFG.accountId,
        R2_ACCESS_KEY_ID: CFG.accessKeyId,
        R2_SECRET_ACCESS_KEY: CFG.secretAccessKey,
      },
      createExecutionContext(),
    );
    expect(res.status).toBe(302);
    const loc = new URL(res.headers.get("location") ?? "");
    expect(loc.host).toBe(`${CFG.accountId}.r2.cloudflarestorage.com`);
    expect(loc.pathname).toBe(`/fleetgate-exports/${key}`);
    expect(loc.searchParams.get("X-Amz-Expires")).toBe("300");
  });
});
