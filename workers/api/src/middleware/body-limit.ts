import { bodyLimit } from "hono/body-limit";
import { CommonError } from "../lib/http-errors";

/** Largest request body any face accepts (ctrl-exec.md §2: 1,048,576 bytes). */
export const MAX_BODY_BYTES = 1024 * 1024;

/** Rejects bodies over 1 MiB (by Content-Length or while streaming) with the face's 413. */
export const limitBody = bodyLimit({
  maxSize: MAX_BODY_BYTES,
  onError: () => {
    throw new CommonError("payload_too_large", "Request body too large");
  },
});
