/**
 * The routing decision, made inside the C-STORE index transaction: which enabled DICOM channels take
 * the instance (their rules, compiled once), and one queued row per enabled destination of each. A
 * C-STORE success thus means every forward it triggers is durable; a crash after the answer loses
 * nothing. When no channel matches, no statement is run at all (and the handler needs no transaction).
 */
import type { SqlQueryable } from '../../db/sql.ts';
import type { ParsedInstance } from '../parse-part10.ts';
import type { DicomDeliveryStore, NewDicomDelivery } from './dicom-delivery-store.ts';
import type { DicomChannelSpec } from './routing-types.ts';
import { compileRules, type RulePredicate } from './rules.ts';

export interface RoutingContext {
  readonly objectKey: string;
  readonly callingAe: string;
}

/** What was queued, by queue key (`channel/destination`), for the kick after the commit. */
export type QueuedRoutes = readonly string[];

/** The deliveries one instance gets: decided before the index transaction, written inside it. */
export interface RoutePlan {
  readonly rows: readonly NewDicomDelivery[];
}

/** The C-STORE handler's hook (engine/dicom/store-instance.ts). */
export interface DicomRoutingHook {
  /**
   * Which channel destinations take the instance (pure: rules only); null when none does, and then
   * the handler indexes the instance in one statement without a transaction around it.
   */
  plan(parsed: ParsedInstance, ctx: RoutingContext): RoutePlan | null;
  /** Writes the planned deliveries in the index transaction `tx`. */
  queue(tx: SqlQueryable, plan: RoutePlan): Promise<QueuedRoutes>;
  /** After the commit: wake the queues that got rows. */
  queued(routes: QueuedRoutes): void;
}

interface CompiledChannel {
  readonly id: string;
  readonly matches: RulePredicate;
  readonly destinations: readonly { readonly name: string; readonly maxAttempts: number }[];
}

export const queueKey = (channelId: string, destination: string): string => `${channelId}/${destination}`;

export function compileChannels(specs: readonly DicomChannelSpec[]): CompiledChannel[] {
  return specs
    .filter((c) => c.enabled && c.destinations.some((d) => d.enabled))
    .map((c) => ({
      id: c.id,
      matches: compileRules(c.rules),
      destinations: c.destinations
        .filter((d) => d.enabled)
        .map((d) => ({ name: d.name, maxAttempts: d.retry.maxAttempts })),
    }));
}

export function createDicomRouter(
  specs: readonly DicomChannelSpec[],
  store: DicomDeliveryStore,
  onQueued: (routes: QueuedRoutes) => void,
): DicomRoutingHook {
  const channels = compileChannels(specs);
  return {
    plan(parsed, ctx) {
      if (channels.length === 0) return null;
      const input = {
        callingAe: ctx.callingAe,
        modality: parsed.keys.modality,
        sopClassUid: parsed.keys.sopClassUid,
        dataset: parsed.json,
      };
      const rows: NewDicomDelivery[] = [];
      for (const channel of channels) {
        if (!channel.matches(input)) continue;
        for (const d of channel.destinations) {
          rows.push({
            channelId: channel.id,
            destination: d.name,
            sopInstanceUid: parsed.keys.sopInstanceUid,
            studyInstanceUid: parsed.keys.studyInstanceUid,
            objectKey: ctx.objectKey,
            maxAttempts: d.maxAttempts,
          });
        }
      }
      return rows.length === 0 ? null : { rows };
    },
    async queue(tx, plan) {
      await store.queue(tx, plan.rows);
      return plan.rows.map((r) => queueKey(r.channelId, r.destination));
    },
    queued: onQueued,
  };
}
