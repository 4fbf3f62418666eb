import { defineCommand } from "citty";
import type { App } from "../app";
import { CliError, EXIT, UsageError } from "../exit-codes";
import { renderList } from "../output";
import { isUuid, resolveHost } from "../selector";
import { certColumns } from "./columns";
import { oneOf } from "./parse";

const STATUSES = ["active", "revoked", "expired"] as const;

const REASONS = [
  "unspecified",
  "keyCompromise",
  "caCompromise",
  "affiliationChanged",
  "superseded",
  "cessationOfOperation",
  "certificateHold",
  "privilegeWithdrawn",
] as const;

/** `fleetgate certs list|revoke`. */
export const certs = (app: App) =>
  defineCommand({
    meta: { name: "certs", description: "Issued certificates: list, revoke" },
    subCommands: {
      list: defineCommand({
        meta: { name: "list", description: "List certificates" },
        args: {
          host: { type: "string", description: "only this host's (id, name or FQDN)" },
          status: { type: "string", description: "active | revoked | expired" },
        },
        async run({ args }) {
          const fg = app.client();
          const hostId = args.host ? (await resolveHost(fg, args.host)).id : undefined;
          const list = await fg.certificates.list({
            ...(hostId ? { host_id: hostId } : {}),
            ...(args.status ? { status: oneOf(args.status, STATUSES, "--status") } : {}),
          });
          app.out(renderList(app.format(), list, list, certColumns));
        },
      }),
      revoke: defineCommand({
        meta: { name: "revoke", description: "Revoke a certificate (by id or serial number)" },
        args: {
          cert: { type: "positional", required: true, description: "certificate id or serial number" },
          reason: {
            type: "string",
            description: "RFC 5280 reason: keyCompromise, superseded, … (default unspecified)",
          },
          "dry-run": { type: "boolean", description: "show what would be revoked" },
        },
        async run({ args }) {
          const reason = oneOf(args.reason, REASONS, "--reason");
          const fg = app.client();
          const all = await fg.certificates.list({ status: "active" });
          const ref = args.cert.toLowerCase().replace(/:/g, "");
          const cert = all.find((c) =>
            isUuid(args.cert) ? c.id === args.cert : c.serial_number.toLowerCase().replace(/:/g, "") === ref,
          );
          if (!cert) throw new CliError(`no active certificate ${args.cert}`, EXIT.notFound);
          app.info(`${args["dry-run"] ? "would revoke" : "revoking"} ${cert.serial_number} (${cert.common_name})`);
          if (args["dry-run"]) return;
          await app.confirm(`Revoke certificate ${cert.serial_number}?`);
          await fg.certificates.revoke(cert.id, reason);
          app.info("revoked");
        },
      }),
    },
  });

/** `fleetgate ca get [--crl]`: the CA chain (or the CRL) as PEM on stdout. */
export const ca = (app: App) =>
  defineCommand({
    meta: { name: "ca", description: "The certificate authority" },
    subCommands: {
      get: defineCommand({
        meta: { name: "get", description: "Print the CA chain (PEM), or the CRL with --crl" },
        args: { crl: { type: "boolean", description: "the current CRL instead" } },
        async run({ args }) {
          if (app.globals.output && app.globals.output !== "table") throw new UsageError("ca get prints PEM only");
          const fg = app.client();
          app.out(args.crl ? await fg.ca.crl() : await fg.ca.chain());
        },
      }),
    },
  });
