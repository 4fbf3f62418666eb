// @peculiar/x509 resolves its algorithm providers through tsyringe, which needs the
// Reflect metadata API when the module is evaluated: this side-effect import stays first.
import "reflect-metadata";
import { webcrypto } from "node:crypto";
import * as x509 from "@peculiar/x509";

x509.cryptoProvider.set(webcrypto);

/** The @peculiar/x509 namespace, initialised with Node's WebCrypto. Import x509 only from here. */
export { x509 };
