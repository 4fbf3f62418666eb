import { Hono } from "hono";
import type { AppEnv } from "./context";
import { allowedMethods, dialectOf, mountDialects } from "./dialects";
import { CommonError } from "./lib/http-errors";
import { limitBody } from "./middleware/body-limit";
import { execExactTarget } from "./middleware/exec-exact-target";
import { requestContext } from "./middleware/request-context";

/** The control plane's HTTP application: four faces on one domain model (DESIGN.md), mounted from one table. */
export const app = new Hono<AppEnv>({ strict: true });

app.use("*", requestContext);
app.use("*", limitBody);
app.use("*", execExactTarget);

mountDialects(app);

app.notFound((c) => {
  const face = dialectOf(c.req.path);
  const allowed = allowedMethods(face, c.req.path);
  if (allowed.length > 0) {
    c.header("Allow", allowed.join(", "));
    return face.render(c, new CommonError("method_not_allowed", "Method not allowed"));
  }
  return face.render(c, new CommonError("not_found", "Not found"));
});

app.onError((err, c) => dialectOf(c.req.path).render(c, err));
