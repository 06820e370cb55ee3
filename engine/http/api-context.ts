/**
 * Everything the HTTP routes may use, handed over by engine.ts. Route modules take this and nothing
 * else from the engine, so each can be read (and tested) on its own.
 */
import type { AuditLog } from '../audit/audit-log.ts';
import type { ApiTokenStore } from '../auth/api-tokens.ts';
import type { RefreshTokenStore } from '../auth/refresh-tokens.ts';
import type { UserStore } from '../auth/users.ts';
import type { ChannelManager } from '../channels/channel-manager.ts';
import type { EngineConfig } from '../config/types.ts';
import type { SqlClient } from '../db/sql.ts';
import type { DicomIndex } from '../dicom/dicom-index.ts';
import type { DicomRouting } from '../dicom/routing/dicom-routing.ts';
import type { StoredInstanceInfo } from '../dicom/store-instance.ts';
import type { InProcessDispatcher } from '../dispatch/in-process-dispatcher.ts';
import type { EngineEvents } from '../events/engine-events.ts';
import type { Hl7IngestDeps } from '../ingest/hl7-ingest.ts';
import type { Logger } from '../log/logger.ts';
import type { ObjectStore } from '../objects/object-store.ts';
import type { SqlMessageStore } from '../store/sql-message-store.ts';

export interface ListenerState {
  readonly name: string;
  readonly kind: 'mllp' | 'http';
  readonly host: string;
  readonly port: number;
  readonly tls: boolean;
  readonly listening: boolean;
  readonly openConnections: number;
  readonly lastMessageAt: Date | null;
}

export interface ReadyState {
  readonly ready: boolean;
  readonly checks: Record<string, boolean>;
}

export interface ApiContext {
  readonly config: EngineConfig;
  readonly logger: Logger;
  readonly db: SqlClient;
  readonly store: SqlMessageStore;
  readonly channels: ChannelManager;
  readonly dispatcher: InProcessDispatcher;
  readonly audit: AuditLog;
  readonly users: UserStore;
  readonly apiTokens: ApiTokenStore;
  readonly refreshTokens: RefreshTokenStore;
  /** HS256 key for access tokens. */
  readonly signingKey: Uint8Array;
  readonly events: EngineEvents;
  /** Same ingest path as the MLLP listeners (group commit, dedup, ACK after commit). */
  readonly ingest: Hl7IngestDeps;
  /** DICOM objects as received (WADO-RS reads them back byte for byte). */
  readonly objects: ObjectStore;
  readonly dicomIndex: DicomIndex;
  /** The C-STORE handler (object store, then index): STOW-RS stores through it too. */
  readonly storeDicom: (bytes: Buffer, info: StoredInstanceInfo) => Promise<void>;
  /** DICOM channels and their delivery queues. */
  readonly dicomRouting: DicomRouting;
  ready(): Promise<ReadyState>;
  listeners(): ListenerState[];
  /** Re-reads channels/ and deploys what changed; problems keep the running set. */
  reloadChannels(): Promise<{ ok: boolean; problems: string }>;
  reprocess(messageId: string): Promise<{ ok: boolean; message: string }>;
}
