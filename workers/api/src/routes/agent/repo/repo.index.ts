import { createRouter } from "../../../lib/router";
import {
  aptMetadataHandler,
  aptPackageHandler,
  repoKeyHandler,
  yumMetadataHandler,
  yumPackageHandler,
} from "./repo.handlers";
import { aptMetadata, aptPackage, repoKey, yumMetadata, yumPackage } from "./repo.routes";

/** `/agent/v1/repo/...`: the signed apt and yum repository of the agent packages (public). */
export const repoRouter = createRouter()
  .openapi(repoKey, repoKeyHandler)
  .openapi(aptMetadata, aptMetadataHandler)
  .openapi(aptPackage, aptPackageHandler)
  .openapi(yumMetadata, yumMetadataHandler)
  .openapi(yumPackage, yumPackageHandler);
