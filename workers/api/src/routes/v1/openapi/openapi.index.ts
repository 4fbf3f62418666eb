import { type Router, registerSecuritySchemes } from "../../../lib/router";
import { referencePageHandler } from "./openapi.handlers";
import { NATIVE_SECURITY_SCHEMES, nativeDocument } from "./openapi.routes";

/** Serves the generated OpenAPI 3.1 document and a browsable reference page. */
export function mountNativeDocs(v1: Router): void {
  registerSecuritySchemes(v1, NATIVE_SECURITY_SCHEMES);
  v1.doc31("/openapi.json", nativeDocument);
  v1.get("/docs", referencePageHandler);
}
