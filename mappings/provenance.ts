/**
 * MSH -> MessageHeader and Provenance, added to the output of every mapping in one place (called
 * by `mapMessage` in index.ts), so every resource a mapping writes is traceable to its source
 * message. Follows "HL7 Message - FHIR R4_ ADT_A01" (and ORM_O01, ORU_R01) MSH rows:
 * MessageHeader[1] via "MSH[MessageHeader]", Provenance via "MSH[Provenance-Source]" and
 * "MSH[Provenance-Transformation]" — merged into ONE Provenance (see mappings/README.md):
 *
 * MessageHeader (MSH[MessageHeader]):
 *   MSH-9    -> eventCoding (v2-0003 trigger event; display the MSG as sent)
 *   MSH-3    -> source.name, source.endpoint (HD as URI; data-absent "unknown" when MSH-3 is empty)
 *   MSH-4    -> sender (Organization, logical reference by HD)
 *   MSH-5    -> destination[1].name, .endpoint;  MSH-6 -> destination[1].receiver
 *   MSH-11   -> meta.tag (v2-0103 processing id)
 * Provenance (MSH[Provenance-Source] + MSH[Provenance-Transformation]):
 *   target   -> every other entry of the Bundle (fullUrl), MessageHeader included
 *   MSH-7    -> recorded (instant) and occurredDateTime
 *   MSH-9    -> activity.text; activity.coding v3-DataOperation UPDATE (conditional updates)
 *   MSH-4    -> agent[1] "author" (MSH-3 when MSH-4 is empty); agent[2] "assembler" Switchboard
 *   message  -> entity[1] role "source": the stored message (logical reference by message id)
 *
 * Identity: both resources are `PUT Type/<id>` with ids derived from MSH-3, MSH-4 and MSH-10
 * (sender + control id): a resend or reprocess of the message updates them instead of adding new
 * ones (MessageHeader and Provenance have no `identifier` to key a conditional update on). When
 * MSH-10 is empty, the engine's message id stands in, with a warning.
 */
import type { BundleEntry, Coding, FhirBundle, FhirResource, Reference } from '../engine/fhir/types.ts';
import { uuidV5 } from '../engine/fhir/ids.ts';
import type { Hl7Message } from '../engine/hl7/message.ts';
import { parseDtm } from './datatypes/dtm.ts';
import { fieldPath, fieldValue } from './datatypes/field.ts';
import type { Hl7Value } from './datatypes/value.ts';
import type { Hd } from './identifier-systems.ts';
import { defaultTimezone } from './options.ts';
import type { MappingContext } from './types.ts';
import { V2_TABLE_SYSTEM } from './vocabulary/tables.ts';

const MSH = {
  sendingApplication: fieldPath('MSH-3'),
  sendingFacility: fieldPath('MSH-4'),
  receivingApplication: fieldPath('MSH-5'),
  receivingFacility: fieldPath('MSH-6'),
  time: fieldPath('MSH-7'),
  messageType: fieldPath('MSH-9'),
  controlId: fieldPath('MSH-10'),
  processingId: fieldPath('MSH-11'),
} as const;

/** System of the logical reference from Provenance.entity to the engine's stored message. */
export const SOURCE_MESSAGE_SYSTEM = 'urn:switchboard:message';
const DATA_ABSENT = 'http://hl7.org/fhir/StructureDefinition/data-absent-reason';
const PARTICIPANT_TYPE = 'http://terminology.hl7.org/CodeSystem/provenance-participant-type';
const DATA_OPERATION = 'http://terminology.hl7.org/CodeSystem/v3-DataOperation';

/** A whole HD field (MSH-3..6): HD.1..HD.3 are its components. */
const hdOf = (value: Hl7Value): Hd => ({
  namespaceId: value.get(1),
  universalId: value.get(2),
  universalIdType: value.get(3),
});

const hdValued = (hd: Hd): boolean => hd.namespaceId !== '' || hd.universalId !== '';
const hdText = (hd: Hd): string => [hd.namespaceId, hd.universalId, hd.universalIdType].join('^');

