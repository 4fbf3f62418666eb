import { Hono } from "hono";
import type { AppEnv } from "./context";
import { type Face, type FaceName, faceOf } from "./lib/face";
import { CommonError } from "./lib/http-errors";
import { RouteTable } from "./lib/route-table";
import { limitBody } from "./middleware/body-limit";
import { requestContext } from "./middleware/request-context";
import { agent } from "./routes/agent/index";
import { renderExec } from "./routes/exec/errors";
import { exec } from "./routes/exec/index";
import { filesRouter } from "./routes/files/files.index";
import { renderNative } from "./routes/v1/errors";
import { healthRouter } from "./routes/v1/health/health.index";
import { v1 } from "./routes/v1/index";
import { jwksRouter } from "./routes/v1/jwks";
import { renderZentral } from "./routes/zentral/errors";
import { zentral } from "./routes/zentral/index";
import { cacertsRouter } from "./routes/ziti/enroll/enroll.index";
import { renderZiti } from "./routes/ziti/errors";
import { ziti } from "./routes/ziti/index";

/** The control plane's HTTP application: four faces on one domain model (DESIGN.md). */
export const app = new Hono<AppEnv>({ strict: true });

app.use("*", requestContext);
app.use("*", limitBody);

app.route("/api/v1", v1);
app.route("/agent/v1", agent);
app.route("/", healthRouter);
app.route("/", jwksRouter);
app.route("/edge/client/v1", ziti);
app.route("/", cacertsRouter);
app.route("/api", zentral);
app.route("/files", filesRouter);
app.route("/", exec);

const faces: Record<FaceName, Face> = {
  native: { name: "native", render: renderNative, allowedMethods: prefixed(v1, "/api/v1") },
  ziti: { name: "ziti", render: renderZiti, allowedMethods: prefixed(ziti, "/edge/client/v1") },
  exec: { name: "exec", render: renderExec, allowedMethods: () => [] },
  zentral: { name: "zentral", render: renderZentral, allowedMethods: prefixed(zentral, "/api") },
};

function prefixed(router: Hono<AppEnv>, prefix: string) {
  const table = new RouteTable(router as unknown as Hono<never>);
  return (path: string) => (path.startsWith(prefix) ? table.allowedMethods(path.slice(prefix.length) || "/") : []);
}

app.notFound((c) => {
  const face = faces[faceOf(c.req.path)];
  const allowed = face.allowedMethods(c.req.path);
  if (allowed.length > 0) {
    c.header("Allow", allowed.join(", "));
    return face.render(c, new CommonError("method_not_allowed", "Method not allowed"));
  }
  return face.render(c, new CommonError("not_found", "Not found"));
});

app.onError((err, c) => faces[faceOf(c.req.path)].render(c, err));
