import { mappings } from '../mappings/index.ts';
import type { MllpServer } from '../listeners/mllp/server.ts';
import { ChannelManager } from './channels/channel-manager.ts';
import { formatProblems, loadChannels } from './channels/load.ts';
import { createMessageProcessor } from './channels/process-message.ts';
import { watchChannels } from './channels/watch-channels.ts';
import { ConfigError, loadEngineConfig, type EngineConfig } from './config/index.ts';
import { lockDataDir } from './control/data-dir-lock.ts';
import { startControlSocket } from './control/control-socket.ts';
import { openDatabase } from './db/open.ts';
import type { SqlClient } from './db/sql.ts';
import { InProcessDispatcher } from './dispatch/in-process-dispatcher.ts';
import { RecentMessages } from './dispatch/recent-messages.ts';
import { AuditLog } from './audit/audit-log.ts';
import type { AuditAction, AuditDetail } from './audit/types.ts';
import { cliActor } from './audit/os-actor.ts';
import { ApiTokenStore } from './auth/api-tokens.ts';
import { ensureFirstAdmin } from './auth/bootstrap.ts';
import { RefreshTokenStore } from './auth/refresh-tokens.ts';
import { loadOrCreateSigningKey } from './auth/signing-key.ts';
import { UserStore } from './auth/users.ts';
import { EngineEvents } from './events/engine-events.ts';
import { messageProcessedEvent, publishChannelEvents, publishingIngest } from './events/event-sources.ts';
import type { ListenerState } from './http/api-context.ts';
import { createHttpServer } from './http/http-server.ts';
import { startMllpListener } from './ingest/mllp-listener.ts';
import { start as startDicomListener } from '../listeners/dicom/dicom-server.ts';
import { logDicomEvent } from '../listeners/dicom/dicom-event-log.ts';
import { dicomMetricsFor } from './metrics/dicom-metrics.ts';
import { DicomIndex } from './dicom/dicom-index.ts';
import { createFindService } from './dicom/find/find-service.ts';
import { createRetrieveSource } from './dicom/retrieve/retrieve-source.ts';
import { StudyOrderLinker } from './dicom/orders/study-order-linker.ts';
import { ensureStructureDefinitions } from '../mappings/validation/structure-definitions.ts';
import { createDicomStoreHandler } from './dicom/store-instance.ts';
import { DicomRouting } from './dicom/routing/dicom-routing.ts';
import { loadConfiguredDicomChannels } from './dicom/routing/load-dicom-channels.ts';
import type { DicomChannelSpec } from './dicom/routing/routing-types.ts';
import { dicomRoutingMetricsFor } from './metrics/dicom-routing-metrics.ts';
import { openObjectStore } from './objects/open-object-store.ts';
import type { ObjectStore } from './objects/object-store.ts';
import { createLogger, silentLogger, type LogLevel, type Logger } from './log/logger.ts';
import { GroupCommitIngestor, type GroupCommitStats } from './store/group-commit.ts';
import { SqlMessageStore } from './store/sql-message-store.ts';
import type { MessageStore } from './store/types.ts';

export interface EngineOverrides {
  readonly dataDir?: string;
  readonly mllpPort?: number;
  readonly httpPort?: number;
  /** DICOM listener port (0 = any free port). */
  readonly dicomPort?: number;
  readonly databaseUrl?: string;
  readonly channelsDir?: string;
  readonly configFile?: string;
  readonly logLevel?: string;
  /** Tests and benches: no log output at all. */
  readonly silent?: boolean;
  /** Database schema (server PostgreSQL only): one namespace per test. */
  readonly schema?: string;
}

