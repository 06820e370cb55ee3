/**
 * The first admin: with no user in the database there is no one to create users, so the engine makes
 * `admin` at first start, with SWITCHBOARD_ADMIN_PASSWORD or a generated password that the caller
 * prints once (it is stored only as an argon2 hash).
 */
import { generatePassword } from './password.ts';
import { UsernameTakenError, type UserStore } from './users.ts';

export const FIRST_ADMIN = 'admin';

export interface FirstAdmin {
  readonly created: boolean;
  /** Non-null only when created with a generated password: show it once, never log it again. */
  readonly generatedPassword: string | null;
}

export async function ensureFirstAdmin(
  users: UserStore,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<FirstAdmin> {
  if ((await users.count()) > 0) return { created: false, generatedPassword: null };
  const given = env.SWITCHBOARD_ADMIN_PASSWORD;
  const password = given !== undefined && given !== '' ? given : generatePassword();
  try {
    // A too-short SWITCHBOARD_ADMIN_PASSWORD fails here with the policy's message: better than a weak admin.
    await users.create({ username: FIRST_ADMIN, password, role: 'admin' });
  } catch (err) {
    // Another node starting at the same moment created it first.
    if (err instanceof UsernameTakenError) return { created: false, generatedPassword: null };
    throw err;
  }
  return { created: true, generatedPassword: password === given ? null : password };
}
