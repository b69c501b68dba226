import type { Role } from '../store/index.ts';

export type { Role };

export const ROLES: readonly Role[] = ['viewer', 'analyst', 'admin'];

/** admin > analyst > viewer: a role can do everything the roles below it can. */
const RANK: Readonly<Record<Role, number>> = { viewer: 1, analyst: 2, admin: 3 };

export function roleAtLeast(have: Role, need: Role): boolean {
  return RANK[have] >= RANK[need];
}

export function isRole(value: unknown): value is Role {
  return value === 'admin' || value === 'analyst' || value === 'viewer';
}