/** An HD as a logical Organization/Device reference: identifier by its URI, display its name. */
function hdReference(hd: Hd, type: string, ctx: MappingContext): Reference {
  const system = ctx.identifierSystems.resolve(hd);
  const ref: Reference = { type };
  if (system !== undefined) ref.identifier = { system: 'urn:ietf:rfc:3986', value: system };
  if (hd.namespaceId !== '') ref.display = hd.namespaceId;
  return ref;
}

/** `url` elements that R4 requires (source/destination endpoint): the HD's URI, else data-absent. */
function endpoint(hd: Hd, ctx: MappingContext): { endpoint?: string; _endpoint?: object } {
  const uri = hdValued(hd) ? ctx.identifierSystems.resolve(hd) : undefined;
  return uri !== undefined
    ? { endpoint: uri }
    : { _endpoint: { extension: [{ url: DATA_ABSENT, valueCode: 'unknown' }] } };
}

/** MSH-7 as an R4 `instant` (seconds and zone required): missing parts padded, zone defaulted. */
function instant(text: string, tz: string): string | undefined {
  const p = parseDtm(text);
  if (!p) return undefined;
  const fraction = p.fraction !== undefined ? `.${p.fraction}` : '';
  const date = `${p.year}-${p.month ?? '01'}-${p.day ?? '01'}`;
  return `${date}T${p.hour ?? '00'}:${p.minute ?? '00'}:${p.second ?? '00'}${fraction}${p.offset ?? tz}`;
}

/** MSH-7 as an R4 `dateTime` with the sender's precision. */
function dateTime(text: string, tz: string): string | undefined {
  const p = parseDtm(text);
  if (!p) return undefined;
  const date = [p.year, p.month, p.day].filter((x) => x !== undefined).join('-');
  if (p.hour === undefined) return date;
  const fraction = p.fraction !== undefined ? `.${p.fraction}` : '';
  return `${date}T${p.hour}:${p.minute ?? '00'}:${p.second ?? '00'}${fraction}${p.offset ?? tz}`;
}

function messageTypeText(msg: Hl7Value): string {
  return [msg.get(1), msg.get(2), msg.get(3)].filter((c) => c !== '').join('^');
}

function eventCoding(msg: Hl7Value): Coding {
  const display = messageTypeText(msg);
  const trigger = msg.get(2);
  // MSH-9 -> eventCoding: table 0003 (event type) is the trigger; without one, table 0076 (message type).
  return trigger !== ''
    ? { system: V2_TABLE_SYSTEM('0003'), code: trigger, display }
    : { system: V2_TABLE_SYSTEM('0076'), code: msg.get(1), display };
}

function entry(resource: FhirResource & { id: string }): BundleEntry {
  return {
    fullUrl: `urn:uuid:${resource.id}`,
    resource,
    request: { method: 'PUT', url: `${resource.resourceType}/${resource.id}` },
  };
}

function messageHeader(message: Hl7Message, ctx: MappingContext, id: string): FhirResource & { id: string } {
  const sendingApp = hdOf(fieldValue(message, MSH.sendingApplication));
  const sendingFacility = hdOf(fieldValue(message, MSH.sendingFacility));
  const receivingApp = hdOf(fieldValue(message, MSH.receivingApplication));
  const receivingFacility = hdOf(fieldValue(message, MSH.receivingFacility));
  const header: FhirResource & { id: string } = { resourceType: 'MessageHeader', id };
  const processing = fieldValue(message, MSH.processingId).get(1);
  if (processing !== '') header.meta = { tag: [{ system: V2_TABLE_SYSTEM('0103'), code: processing }] };
  header.eventCoding = eventCoding(fieldValue(message, MSH.messageType));
  if (hdValued(receivingApp) || hdValued(receivingFacility)) {
    header.destination = [
      {
        ...(receivingApp.namespaceId !== '' && { name: receivingApp.namespaceId }),
        ...endpoint(receivingApp, ctx),
        ...(hdValued(receivingFacility) && { receiver: hdReference(receivingFacility, 'Organization', ctx) }),
      },
    ];
  }
  if (hdValued(sendingFacility)) header.sender = hdReference(sendingFacility, 'Organization', ctx);
  header.source = {
    ...(sendingApp.namespaceId !== '' && { name: sendingApp.namespaceId }),
    ...endpoint(sendingApp, ctx),
  };
  return header;
}

