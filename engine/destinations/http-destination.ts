import type { Payload } from '../channels/transform.ts';
import type { DestinationSpec } from '../channels/types.ts';
import type { DeliveryOutcome, Destination } from './types.ts';

type HttpSpec = Extract<DestinationSpec, { type: 'http' }>;

/** The response kept on success: the status line and the first 2 KB of the body. */
const RESPONSE_BODY_LIMIT = 2048;

class DeliveryTimeout extends Error {}

/**
 * POSTs or PUTs each payload with its content type through Node's fetch. 2xx is delivered; 408, 429, 5xx,
 * network errors and timeouts are transient; other 4xx and 3xx are permanent (the request itself is wrong,
 * or the URL moved: an operator must change the channel).
 *
 * Error texts name the status and the URL without credentials or query (it may hold a token), never a
 * header, and not the response body: error texts are logged above debug level, where PHI may not go.
 */
export function createHttpDestination(spec: HttpSpec): Destination {
  const url = URL.canParse(spec.url) ? new URL(spec.url) : null;
  const where = url ? `${spec.method} ${url.origin}${url.pathname}` : spec.method;
  const configError =
    url === null
      ? 'http destination: the URL is invalid'
      : url.username !== '' || url.password !== ''
        ? 'http destination: credentials in the URL are not supported, use an Authorization header'
        : null;
  const inFlight = new Set<Promise<DeliveryOutcome>>();
  let stopped = false;

  const send = async (payload: Payload): Promise<DeliveryOutcome> => {
    if (configError !== null) return { ok: false, error: configError, errorClass: 'permanent' };
    if (stopped) return { ok: false, error: `${where}: destination stopped`, errorClass: 'transient' };
    const headers = new Headers(spec.headers);
    if (!headers.has('content-type')) headers.set('content-type', payload.contentType);
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new DeliveryTimeout()), spec.timeoutMs);
    let response: Response;
    try {
      response = await fetch(spec.url, {
        method: spec.method,
        headers,
        body: payload.body,
        signal: controller.signal,
        // Following a redirect could turn the POST into a GET and lose the body.
        redirect: 'manual',
      });
    } catch (err) {
      clearTimeout(timer);
      if (controller.signal.aborted) {
        return {
          ok: false,
          error: `${where}: no response within ${spec.timeoutMs} ms`,
          errorClass: 'transient',
        };
      }
      return { ok: false, error: `${where}: ${networkErrorText(err)}`, errorClass: 'transient' };
    }
    // The status decides the outcome; a body cut short by the timeout is still the answer we got.
    const body = await readPrefix(response, RESPONSE_BODY_LIMIT);
    clearTimeout(timer);
    return classify(response, body, where);
  };

  return {
    name: spec.name,
    type: 'http',
    start: async () => {
      stopped = false;
    },
    stop: async () => {
      stopped = true;
      await Promise.allSettled([...inFlight]);
    },
    deliver: (payload) => {
      const pending = send(payload);
      inFlight.add(pending);
      void pending.finally(() => inFlight.delete(pending));
      return pending;
    },
  };
}

function classify(response: Response, body: string, where: string): DeliveryOutcome {
  const { status } = response;
  const statusLine = `${status}${response.statusText ? ` ${response.statusText}` : ''}`;
  if (status >= 200 && status < 300) {
    return { ok: true, response: body === '' ? statusLine : `${statusLine}\n${body}` };
  }
  const retryAfter = response.headers.get('retry-after');
  const error = `${where} answered ${statusLine}${retryAfter ? ` (Retry-After: ${retryAfter})` : ''}`;
  const transient = status === 408 || status === 429 || status >= 500;
  return { ok: false, error, errorClass: transient ? 'transient' : 'permanent' };
}

/** Reads at most `limit` bytes, then cancels the rest so the connection goes back to the pool. */
async function readPrefix(response: Response, limit: number): Promise<string> {
  if (response.body === null) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < limit) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } catch {
    // A body cut short (timeout, reset) after the status arrived: keep what came.
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(chunks).subarray(0, limit).toString('utf8');
}

/** fetch says only "fetch failed"; the cause holds the code (ECONNREFUSED, ENOTFOUND, UND_ERR_SOCKET...). */
function networkErrorText(err: unknown): string {
  const cause = err instanceof Error ? err.cause : undefined;
  if (cause instanceof Error) {
    const code = (cause as NodeJS.ErrnoException).code ?? '';
    return cause.message.includes(code) ? cause.message : `${code} ${cause.message}`.trim();
  }
  return err instanceof Error ? err.message : String(err);
}
