/**
 * Membership lifecycle rules: which type changes are allowed and what each
 * type may do with points.
 */

export type MembershipType = 'member' | 'guest' | 'left';

export const MEMBERSHIP_TYPES: readonly MembershipType[] = Object.freeze(['member', 'guest', 'left'] as const);

/** The only permitted changes: guest->member, guest->left, member->left, left->member. */
export const ALLOWED_TRANSITIONS: Readonly<Record<MembershipType, readonly MembershipType[]>> = Object.freeze({
  guest: Object.freeze(['member', 'left'] as const),
  member: Object.freeze(['left'] as const),
  left: Object.freeze(['member'] as const),
});

const SUBJECT: Record<MembershipType, string> = {
  guest: 'A guest',
  member: 'A member',
  left: 'A customer who left',
};

export type TransitionCheck = { ok: true } | { ok: false; message: string; allowed: MembershipType[] };

export function isMembershipType(value: unknown): value is MembershipType {
  return typeof value === 'string' && (MEMBERSHIP_TYPES as readonly string[]).includes(value);
}

/** Types reachable from `from` in one step. */
export function allowedTargets(from: MembershipType): MembershipType[] {
  return [...ALLOWED_TRANSITIONS[from]];
}

/**
 * Checks a type change. Changing to the same type is refused too. Example failure:
 * "A guest can move to member or left; guest -> guest is not allowed".
 */
export function checkTransition(from: MembershipType, to: MembershipType): TransitionCheck {
  const allowed = allowedTargets(from);
  if (allowed.includes(to)) return { ok: true };
  const options = allowed.length === 1 ? `only move to ${allowed.join('')}` : `move to ${allowed.join(' or ')}`;
  return { ok: false, message: `${SUBJECT[from]} can ${options}; ${from} -> ${to} is not allowed`, allowed };
}

/** Members always earn; guests earn only when the organization enables guest earning; left never. */
export function canEarn(type: MembershipType, options: { guestEarning: boolean }): boolean {
  switch (type) {
    case 'member':
      return true;
    case 'guest':
      return options.guestEarning;
    case 'left':
      return false;
  }
}

/** Only members can redeem. */
export function canRedeem(type: MembershipType): boolean {
  return type === 'member';
}
