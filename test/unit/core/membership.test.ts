import { describe, expect, it } from 'vitest';
import type { MembershipType } from '../../../src/core/membership.js';
import {
  ALLOWED_TRANSITIONS,
  MEMBERSHIP_TYPES,
  allowedTargets,
  canEarn,
  canRedeem,
  checkTransition,
  isMembershipType,
} from '../../../src/core/membership.js';

describe('membership transitions', () => {
  it('allows exactly guest->member, guest->left, member->left, left->member', () => {
    const allowed: string[] = [];
    for (const from of MEMBERSHIP_TYPES) {
      for (const to of MEMBERSHIP_TYPES) if (checkTransition(from, to).ok) allowed.push(`${from}->${to}`);
    }
    expect(allowed.sort()).toEqual(['guest->left', 'guest->member', 'left->member', 'member->left']);
  });

  it('ALLOWED_TRANSITIONS matches and is frozen', () => {
    expect(ALLOWED_TRANSITIONS).toEqual({ guest: ['member', 'left'], member: ['left'], left: ['member'] });
    expect(Object.isFrozen(ALLOWED_TRANSITIONS)).toBe(true);
    expect(Object.isFrozen(ALLOWED_TRANSITIONS.guest)).toBe(true);
  });

  it('allowedTargets returns a fresh copy', () => {
    const targets = allowedTargets('guest');
    expect(targets).toEqual(['member', 'left']);
    targets.push('guest');
    expect(allowedTargets('guest')).toEqual(['member', 'left']);
  });

  it.each<[MembershipType, MembershipType, string, MembershipType[]]>([
    ['guest', 'guest', 'A guest can move to member or left; guest -> guest is not allowed', ['member', 'left']],
    ['member', 'member', 'A member can only move to left; member -> member is not allowed', ['left']],
    ['member', 'guest', 'A member can only move to left; member -> guest is not allowed', ['left']],
    ['left', 'guest', 'A customer who left can only move to member; left -> guest is not allowed', ['member']],
    ['left', 'left', 'A customer who left can only move to member; left -> left is not allowed', ['member']],
  ])('%s -> %s is refused with a clear message', (from, to, message, allowed) => {
    expect(checkTransition(from, to)).toEqual({ ok: false, message, allowed });
  });

  it('allowed transitions return ok', () => {
    expect(checkTransition('guest', 'member')).toEqual({ ok: true });
    expect(checkTransition('left', 'member')).toEqual({ ok: true });
  });
});

describe('isMembershipType', () => {
  it('recognizes only the three types', () => {
    expect(MEMBERSHIP_TYPES.every(isMembershipType)).toBe(true);
    expect(isMembershipType('Member')).toBe(false);
    expect(isMembershipType('admin')).toBe(false);
    expect(isMembershipType(undefined)).toBe(false);
  });
});

describe('earning and redeeming', () => {
  it('canEarn', () => {
    expect(canEarn('member', { guestEarning: false })).toBe(true);
    expect(canEarn('member', { guestEarning: true })).toBe(true);
    expect(canEarn('guest', { guestEarning: true })).toBe(true);
    expect(canEarn('guest', { guestEarning: false })).toBe(false);
    expect(canEarn('left', { guestEarning: true })).toBe(false);
    expect(canEarn('left', { guestEarning: false })).toBe(false);
  });

  it('canRedeem only for members', () => {
    expect(canRedeem('member')).toBe(true);
    expect(canRedeem('guest')).toBe(false);
    expect(canRedeem('left')).toBe(false);
  });
});
