export type { CaChain, CaSigner, CreateCaOptions, CreatedCa } from "./ca";
export { createCa, exportPrivateKeyPkcs8, importCaPrivateKey } from "./ca";
export type { CertificateInfo } from "./certificate";
export { certificateInfo, certificatePublicKey, verifyIssuedBy } from "./certificate";
export type { BuildCrlOptions, RevocationReason, RevokedEntry } from "./crl";
export { buildCrl, REVOCATION_REASON_CODES } from "./crl";
export { type CrlInfo, crlInfo } from "./crl-info";
export type { CsrCheckResult, CsrError, CsrKeyAlgorithm, CsrPolicy, ParsedCsr } from "./csr";
export { checkCsr, MAX_COMMON_NAME_LENGTH, MAX_CSR_PEM_BYTES, MAX_SUBJECT_LENGTH, MIN_RSA_BITS } from "./csr";
export type { CertKind, GenerateKeyAndCertificateOptions, IssueCertificateOptions, IssuedCert } from "./issue";
export { generateKeyAndCertificate, issueCertificate, spiffeIdFor } from "./issue";
export { derToPem, pemToDer, splitPemChain } from "./pem";
export { certsOnlyPkcs7, estCacertsBody } from "./pkcs7";
export {
  type CaVerificationError,
  checkCaVerification,
  type ThirdPartyCaInfo,
  thirdPartyCaInfo,
} from "./third-party-ca";