function provenance(
  message: Hl7Message,
  ctx: MappingContext,
  mappingName: string,
  id: string,
  targets: readonly string[],
  warnings: string[],
): FhirResource & { id: string } {
  const tz = defaultTimezone(ctx.options);
  const sendingApp = hdOf(fieldValue(message, MSH.sendingApplication));
  const sendingFacility = hdOf(fieldValue(message, MSH.sendingFacility));
  const msg = fieldValue(message, MSH.messageType);
  const rawTime = fieldValue(message, MSH.time).get(1);
  const prov: FhirResource & { id: string } = {
    resourceType: 'Provenance',
    id,
    target: targets.map((reference) => ({ reference })),
  };
  const occurred = dateTime(rawTime, tz);
  const recorded = instant(rawTime, tz);
  if (occurred !== undefined && recorded !== undefined) {
    prov.occurredDateTime = occurred;
    prov.recorded = recorded;
  } else {
    // recorded is 1..1 and must be deterministic: no clock time, the absence is stated instead.
    prov._recorded = { extension: [{ url: DATA_ABSENT, valueCode: 'unknown' }] };
    warnings.push('MSH-7 is not a valid DTM: Provenance.recorded is data-absent');
  }
  prov.activity = {
    coding: [{ system: DATA_OPERATION, code: 'UPDATE', display: 'revise' }],
    text: messageTypeText(msg),
  };
  const author = hdValued(sendingFacility)
    ? hdReference(sendingFacility, 'Organization', ctx)
    : hdValued(sendingApp)
      ? hdReference(sendingApp, 'Device', ctx)
      : undefined;
  const agentType = (code: string, display: string) => ({
    coding: [{ system: PARTICIPANT_TYPE, code, display }],
  });
  prov.agent = [
    ...(author ? [{ type: agentType('author', 'Author'), who: author }] : []),
    { type: agentType('assembler', 'Assembler'), who: { display: `Switchboard mapping ${mappingName}` } },
  ];
  const controlId = fieldValue(message, MSH.controlId).get(1);
  prov.entity = [
    {
      role: 'source',
      what: {
        identifier: { system: SOURCE_MESSAGE_SYSTEM, value: ctx.messageId },
        display: `HL7 v2 ${messageTypeText(msg)}${controlId !== '' ? ` control id ${controlId}` : ''}`,
      },
    },
  ];
  return prov;
}

/**
 * The mapping's Bundle with a MessageHeader first and a Provenance targeting every entry last.
 * An empty Bundle (a message the mapping does not map) is returned as it is: nothing is written,
 * so there is nothing to trace.
 */
export function withMessageProvenance(
  bundle: FhirBundle,
  message: Hl7Message,
  ctx: MappingContext,
  mappingName: string,
  warnings: string[],
): FhirBundle {
  const entries = bundle.entry ?? [];
  if (entries.length === 0) return bundle;
  const sendingApp = hdOf(fieldValue(message, MSH.sendingApplication));
  const sendingFacility = hdOf(fieldValue(message, MSH.sendingFacility));
  const controlId = fieldValue(message, MSH.controlId).get(1);
  let basis: string;
  if (controlId !== '') {
    basis = `${hdText(sendingApp)}|${hdText(sendingFacility)}|${controlId}`;
  } else {
    basis = `message|${ctx.messageId}`;
    warnings.push('MSH-10 is empty: MessageHeader and Provenance are keyed on the stored message id');
  }
  const header = entry(messageHeader(message, ctx, uuidV5(`MessageHeader|${basis}`)));
  const targets = [header, ...entries].map((e) => e.fullUrl).filter((u): u is string => u !== undefined);
  const prov = entry(provenance(message, ctx, mappingName, uuidV5(`Provenance|${basis}`), targets, warnings));
  return { ...bundle, entry: [header, ...entries, prov] };
}
