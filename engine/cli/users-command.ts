import { Option, type Command } from 'commander';
import { cliActor, withDatabase } from './with-store.ts';
import { AuditLog } from '../audit/index.ts';
import { ROLES, UserStore, UsernameTakenError, isRole, normalizeUsername, type User } from '../auth/index.ts';
import { generatePassword } from '../auth/password.ts';

interface AdminFlags {
  dataDir?: string;
  actor?: string;
}

const DATA_DIR_HELP = 'data folder of the engine (SWITCHBOARD_DATA_DIR, default ./data)';
const ACTOR_HELP = 'who the audit log names for this change (default cli:<os user>)';

/** The first line of stdin, without its line ending: `echo "$PW" | switchboard users add ...`. */
async function readPasswordLine(): Promise<string> {
  let text = '';
  for await (const chunk of process.stdin) {
    text += (chunk as Buffer).toString('utf8');
    if (text.includes('\n')) break;
  }
  const line = text.split('\n')[0]!.replace(/\r$/, '');
  if (line === '') throw new Error('--password-stdin: no password on stdin');
  return line;
}

function when(date: Date | null): string {
  return date ? date.toISOString() : '-';
}

/** Never the hash: UserStore does not return it, and nothing here asks for it. */
function publicUser(u: User) {
  return {
    username: u.username,
    role: u.role,
    disabled: u.disabled,
    lockedUntil: u.lockedUntil ? u.lockedUntil.toISOString() : null,
    lastLoginAt: u.lastLoginAt ? u.lastLoginAt.toISOString() : null,
    createdAt: u.createdAt.toISOString(),
  };
}

export function registerUsersCommands(program: Command): void {
  const users = program.command('users').description('manage the users of the web console and API');

  users
    .command('add')
    .description('create a user (the password is generated and printed once unless --password-stdin)')
    .argument('<username>', 'login name (a-z, 0-9, . _ @ -)')
    .addOption(new Option('--role <role>', 'what the user may do').choices(ROLES).makeOptionMandatory())
    .option('--password-stdin', 'read the password from the first line of stdin')
    .option('--data-dir <dir>', DATA_DIR_HELP)
    .option('--actor <name>', ACTOR_HELP)
    .action(async (username: string, opts: AdminFlags & { role: string; passwordStdin?: boolean }) => {
      if (!isRole(opts.role)) throw new Error(`unknown role ${opts.role}`);
      const role = opts.role;
      // Read before the database is opened and locked: a slow typist must not hold the data folder.
      const given = opts.passwordStdin ? await readPasswordLine() : null;
      const password = given ?? generatePassword();
      await withDatabase(program, opts, async (db) => {
        const store = new UserStore(db);
        const user = await store.create({ username, password, role }).catch((err: unknown) => {
          if (err instanceof UsernameTakenError) {
            throw new Error(`user ${normalizeUsername(username)} already exists`, { cause: err });
          }
          throw err;
        });
        await new AuditLog(db).append({
          actor: cliActor(opts.actor),
          action: 'config.change',
          target: `user/${user.username}`,
          detail: { change: 'user.add', username: user.username, role },
        });
        process.stdout.write(`user ${user.username} added (${role})\n`);
        // The only place a generated password is ever shown: it is stored as an argon2 hash.
        if (given === null) process.stdout.write(`password for ${user.username}: ${password}\n`);
      });
    });

  users
    .command('list')
    .description('list users: role, disabled, locked until, last login')
    .option('--json', 'print JSON')
    .option('--data-dir <dir>', DATA_DIR_HELP)
    .action(async (opts: AdminFlags & { json?: boolean }) => {
      const all = await withDatabase(program, opts, (db) => new UserStore(db).list());
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(all.map(publicUser), null, 2)}\n`);
        return;
      }
      const rows = [
        ['USERNAME', 'ROLE', 'DISABLED', 'LOCKED UNTIL', 'LAST LOGIN'],
        ...all.map((u) => [
          u.username,
          u.role,
          u.disabled ? 'yes' : 'no',
          when(u.lockedUntil),
          when(u.lastLoginAt),
        ]),
      ];
      const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
      for (const r of rows) {
        process.stdout.write(
          `${r
            .map((cell, i) => cell.padEnd(widths[i]!))
            .join('  ')
            .trimEnd()}\n`,
        );
      }
    });

  users
    .command('disable')
    .description('disable a user: logins and API tokens stop working at once')
    .argument('<username>', 'login name')
    .option('--data-dir <dir>', DATA_DIR_HELP)
    .option('--actor <name>', ACTOR_HELP)
    .action(async (username: string, opts: AdminFlags) => {
      await withDatabase(program, opts, async (db) => {
        const name = normalizeUsername(username);
        if (!(await new UserStore(db).disable(name))) throw new Error(`no user ${name}`);
        await new AuditLog(db).append({
          actor: cliActor(opts.actor),
          action: 'config.change',
          target: `user/${name}`,
          detail: { change: 'user.disable', username: name },
        });
        process.stdout.write(`user ${name} disabled\n`);
      });
    });
}
