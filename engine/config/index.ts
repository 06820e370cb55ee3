export { loadEngineConfig, type LoadEngineConfigOptions } from './load.ts';
export { ConfigError, formatProblems } from './problems.ts';
export { ENGINE_DEFAULTS } from './types.ts';
export type { EngineConfig, EngineConfigOverrides, MllpListenerConfig, MllpTlsConfig } from './types.ts';
