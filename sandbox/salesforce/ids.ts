/**
 * Salesforce record ids: a 3-character key prefix names the object, the 15-character id is
 * case-sensitive, and the 18-character form appends a 3-character checksum of the letter case.
 */
export const KEY_PREFIXES = {
  Lead: '00Q',
  Contact: '003',
  Account: '001',
  Opportunity: '006',
  Task: '00T',
  Event: '00U',
  User: '005',
  Organization: '00D',
  PermissionSet: '0PS',
  FieldPermissions: '01k',
  PermissionSetAssignment: '0Pa',
  CustomField: '00N',
  QueryCursor: '01g',
  BulkJob: '750',
} as const satisfies Record<string, string>;

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const SUFFIX = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';

/** Appends the case checksum that turns a 15-character id into its 18-character form. */
export function to18(id15: string): string {
  let suffix = '';
  for (let chunk = 0; chunk < 3; chunk += 1) {
    let bits = 0;
    for (let i = 0; i < 5; i += 1) {
      const c = id15.charAt(chunk * 5 + i);
      if (c >= 'A' && c <= 'Z') bits |= 1 << i;
    }
    suffix += SUFFIX.charAt(bits);
  }
  return id15 + suffix;
}

const ID_SHAPE = /^[a-zA-Z0-9]{15}(?:[A-Z0-5]{3})?$/;

/** Returns the canonical 18-character id, or undefined when the text cannot be an id. */
export function normalizeId(text: string): string | undefined {
  if (!ID_SHAPE.test(text)) return undefined;
  const id15 = text.slice(0, 15);
  const id18 = to18(id15);
  if (text.length === 18 && text !== id18) return undefined;
  return id18;
}

/** Issues ids unique within one emulator; the pod code mimics a real instance segment. */
export class IdFactory {
  private counter = 0;

  next(prefix: string): string {
    this.counter += 1;
    let n = this.counter;
    let body = '';
    for (let i = 0; i < 8; i += 1) {
      body = BASE62.charAt(n % 62) + body;
      n = Math.floor(n / 62);
    }
    // prefix(3) + pod "Dn" + reserved "0" + counter → 14 characters; a trailing "A" keeps 15.
    return to18(`${prefix}Dn0${body}A`.slice(0, 15));
  }
}
