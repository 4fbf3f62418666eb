import { type CommandDef, defineCommand } from "citty";
import type { App } from "../app";
import { VERSION } from "../version";
import { apiCmd } from "./api.command";
import { audit } from "./audit.command";
import { context, login, logout, whoami } from "./auth.command";
import { ca, certs } from "./certs.command";
import { checks } from "./checks.command";
import { ci } from "./ci.command";
import { completion } from "./completion.command";
import { doctor } from "./doctor.command";
import { enroll } from "./enroll.command";
import { exportsCmd } from "./exports.command";
import { hosts } from "./hosts.command";
import { issuers } from "./issuers.command";
import { jobs } from "./jobs.command";
import { patch } from "./patch.command";
import { reports, status } from "./reports.command";
import { run } from "./run.command";
import { scripts } from "./scripts.command";
import { tokens, users } from "./users.command";
import { windows } from "./windows.command";

/** The `fleetgate` command tree (noun verb, plus a few top-level verbs). */
export function buildCommands(app: App): CommandDef {
  const root: CommandDef = defineCommand({
    meta: { name: "fleetgate", version: VERSION, description: "Operate a Fleetgate control plane" },
    subCommands: {
      login: login(app),
      logout: logout(app),
      whoami: whoami(app),
      context: context(app),
      hosts: hosts(app),
      enroll: enroll(app),
      certs: certs(app),
      ca: ca(app),
      scripts: scripts(app),
      run: run(app),
      jobs: jobs(app),
      patch: patch(app),
      windows: windows(app),
      checks: checks(app),
      reports: reports(app),
      status: status(app),
      exports: exportsCmd(app),
      audit: audit(app),
      users: users(app),
      tokens: tokens(app),
      issuers: issuers(app),
      ci: ci(app),
      api: apiCmd(app),
      completion: completion(app, () => root),
      doctor: doctor(app),
    },
  });
  return root;
}
