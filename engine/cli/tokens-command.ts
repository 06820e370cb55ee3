import type { Command } from 'commander';
import { cliActor, withDatabase } from './with-store.ts';
import { AuditLog } from '../audit/index.ts';
import { ApiTokenStore, UserStore, normalizeUsername } from '../auth/index.ts';

interface AdminFlags {
  dataDir?: string;
  actor?: string;
}

const DATA_DIR_HELP = 'data folder of the engine (SWITCHBOARD_DATA_DIR, default ./data)';
const ACTOR_HELP = 'who the audit log names for this change (default cli:<os user>)';
const DAY_MS = 86_400_000;

function parseDays(text: string | undefined): number | null {
  if (text === undefined) return null;
  if (!/^[1-9]\d{0,4}$/.test(text)) {
    throw new Error(`--expires-days must be a whole number of days from 1 to 99999, got "${text}"`);
  }
  return Number(text);
}

export function registerTokensCommands(program: Command): void {
  const tokens = program.command('tokens').description('manage API tokens for systems calling the API');

  tokens
    .command('create')
    .description('create an API token acting as a user (printed once, stored only as a hash)')
    .argument('<username>', 'the user the token acts as (its role decides what the token may do)')
    .requiredOption('--name <name>', 'what system holds the token')
    .option('--expires-days <n>', 'days until the token expires (default: never)')
    .option('--data-dir <dir>', DATA_DIR_HELP)
    .option('--actor <name>', ACTOR_HELP)
    .action(async (username: string, opts: AdminFlags & { name: string; expiresDays?: string }) => {
      const days = parseDays(opts.expiresDays);
      await withDatabase(program, opts, async (db) => {
        const user = await new UserStore(db).get(username);
        if (!user) throw new Error(`no user ${normalizeUsername(username)}`);
        // Its tokens would never verify: say so now rather than hand out a dead token.
        if (user.disabled) throw new Error(`user ${user.username} is disabled`);
        const expiresAt = days === null ? null : new Date(Date.now() + days * DAY_MS);
        const created = await new ApiTokenStore(db).create(user.id, opts.name, expiresAt);
        // The id only: the secret must never reach the audit log.
        await new AuditLog(db).append({
          actor: cliActor(opts.actor),
          action: 'config.change',
          target: `api-token/${created.id}`,
          detail: { change: 'token.create', tokenId: created.id, username: user.username },
        });
        process.stdout.write(
          `token ${created.id} for ${user.username} created` +
            `${expiresAt ? `, expires ${expiresAt.toISOString()}` : ', never expires'}\n`,
        );
        process.stdout.write(`${created.token}\n`);
        process.stderr.write('store it now: it is not shown again\n');
      });
    });

  tokens
    .command('revoke')
    .description('revoke an API token by its id (the part after sb_ and before the next _)')
    .argument('<token-id>', 'the token id')
    .option('--data-dir <dir>', DATA_DIR_HELP)
    .option('--actor <name>', ACTOR_HELP)
    .action(async (tokenId: string, opts: AdminFlags) => {
      await withDatabase(program, opts, async (db) => {
        if (!(await new ApiTokenStore(db).revoke(tokenId))) {
          throw new Error(`no active token ${tokenId} (unknown, or already revoked)`);
        }
        await new AuditLog(db).append({
          actor: cliActor(opts.actor),
          action: 'config.change',
          target: `api-token/${tokenId}`,
          detail: { change: 'token.revoke', tokenId },
        });
        process.stdout.write(`token ${tokenId} revoked\n`);
      });
    });
}
