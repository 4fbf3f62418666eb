import { createRouter } from "../../lib/router";
import { authenticateRouter } from "./authenticate/authenticate.index";
import { authenticatorsRouter } from "./authenticators/authenticators.index";
import { currentApiSessionRouter } from "./current-api-session/current-api-session.index";
import { currentIdentityRouter } from "./current-identity/current-identity.index";
import { cacertsRouter, enrollRouter } from "./enroll/enroll.index";
import { mfaRouter } from "./mfa/mfa.index";
import { networkRouter } from "./network/network.index";
import { servicesRouter } from "./services/services.index";
import { sessionCertificatesRouter } from "./session-certificates/session-certificates.index";
import { sessionsRouter } from "./sessions/sessions.index";
import { mountSpecs } from "./specs/specs.index";
import { versionRouter } from "./version/version.index";

/** The OpenZiti edge-client face, mounted at /edge/client/v1 (legacy paths are rewritten to it). */
export const ziti = createRouter();
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
mountSpecs(ziti);
ziti.route("/", enrollRouter);
ziti.route("/", cacertsRouter);
