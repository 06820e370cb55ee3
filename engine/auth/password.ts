/**
 * Password hashing with argon2id (the @node-rs/argon2 default, checked by test) at its default cost,
 * m=19 MiB t=2 p=1: the OWASP Password Storage Cheat Sheet's first recommended setting.
 */
import { randomBytes } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';

export const MIN_PASSWORD_LENGTH = 12;

export class PasswordPolicyError extends Error {
  override readonly name = 'PasswordPolicyError';
}

export function checkPasswordPolicy(password: string): void {
  // Length in code points, so a passphrase in any script counts the characters a person typed.
  if ([...password].length < MIN_PASSWORD_LENGTH) {
    throw new PasswordPolicyError(`password must be at least ${MIN_PASSWORD_LENGTH} characters long`);
  }
}

export function hashPassword(password: string): Promise<string> {
  return hash(password);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    // A malformed stored hash must read as "wrong password", never as an unhandled error or a pass.
    return false;
  }
}

let dummy: Promise<string> | null = null;

/**
 * A hash of a random password with the real cost, verified against when the username is unknown,
 * disabled or locked, so the response time does not tell which usernames exist.
 */
export function dummyHash(): Promise<string> {
  dummy ??= hashPassword(randomBytes(18).toString('base64'));
  return dummy;
}

/** A generated password for the first admin: 24 characters from 18 random bytes (144 bits). */
export function generatePassword(): string {
  return randomBytes(18).toString('base64url');
}
