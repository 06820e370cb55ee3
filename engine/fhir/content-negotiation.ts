/**
 * Which JSON media type a FHIR response goes out as (http://hl7.org/fhir/R4/http.html#mime-type):
 * application/fhir+json, or application/json for a client that asks only for that. `_format`
 * overrides Accept. XML (and anything else not JSON) is not served: null, answered 406.
 */

export const FHIR_JSON_TYPE = 'application/fhir+json; charset=utf-8';
export const PLAIN_JSON_TYPE = 'application/json; charset=utf-8';

const FHIR_MEDIA = new Set(['application/fhir+json', 'application/json+fhir']);
const FORMAT_ALIASES: Readonly<Record<string, string>> = {
  json: FHIR_JSON_TYPE,
  'application/fhir+json': FHIR_JSON_TYPE,
  'application/json+fhir': FHIR_JSON_TYPE,
  'application/json': PLAIN_JSON_TYPE,
};

/** Media ranges of an Accept header, without parameters, leaving out those with q=0. */
function mediaRanges(accept: string): string[] {
  return accept
    .split(',')
    .map((part) => part.split(';').map((s) => s.trim().toLowerCase()))
    .filter(([range, ...params]) => range !== '' && !params.some((p) => /^q=0(\.0*)?$/.test(p)))
    .map(([range]) => range!);
}

export function negotiateFhirJson(accept: string | undefined, format: string | undefined): string | null {
  if (format !== undefined && format !== '') {
    // A `+` left unencoded in the query string arrives as a space.
    return FORMAT_ALIASES[format.trim().toLowerCase().replace(/ /g, '+')] ?? null;
  }
  if (accept === undefined || accept.trim() === '') return FHIR_JSON_TYPE;
  const ranges = mediaRanges(accept);
  if (ranges.some((r) => FHIR_MEDIA.has(r))) return FHIR_JSON_TYPE;
  if (ranges.includes('application/json')) return PLAIN_JSON_TYPE;
  if (ranges.some((r) => r === '*/*' || r === 'application/*' || r.endsWith('+json'))) return FHIR_JSON_TYPE;
  return null;
}
