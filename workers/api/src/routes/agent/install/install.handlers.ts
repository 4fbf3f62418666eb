import type { RouteHandler } from "@hono/zod-openapi";
import type { AppEnv } from "../../../context";
import { publicBase } from "../../../lib/domain-context";
import type { installScript } from "./install.routes";
import { renderInstallScript } from "./install-script";

export const installScriptHandler: RouteHandler<typeof installScript, AppEnv> = (c) =>
  c.body(renderInstallScript(publicBase(c)), 200, {
    "Content-Type": "text/x-shellscript; charset=utf-8",
    // The script names this server's URL, taken from PUBLIC_URL or the request: never shared by caches.
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
  });