export interface RunningEngine {
  readonly config: EngineConfig;
  readonly logger: Logger;
  readonly db: SqlClient;
  readonly store: MessageStore;
  readonly channels: ChannelManager;
  readonly dispatcher: InProcessDispatcher;
  /** Group commit counters: how many transactions carried how many messages. */
  readonly groupCommit: () => GroupCommitStats;
  /** Actual ports (after port 0 was resolved), by listener name. */
  readonly mllpPorts: ReadonlyMap<string, number>;
  /** The first MLLP listener's port. */
  readonly mllpPort: number;
  readonly httpPort: number;
  /** The DICOM listener's port, or null when it is disabled. */
  readonly dicomPort: number | null;
  /** Where received DICOM objects are kept: a folder, or S3 (S3_ENDPOINT, S3_BUCKET). */
  readonly objects: ObjectStore;
  readonly dicomIndex: DicomIndex;
  /** DICOM channels and their delivery queues (engine/dicom/routing/). */
  readonly dicomRouting: DicomRouting;
  readonly audit: AuditLog;
  readonly users: UserStore;
  readonly events: EngineEvents;
  /** Set only at the first start without SWITCHBOARD_ADMIN_PASSWORD: the generated admin password. */
  readonly firstAdminPassword: string | null;
  /** Re-reads channels/ and deploys what changed; problems keep the running set and are returned. */
  reloadChannels(): Promise<{ ok: boolean; problems: string }>;
  /** Puts a processed, filtered or error message back through its channels. */
  reprocess(messageId: string): Promise<{ ok: boolean; message: string }>;
  /** Waits until every received message is processed and no delivery is due (tests). */
  drain(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts Switchboard in this process: store, channels, dispatcher, listeners, HTTP. Fails before
 * opening any listener when configuration is bad (every problem listed with file, path, expectation).
 */
export async function startEngine(
  overrides: EngineOverrides = {},
  env = process.env,
): Promise<RunningEngine> {
  const config = await loadEngineConfig({
    env,
    cwd: process.cwd(),
    overrides: {
      ...(overrides.dataDir !== undefined ? { dataDir: overrides.dataDir } : {}),
      ...(overrides.mllpPort !== undefined ? { mllpPort: overrides.mllpPort } : {}),
      ...(overrides.dicomPort !== undefined ? { dicomPort: overrides.dicomPort } : {}),
      ...(overrides.httpPort !== undefined ? { httpPort: overrides.httpPort } : {}),
      ...(overrides.databaseUrl !== undefined ? { databaseUrl: overrides.databaseUrl } : {}),
      ...(overrides.channelsDir !== undefined ? { channelsDir: overrides.channelsDir } : {}),
      ...(overrides.configFile !== undefined ? { configFile: overrides.configFile } : {}),
      ...(overrides.logLevel !== undefined ? { logLevel: overrides.logLevel } : {}),
    },
  });
  const logger = overrides.silent ? silentLogger() : createLogger(config.logLevel as LogLevel);
  const knownListeners = new Set(config.mllp.map((l) => l.name));
  const knownMappings = new Set(mappings.keys());
  const loadChannelSet = () => loadChannels({ dir: config.channelsDir, knownListeners, knownMappings });

  const initial = await loadChannelSet();
  // DICOM channels (channels/dicom/*.yaml): a bad file fails the start like an HL7 one, and a reload
  // deploys both kinds or, with any problem, neither.
  const loadDicomChannelSet = () => loadConfiguredDicomChannels(config);
  const dicomChannels = await loadDicomChannelSet();
  const startProblems = [...initial.problems, ...dicomChannels.problems];
  if (startProblems.length > 0) throw new ConfigError(startProblems);

  const unlock = await lockDataDir(config.dataDir);
  let db: SqlClient;
  try {
    db = await openDatabase({
      databaseUrl: config.databaseUrl,
      dataDir: config.dataDir,
      ...(overrides.schema ? { schema: overrides.schema } : {}),
    });
  } catch (err) {
    await unlock();
    throw err;
  }
  const cleanups: Array<() => Promise<void>> = [unlock, () => db.close()];
  const cleanup = async (): Promise<void> => {
    for (const fn of cleanups.reverse()) await fn().catch(() => undefined);
  };
  try {
    const store = new SqlMessageStore(db);
    const events = new EngineEvents();
    const audit = new AuditLog(db);
    const users = new UserStore(db);
    const apiTokens = new ApiTokenStore(db);
    const refreshTokens = new RefreshTokenStore(db);
    const signingKey = await loadOrCreateSigningKey(config.dataDir, env);
    const firstAdmin = await ensureFirstAdmin(users, env);
    if (firstAdmin.created) {
      await audit.append({
        actor: 'system',
        action: 'user.change',
        target: 'user/admin',
        detail: { op: 'create-first-admin' },
      });
      if (firstAdmin.generatedPassword !== null && !overrides.silent) {
        // Shown once, on the console only (never logged): it is stored as an argon2 hash.
        process.stdout.write(
          `\nFirst start: created user "admin" with password\n\n    ${firstAdmin.generatedPassword}\n\n` +
            'It is shown only this once. Set SWITCHBOARD_ADMIN_PASSWORD before the first start to choose it.\n\n',
        );
      }
      logger.info('first admin created', {
        username: 'admin',
        generated: firstAdmin.generatedPassword !== null,
      });
    }
    // Ingest has a lane of its own: a sender waiting for its ACK goes before background processing.
    const ingestor = new GroupCommitIngestor(new SqlMessageStore(db.forIngest()));
    cleanups.push(() => ingestor.close());

    const recent = new RecentMessages((id) => store.get(id));
    const channels = new ChannelManager({
      store,
      db,
      logger,
      baseDir: process.cwd(),
      lookup: (messageId) => recent.meta(messageId),
    });
    cleanups.push(() => channels.stopAll());
    const unpublishChannels = publishChannelEvents(channels, events);
    cleanups.push(async () => unpublishChannels());
    await channels.deploy(initial.channels);

    if (config.dedupWindowSeconds > 0) {
      // Keys older than the window can never match again; without pruning the table grows forever.
      const prune = (): void => {
        store.pruneDedup(config.dedupWindowSeconds).then(
          (removed) => logger.debug('pruned dedup keys', { removed }),
          (err: unknown) => logger.warn('dedup prune failed', { error: String(err) }),
        );
      };
      const pruneTimer = setInterval(prune, Math.min(3600, config.dedupWindowSeconds) * 1000);
      pruneTimer.unref();
      cleanups.push(async () => clearInterval(pruneTimer));
    }

    const dispatcher = new InProcessDispatcher(store, { concurrency: config.dispatch.concurrency });
    dispatcher.on('handlerError', (item, error, retryInMs) =>
      logger.error('processing failed; will retry', {
        messageId: item.messageId,
        retryInMs,
        error: String(error),
      }),
    );
    cleanups.push(() => dispatcher.stop());
    const ingestDeps = {
      // Every listener (MLLP and HTTP) commits here: message.received is published after the commit.
      ingest: publishingIngest((req) => ingestor.ingest(req), events),
      accepts: (listener: string, type: string, trigger: string) => channels.accepts(listener, type, trigger),
      onAccepted: (messageId: string, partitionKey: string | null) =>
        dispatcher.notify({ messageId, partitionKey }),
      logger,
      dedupWindowSeconds: config.dedupWindowSeconds,
      ackSendingApplication: config.ackSendingApplication,
      ackSendingFacility: config.ackSendingFacility,
    };
    const mllpPorts = new Map<string, number>();
    const servers: MllpServer[] = [];
    // Set once DICOM routing exists (below); a reload before then deploys the HL7 channels only.
    let deployDicom: ((specs: readonly DicomChannelSpec[]) => Promise<unknown>) | null = null;
    const reloadOnce = async (): Promise<{ ok: boolean; problems: string }> => {
      const [next, nextDicom] = await Promise.all([loadChannelSet(), loadDicomChannelSet()]);
      const found = [...next.problems, ...nextDicom.problems];
      if (found.length > 0) {
        const problems = formatProblems(found);
        logger.error('channel reload refused; the running channels stay', { problems });
        return { ok: false, problems };
      }
      const diff = await channels.deploy(next.channels);
      const dicom = deployDicom === null ? null : await deployDicom(nextDicom.channels);
      logger.info('channels reloaded', { ...diff, ...(dicom === null ? {} : { dicom }) });
      return { ok: true, problems: '' };
    };
    // One reload at a time: the directory watcher and the API may ask at once, and two deploys must not
    // interleave (each would instantiate the same changed channel).
    let reloading: Promise<unknown> = Promise.resolve();
    const reloadChannels = (): Promise<{ ok: boolean; problems: string }> => {
      const run = reloading.then(reloadOnce, reloadOnce);
      reloading = run.catch(() => undefined);
      return run;
    };
    const onChannelsChanged = (): void => {
      reloadChannels().catch((err: unknown) => logger.error('channel reload failed', { error: String(err) }));
    };
    // The HL7 channel files and the DICOM ones (channels/dicom/): the watch is recursive.
    const watcher = watchChannels(config.channelsDir, onChannelsChanged);
    cleanups.push(async () => watcher?.close());

    const reprocess = async (messageId: string): Promise<{ ok: boolean; message: string }> => {
      const message = await store.get(messageId);
      if (!message) return { ok: false, message: `no message ${messageId}` };
      if (!(await store.reprocess(messageId))) {
        return {
          ok: false,
          message: `message ${messageId} is ${message.status}: only processed, filtered or error messages are reprocessed`,
        };
      }
      dispatcher.notify({ messageId, partitionKey: message.partitionKey });
      logger.info('message queued for reprocessing', { messageId });
      return { ok: true, message: `message ${messageId} queued for reprocessing` };
    };
    const listenerStates = (): ListenerState[] =>
      config.mllp.map((l, i) => {
        const server = servers[i];
        return {
          name: l.name,
          kind: 'mllp',
          host: l.host,
          port: mllpPorts.get(l.name) ?? l.port,
          tls: l.tls !== null,
          listening: server?.listening ?? false,
          openConnections: server?.connectionCount ?? 0,
          lastMessageAt: server?.lastMessageAt ?? null,
        };
      });
    // DICOM: objects as received in the object store, metadata in the index, then the C-STORE answer
    // (or the STOW-RS response: the HTTP server stores through the same handler).
    const objects = await openObjectStore({ dataDir: config.dataDir, env });
    cleanups.push(() => objects.close());
    const dicomIndex = new DicomIndex(db);
    // Orders meet images: each study is matched to its ORM order and written as an ImagingStudy.
    // Its passes validate FHIR: index the definitions now (about 0.7 s, once per process) rather than
    // in the middle of the first study's C-STOREs, where it held up that study's answers.
    ensureStructureDefinitions();
    const studyOrders = new StudyOrderLinker({ db, logger });
    cleanups.push(() => studyOrders.close());
    studyOrders.start();
    // DICOM routing: deliveries queued in the C-STORE index transaction, sent by one queue per
    // destination. Copies stored by a dicom-store destination go through a handler without routing.
    const dicomRouting = new DicomRouting({
      db,
      objects,
      logger,
      channels: dicomChannels.channels,
      remoteAes: config.dicom.remoteAes,
      aeTitle: config.dicom.aeTitle,
      storeCopy: createDicomStoreHandler({ db: db.forIngest(), objects, index: dicomIndex, logger }),
    });
    cleanups.push(() => dicomRouting.stop());
    deployDicom = (specs) => dicomRouting.deploy(specs);
    dicomRoutingMetricsFor(events).attach(dicomRouting);
    const storeDicom = createDicomStoreHandler({
      db: db.forIngest(),
      objects,
      index: dicomIndex,
      logger,
      studyOrders,
      routing: dicomRouting.hook,
    });
    const http = await createHttpServer({
      config,
      logger,
      db,
      store,
      channels,
      dispatcher,
      audit,
      users,
      apiTokens,
      refreshTokens,
      signingKey,
      events,
      ingest: ingestDeps,
      objects,
      dicomIndex,
      storeDicom,
      dicomRouting,
      listeners: listenerStates,
      reloadChannels: () => reloadChannels(),
      reprocess: (id) => reprocess(id),
      async ready() {
        const dbOk = await db.query('SELECT 1').then(
          () => true,
          () => false,
        );
        const listenersOk = servers.every((s) => s.listening);
        return {
          ready: dbOk && listenersOk,
          checks: { store: dbOk, dispatcher: true, listeners: listenersOk },
        };
      },
    });
    cleanups.push(() => http.close());
    // Started once the HTTP server (and so the metrics) listen to engine events: nothing goes uncounted.
    await dispatcher.start(
      createMessageProcessor({
        store,
        routedChannels: () => channels.routed(),
        onDeliveriesQueued: (channelId, names) => channels.kickQueues(channelId, names),
        onProcessed: (message, outcome) => {
          recent.remember(message);
          events.publish(messageProcessedEvent(message, outcome));
        },
        logger,
      }),
    );

    await dicomRouting.start();

    for (const listener of config.mllp) {
      const server = await startMllpListener(listener, ingestDeps, logger);
      servers.push(server.server);
      mllpPorts.set(listener.name, server.port);
      cleanups.push(() => server.server.close(5000));
    }

    let dicomPort: number | null = null;
    if (config.dicom.enabled) {
      const dicomMetrics = dicomMetricsFor(events);
      const dicom = await startDicomListener({
        host: config.dicom.host,
        port: config.dicom.port,
        aeTitle: config.dicom.aeTitle,
        allow:
          config.dicom.allowedCallers === null
            ? 'any'
            : config.dicom.allowedCallers.map((c) =>
                c.host === null ? { aeTitle: c.aeTitle } : { aeTitle: c.aeTitle, host: c.host },
              ),
        maxObjectBytes: config.dicom.maxObjectBytes,
        onStore: storeDicom,
        onFind: createFindService({ db, aeTitle: config.dicom.aeTitle }),
        retrieve: createRetrieveSource({ index: dicomIndex, objects, remoteAes: config.dicom.remoteAes }),
        onEvent: (event) => {
          logDicomEvent(logger, event);
          dicomMetrics.observe(event);
        },
      });
      dicomPort = dicom.port;
      cleanups.push(() => dicom.close(5000));
      logger.info('dicom listener up', {
        host: config.dicom.host,
        port: dicom.port,
        aeTitle: config.dicom.aeTitle,
        objects: objects.location,
      });
    }

    await http.listen({ host: config.http.host, port: config.http.port });
    const address = http.server.address();
    const httpPort = typeof address === 'object' && address ? address.port : config.http.port;

    // The control socket is owner-only (mode 0600): whoever uses it runs as the engine's own account.
    const controlActor = cliActor(undefined);
    const auditControl = (
      action: AuditAction,
      target: string | null,
      detail: AuditDetail,
    ): Promise<unknown> => audit.append({ actor: controlActor, action, target, detail });
    cleanups.push(
      await startControlSocket(config.dataDir, {
        reprocess: async (messageId) => {
          const r = await reprocess(messageId);
          if (r.ok)
            await auditControl('message.reprocess', `message/${messageId}`, { via: 'control-socket' });
          return r;
        },
        stats: async () => ({
          ...(await store.counts()),
          pendingDispatch: dispatcher.pending,
          groupCommit: ingestor.stats,
        }),
        reloadChannels: async () => {
          const r = await reloadChannels();
          await auditControl('config.change', 'channels', { op: 'reload', ok: r.ok, via: 'control-socket' });
          return { ok: r.ok, message: r.ok ? 'channels reloaded' : r.problems };
        },
        channelAction: async (id, action) => {
          if (!channels.status().some((c) => c.id === id))
            return { ok: false, notFound: true, message: `no channel "${id}" is deployed` };
          await channels[action](id);
          const state = channels.status().find((c) => c.id === id)?.state;
          logger.info('channel state changed by control request', { channel: id, action, state });
          await auditControl('channel.state', `channel/${id}`, {
            state: state ?? null,
            via: 'control-socket',
          });
          return { ok: true, message: `channel ${id} is ${state}` };
        },
        channels: async () => channels.status(),
      }),
    );

    logger.info('switchboard started', {
      database: config.databaseUrl ? 'postgres' : 'pglite',
      dataDir: config.dataDir,
      mllp: Object.fromEntries(mllpPorts),
      http: httpPort,
      channels: channels.status().map((c) => c.id),
    });

    return {
      config,
      logger,
      db,
      store,
      channels,
      dispatcher,
      mllpPorts,
      mllpPort: [...mllpPorts.values()][0] ?? 0,
      httpPort,
      dicomPort,
      objects,
      dicomIndex,
      dicomRouting,
      audit,
      users,
      events,
      firstAdminPassword: firstAdmin.generatedPassword,
      groupCommit: () => ingestor.stats,
      reloadChannels,
      reprocess,
      async drain() {
        for (let i = 0; i < 3; i++) {
          await ingestor.flush();
          await dispatcher.drain();
          await channels.drainQueues();
          await dicomRouting.drain();
        }
      },
      async stop() {
        logger.info('switchboard stopping');
        await cleanup();
      },
    };
  } catch (err) {
    await cleanup();
    throw err;
  }
}
