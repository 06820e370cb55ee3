export {
  ApiTokenStore,
  type ApiTokenInfo,
  type ApiTokenPrincipal,
  type CreatedApiToken,
} from './api-tokens.ts';
export { ensureFirstAdmin, FIRST_ADMIN, type FirstAdmin } from './bootstrap.ts';
export { MIN_PASSWORD_LENGTH, PasswordPolicyError } from './password.ts';
export {
  RefreshTokenStore,
  REFRESH_TOKEN_TTL_MS,
  type IssuedRefreshToken,
  type RotatedRefreshToken,
} from './refresh-tokens.ts';
export { can, isRole, PERMISSIONS, ROLES, type Permission, type Role } from './roles.ts';
export { loadOrCreateSigningKey } from './signing-key.ts';
export {
  ACCESS_TOKEN_TTL_SECONDS,
  issueAccessToken,
  verifyAccessToken,
  type AccessClaims,
  type AccessTokenSubject,
} from './tokens.ts';
export {
  DEFAULT_LOCKOUT,
  normalizeUsername,
  UsernameTakenError,
  UserStore,
  type AuthFailure,
  type AuthResult,
  type LockoutPolicy,
  type NewUser,
  type User,
} from './users.ts';
