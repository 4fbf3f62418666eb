export * from "./ca.service";
export * from "./certificate-liveness";
export * from "./certificates.service";
export * from "./crl.service";
export * from "./enrollment-keys.service";
export * from "./enrollments.service";
export * from "./renewal.service";
export * from "./self-enrollment.service";
