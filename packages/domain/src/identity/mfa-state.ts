/**
 * The MFA state read in the same statement as an identity row (access-token authentication),
 * remembered with that row object: the row lives for one request, so `ownUserView` can answer
 * `GET /users/me` from it without a second D1 read. A row read any other way has no entry.
 */
const readWith = new WeakMap<object, boolean>();

export function rememberMfaState(row: object, enabled: boolean): void {
  readWith.set(row, enabled);
}

/** The MFA state read together with `row`, if it was. */
export function mfaStateReadWith(row: object): boolean | undefined {
  return readWith.get(row);
}
