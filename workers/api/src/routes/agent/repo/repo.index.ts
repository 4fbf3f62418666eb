import { operation as op, routerOf } from "../../../lib/route-set";
import {
  aptMetadataHandler,
  aptPackageHandler,
  repoKeyHandler,
  yumMetadataHandler,
  yumPackageHandler,
} from "./repo.handlers";
import { aptMetadata, aptPackage, repoKey, yumMetadata, yumPackage } from "./repo.routes";

/** `/agent/v1/repo/...`: the signed apt and yum repository of the agent packages (public). */
export const repoRouter = routerOf(
  op(repoKey, repoKeyHandler),
  op(aptMetadata, aptMetadataHandler),
  op(aptPackage, aptPackageHandler),
  op(yumMetadata, yumMetadataHandler),
  op(yumPackage, yumPackageHandler),
);
