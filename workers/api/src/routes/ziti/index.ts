import { createRouter } from "../../lib/router";
import { authenticateRouter } from "./authenticate/authenticate.index";
import { authenticatorsRouter } from "./authenticators/authenticators.index";
import { controllerHeaders } from "./controller-headers";
import { currentApiSessionRouter } from "./current-api-session/current-api-session.index";
import { currentIdentityRouter } from "./current-identity/current-identity.index";
import { cacertsRouter, enrollRouter } from "./enroll/enroll.index";
import { externalJwtSignersRouter } from "./external-jwt-signers/external-jwt-signers.index";
import { mfaRouter } from "./mfa/mfa.index";
import { networkRouter } from "./network/network.index";
import { servicesRouter } from "./services/services.index";
import { sessionCertificatesRouter } from "./session-certificates/session-certificates.index";
import { sessionsRouter } from "./sessions/sessions.index";
import { specsRouter } from "./specs/specs.index";
import { versionRouter } from "./version/version.index";

/** The OpenZiti edge-client face, mounted at /edge/client/v1 (legacy paths are rewritten to it). */
export const ziti = createRouter();
ziti.use("*", controllerHeaders);
ziti.route("/", versionRouter);
ziti.route("/", authenticateRouter);
ziti.route("/", currentApiSessionRouter);
ziti.route("/", currentIdentityRouter);
ziti.route("/", authenticatorsRouter);
ziti.route("/", mfaRouter);
ziti.route("/", sessionCertificatesRouter);
ziti.route("/", servicesRouter);
ziti.route("/", sessionsRouter);
ziti.route("/", networkRouter);
ziti.route("/", externalJwtSignersRouter);
ziti.route("/", enrollRouter);
ziti.route("/", cacertsRouter);
// Last: the served document lists the face's operations in mount order.
ziti.route(
  "/",
  specsRouter(() => ziti),
);
