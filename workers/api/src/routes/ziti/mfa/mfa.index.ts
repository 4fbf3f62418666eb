import { operation as op, routerOf } from "../../../lib/route-set";
import {
  createMfaRecoveryCodesHandler,
  deleteMfaHandler,
  detailMfaHandler,
  detailMfaQrCodeHandler,
  detailMfaRecoveryCodesHandler,
  enrollMfaHandler,
  verifyMfaHandler,
} from "./mfa.handlers";
import {
  createMfaRecoveryCodes,
  deleteMfa,
  detailMfa,
  detailMfaQrCode,
  detailMfaRecoveryCodes,
  enrollMfa,
  verifyMfa,
} from "./mfa.routes";

/** The current identity's TOTP enrollment and its recovery codes. */
export const mfaRouter = routerOf(
  op(detailMfa, detailMfaHandler),
  op(enrollMfa, enrollMfaHandler),
  op(detailMfaQrCode, detailMfaQrCodeHandler),
  op(verifyMfa, verifyMfaHandler),
  op(deleteMfa, deleteMfaHandler),
  op(detailMfaRecoveryCodes, detailMfaRecoveryCodesHandler),
  op(createMfaRecoveryCodes, createMfaRecoveryCodesHandler),
);
