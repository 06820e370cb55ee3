import { describe, expect, it } from 'vitest';
import { can, isRole, PERMISSIONS, ROLES, type Permission, type Role } from './roles.ts';

// Every role x permission, written out: a change to the table must change this test on purpose.
const EXPECTED: Record<Role, Record<Permission, boolean>> = {
  admin: {
    'users.manage': true,
    'channels.view': true,
    'channels.deploy': true,
    'channels.test': true,
    'channels.control': true,
    'queues.operate': true,
    'messages.submit': true,
    'messages.read-content': true,
    'fhir.read': true,
    'stats.view': true,
    'audit.read': true,
  },
  analyst: {
    'users.manage': false,
    'channels.view': true,
    'channels.deploy': true,
    'channels.test': true,
    'channels.control': true,
    'queues.operate': false,
    'messages.submit': true,
    'messages.read-content': true,
    'fhir.read': true,
    'stats.view': true,
    'audit.read': false,
  },
  operator: {
    'users.manage': false,
    'channels.view': true,
    'channels.deploy': false,
    'channels.test': false,
    'channels.control': true,
    'queues.operate': true,
    'messages.submit': true,
    'messages.read-content': true,
    'fhir.read': true,
    'stats.view': true,
    'audit.read': false,
  },
  viewer: {
    'users.manage': false,
    'channels.view': true,
    'channels.deploy': false,
    'channels.test': false,
    'channels.control': false,
    'queues.operate': false,
    'messages.submit': false,
    'messages.read-content': false,
    'fhir.read': false,
    'stats.view': true,
    'audit.read': false,
  },
};

describe('roles', () => {
  it('covers every role and permission in the expectation table', () => {
    expect(Object.keys(EXPECTED).sort()).toEqual([...ROLES].sort());
    for (const role of ROLES) expect(Object.keys(EXPECTED[role]).sort()).toEqual([...PERMISSIONS].sort());
  });

  for (const role of ROLES) {
    for (const permission of PERMISSIONS) {
      it(`${role} ${EXPECTED[role][permission] ? 'may' : 'may not'} ${permission}`, () => {
        expect(can(role, permission)).toBe(EXPECTED[role][permission]);
      });
    }
  }

  it('never lets a viewer near content (messages or FHIR resources)', () => {
    expect(can('viewer', 'messages.read-content')).toBe(false);
    expect(can('viewer', 'fhir.read')).toBe(false);
    expect(PERMISSIONS.filter((p) => can('viewer', p))).toEqual(['channels.view', 'stats.view']);
  });

  it('grants nothing to a role that is not one', () => {
    expect(isRole('root')).toBe(false);
    expect(isRole('Admin')).toBe(false);
    expect(can('root' as Role, 'stats.view')).toBe(false);
    expect(can('__proto__' as Role, 'stats.view')).toBe(false);
  });
});
