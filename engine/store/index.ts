export type * from './types.ts';
export { SqlMessageStore } from './sql-message-store.ts';
export { GroupCommitIngestor, type GroupCommitOptions, type GroupCommitStats } from './group-commit.ts';
export { DeliveryNotQueuedError } from './errors.ts';
export { ingestRequestProblem } from './validate.ts';
