export interface MllpConnectionInfo {
  readonly id: string;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly tls: boolean;
  readonly listener: string;
}

/** Returns the responses to send back for one frame, in order (usually one ACK; zero or two are allowed). */
export type MllpFrameHandler = (frame: Buffer, conn: MllpConnectionInfo) => Promise<readonly Buffer[]>;

export interface MllpServerOptions {
  /** Listener name, e.g. 'mllp'. */
  name: string;
  host: string;
  /** 0 = any free port. */
  port: number;
  tls?: { cert: string | Buffer; key: string | Buffer; ca?: string | Buffer; requestCert?: boolean };
  /** Largest frame payload accepted; callers default to 10 MiB. */
  maxMessageBytes: number;
  /** Close a connection idle this long; 0 = never. */
  idleTimeoutMs: number;
  maxConnections?: number;
  /** Frames of one connection handled at once before reading pauses (pipelining senders); default 32. */
  maxInFlightPerConnection?: number;
}

export interface MllpServerHooks {
  /** Responses to send when a frame was too large (a NAK built by the engine); the connection is closed after writing them. */
  onOversize(conn: MllpConnectionInfo, bytes: number): readonly Buffer[];
  /** The handler threw: responses to send (a NAK), connection stays open. */
  onHandlerError(conn: MllpConnectionInfo, err: unknown, frame: Buffer): readonly Buffer[];
}

/** Events of MllpServer. Connection-level failures (resets, TLS errors) never surface as 'error'. */
export interface MllpServerEvents {
  connection: [info: MllpConnectionInfo];
  /** err is the socket error that ended the connection (e.g. ECONNRESET), if any. */
  close: [info: MllpConnectionInfo, err?: Error];
  frame: [info: MllpConnectionInfo, bytes: number];
  junk: [info: MllpConnectionInfo, bytes: number];
  /** A TLS handshake failed or a client connection failed before it was set up. */
  clientError: [err: Error, remoteAddress: string];
  /** A hook threw, a handler returned a non-Buffer[] (that connection is ended), or the listening socket failed. Only emitted when listened to. */
  error: [err: unknown];
}
