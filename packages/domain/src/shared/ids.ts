/** RFC 4122 v4 UUID (lowercase). */
export const newId = () => crypto.randomUUID();

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;
/** True for a well-formed UUID; callers check before touching D1. */
export const isUuid = (s: string) => UUID.test(s);
