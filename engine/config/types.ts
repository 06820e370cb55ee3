import type { LogLevel } from '../log/logger.ts';

/** One MLLP listener; channels name it in `source.listener`. */
export interface MllpListenerConfig {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly maxMessageBytes: number;
  /** Close a connection idle this long; 0 = never. */
  readonly idleTimeoutMs: number;
  /**
   * auto: original mode (AA/AE/AR) unless MSH-15/MSH-16 are set, then enhanced mode as they ask
   * (CA/CE/CR and/or AA/AE/AR, possibly none). original: always exactly one AA/AE/AR, for senders that
   * fill MSH-15/16 but expect plain ACKs.
   */
  readonly ackMode: 'auto' | 'original';
  readonly tls: MllpTlsConfig | null;
}

export interface MllpTlsConfig {
  readonly certFile: string;
  readonly keyFile: string;
  readonly caFile: string | null;
  /** Ask for (and verify against caFile) a client certificate: mutual TLS. */
  readonly requestCert: boolean;
}

/** The DICOM DIMSE listener (C-ECHO, C-STORE). */
export interface DicomListenerConfig {
  readonly enabled: boolean;
  readonly host: string;
  readonly port: number;
  /** Our AE title: associations calling another one are rejected. */
  readonly aeTitle: string;
  /** null: any calling AE; else only these calling AE titles (from that host, when given). */
  readonly allowedCallers: readonly { readonly aeTitle: string; readonly host: string | null }[] | null;
  /** A C-STORE dataset larger than this is refused (0xA700) as it arrives, and nothing of it is kept. */
  readonly maxObjectBytes: number;
  /** The AEs C-MOVE may send to: a Move Destination must be one of these AE titles. */
  readonly remoteAes: readonly { readonly aeTitle: string; readonly host: string; readonly port: number }[];
}

/** The engine configuration, validated and frozen. Every path is absolute. */
export interface EngineConfig {
  readonly dataDir: string;
  /** null = embedded PGlite at `<dataDir>/pglite`. */
  readonly databaseUrl: string | null;
  readonly channelsDir: string;
  readonly logLevel: LogLevel;
  readonly http: { readonly host: string; readonly port: number };
  readonly mllp: readonly MllpListenerConfig[];
  readonly dicom: DicomListenerConfig;
  /** Duplicates (same sender + control ID) within this window are ACKed but not processed again; 0 disables. */
  readonly dedupWindowSeconds: number;
  readonly dispatch: { readonly concurrency: number };
  readonly ackSendingApplication: string;
  readonly ackSendingFacility: string;
  /** The file the configuration was read from, or null when none. */
  readonly configFile: string | null;
}

/** Command-line flags; values may be raw flag strings (they are validated like everything else). */
export interface EngineConfigOverrides {
  readonly configFile?: string;
  readonly dataDir?: string;
  readonly databaseUrl?: string;
  readonly channelsDir?: string;
  readonly httpPort?: number | string;
  readonly mllpPort?: number | string;
  readonly dicomPort?: number | string;
  readonly logLevel?: string;
}

export const ENGINE_DEFAULTS = {
  dataDir: './data',
  databaseUrl: null,
  channelsDir: './channels',
  logLevel: 'info',
  host: '0.0.0.0',
  httpPort: 8080,
  mllpName: 'mllp',
  mllpPort: 2575,
  dicomPort: 11112,
  dicomAeTitle: 'SWITCHBOARD',
  dicomMaxObjectBytes: 1024 ** 3,
  maxMessageBytes: 10 * 1024 * 1024,
  idleTimeoutMs: 600_000,
  ackMode: 'auto',
  dedupWindowSeconds: 86_400,
  concurrency: 8,
  ackSendingApplication: 'SWITCHBOARD',
  ackSendingFacility: '',
  configFileName: 'switchboard.yaml',
} as const;
