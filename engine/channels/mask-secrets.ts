/**
 * A channel spec as the admin API shows it: the same shape, with secrets masked. Channel files pull
 * secrets in with `${env:NAME}` (an HTTP destination's Authorization header, a mapping option holding
 * an API key), and the loaded spec holds them resolved; whoever may view channels must not read them.
 */
export const MASK = '********';

/** Keys whose values are secrets, in any case and with any separator (apiKey, x-api-key, client_secret). */
const SECRET_KEY =
  /pass(word|wd|phrase)?|secret|token|authori[sz]ation|api[-_]?key|credential|cookie|private[-_]?key|signature/i;

export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

/** `https://user:pw@host/x?token=abc` -> `https://user:********@host/x?token=********`. */
function maskUrl(value: string): string {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(value) || !URL.canParse(value)) return value;
  const url = new URL(value);
  let changed = false;
  if (url.password !== '') {
    url.password = MASK;
    changed = true;
  }
  for (const key of [...url.searchParams.keys()]) {
    if (isSecretKey(key)) {
      url.searchParams.set(key, MASK);
      changed = true;
    }
  }
  return changed ? url.toString() : value;
}

/** A deep copy of `value` with every secret-named field's value, and URL credentials, masked. */
export function maskSecrets(value: unknown): unknown {
  if (typeof value === 'string') return maskUrl(value);
  if (Array.isArray(value)) return value.map(maskSecrets);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    out[key] = isSecretKey(key) && v !== null && v !== undefined && v !== '' ? MASK : maskSecrets(v);
  }
  return out;
}
