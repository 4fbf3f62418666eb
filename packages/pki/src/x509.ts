// @peculiar/x509 resolves its algorithm providers through tsyringe, which needs the
// Reflect metadata API at module evaluation time. This side-effect import must stay
// first: ES modules evaluate their dependencies in import order.
import "reflect-metadata";
import * as x509 from "@peculiar/x509";

// workerd exposes WebCrypto as the global `crypto`; register it once for the library.
x509.cryptoProvider.set(crypto);

/** The @peculiar/x509 namespace, initialised for WebCrypto. Import x509 only from here. */
export { x509 };
