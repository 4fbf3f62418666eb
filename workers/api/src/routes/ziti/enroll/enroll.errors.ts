import { CsrRefused, DomainError, EnrollError, type EnrollFailure } from "@fleetgate/domain";
import { ZitiError } from "../errors";

const BY_REASON: Record<EnrollFailure, () => ZitiError> = {
  invalid_token: () => new ZitiError(400, "INVALID_ENROLLMENT_TOKEN", "The supplied token is not valid"),
  expired: () => new ZitiError(400, "ENROLLMENT_EXPIRED", "The enrollment has expired"),
  wrong_method: () => new ZitiError(400, "INVALID_ENROLL_METHOD", "The enrollment method requested is invalid"),
  already_enrolled: () =>
    new ZitiError(410, "INVALID_ENROLLMENT_ALREADY_ENROLLED", "The enrollment has already been completed"),
  missing_or_invalid_csr: () => new ZitiError(400, "MISSING_OR_INVALID_CSR", "The supplied CSR is missing or invalid"),
  could_not_process_csr: () => new ZitiError(400, "COULD_NOT_PROCESS_CSR", "The supplied CSR could not be processed"),
};

/** Enrollment failures in the Ziti registry's codes (ziti-edge-client.md §3 "Enrollment"). */
export function toZitiEnrollError(err: unknown): unknown {
  if (err instanceof EnrollError) return BY_REASON[err.reason]();
  if (err instanceof CsrRefused) {
    return err.reason === "malformed" ? BY_REASON.missing_or_invalid_csr() : BY_REASON.could_not_process_csr();
  }
  if (err instanceof DomainError && err.code === "weak_password") {
    return new ZitiError(
      400,
      "COULD_NOT_VALIDATE",
      "The supplied request contains an invalid document",
      { field: "password", reason: err.message, value: null },
      err.message,
    );
  }
  return err;
}
