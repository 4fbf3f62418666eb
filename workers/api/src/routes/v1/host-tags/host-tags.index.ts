import { operation, routerOf } from "../../../lib/route-set";
import * as h from "./host-tags.handlers";
import * as r from "./host-tags.routes";

/** Mounted at /hosts: the admin-assigned tags that job and discovery targeting select on. */
export const hostTagsRouter = routerOf(operation(r.setTags, h.setTags));
