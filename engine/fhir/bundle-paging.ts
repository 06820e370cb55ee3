/**
 * Paging of searchset and history Bundles: opaque continuation tokens (the `_cursor` parameter of
 * the `next` link) and the absolute self/next link URLs. Paging is keyset, not offset: a search page
 * continues after the last id it returned, a history page below the last version, so a page costs
 * the same however deep it is and resources written meanwhile never shift a page.
 */

export const CURSOR_PARAM = '_cursor';

/** Where the next page starts. */
export type PageCursor =
  | { readonly kind: 'search'; readonly afterId: string }
  | { readonly kind: 'history'; readonly beforeVersion: number };

export class CursorError extends Error {
  constructor() {
    super(`${CURSOR_PARAM} is not a continuation token this server issued (take it from a next link)`);
  }
}

const ID = /^[A-Za-z0-9\-.]{1,64}$/;

export function encodeCursor(cursor: PageCursor): string {
  const payload = cursor.kind === 'search' ? { s: cursor.afterId } : { h: cursor.beforeVersion };
  return Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
}

/** The cursor in `token`, which must be of `kind` (a history token does not page a search). */
export function decodeCursor(token: string, kind: PageCursor['kind']): PageCursor {
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(token)) throw new CursorError();
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw new CursorError();
  }
  const p = (payload ?? {}) as { s?: unknown; h?: unknown };
  if (kind === 'search' && typeof p.s === 'string' && ID.test(p.s)) return { kind, afterId: p.s };
  if (kind === 'history' && typeof p.h === 'number' && Number.isInteger(p.h) && p.h > 1) {
    return { kind, beforeVersion: p.h };
  }
  throw new CursorError();
}

export interface BundleLink {
  readonly relation: 'self' | 'next';
  readonly url: string;
}

/**
 * self: `path` with the parameters in effect; next (when `next` is given): the same parameters
 * with `_cursor` replaced by the token for `next`.
 */
export function pageLinks(
  base: string,
  path: string,
  params: readonly (readonly [string, string])[],
  next: PageCursor | null,
): BundleLink[] {
  const url = (pairs: readonly (readonly [string, string])[]): string => {
    const query = new URLSearchParams(pairs.map(([k, v]): [string, string] => [k, v])).toString();
    return query === '' ? `${base}/${path}` : `${base}/${path}?${query}`;
  };
  const links: BundleLink[] = [{ relation: 'self', url: url(params) }];
  if (next) {
    const kept = params.filter(([name]) => name !== CURSOR_PARAM);
    links.push({ relation: 'next', url: url([...kept, [CURSOR_PARAM, encodeCursor(next)]]) });
  }
  return links;
}
