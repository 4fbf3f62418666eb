// Test-only entry point (`@fleetgate/pki/testing`): CSR/cert helpers and OpenSSL-made fixtures.
export * as fixtures from "./fixtures/index";
export { cert, keyPair, makeChain, webCryptoCsr } from "./test-support";
export { x509 } from "./x509";
