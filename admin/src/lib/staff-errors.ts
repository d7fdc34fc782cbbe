import { ApiError } from '../api/errors.js';
import { createFormatter, type Formatter } from './format.js';

const FIELD_LABEL: Record<string, string> = {
  birthday: 'The birthday',
  anniversary: 'The anniversary',
  points: 'The points',
  reason: 'The reason',
  customerMessage: 'The message to the customer',
  visibleToCustomer: '"Visible to the customer"',
  countsTowardTier: '"Counts toward tier progress"',
  email: 'The email',
  phone: 'The phone number',
  firstName: 'The first name',
  lastName: 'The last name',
  code: 'The code',
  text: 'The note',
  rewardId: 'The reward',
};

/** `customerMessage` -> "The customer message", `items.2.name` -> "The name (item 3)". */
function fieldLabel(field: string): string {
  const known = FIELD_LABEL[field];
  if (known) return known;
  const last = field.split('.').filter((p) => !/^\d+$/.test(p)).pop() ?? field;
  const words = last
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .replace(/_/g, ' ')
    .toLowerCase();
  return `The ${words}`;
}

const KIND: Record<string, string> = { boolean: 'on or off', number: 'a number', string: 'text', object: 'a set of values', array: 'a list', date: 'a date' };

/** One field problem as a sentence: `birthday: must not be in the future` -> "The birthday must not be in the future." */
function fieldSentence(field: string, problem: string, fmt: Formatter): string {
  const expected = /expected (\w+), received (\w+)/i.exec(problem);
  const what = expected ? `must be ${KIND[expected[1]!.toLowerCase()] ?? expected[1]!}` : problem.replace(/^invalid input:?\s*/i, 'is not valid: ');
  return fmt.text(`${fieldLabel(field)} ${what}`);
}

const CODE_TEXT: Record<string, string> = {
  CONCURRENT_UPDATE: 'Someone changed this customer at the same moment. Nothing was saved; try again.',
  CUSTOMER_ANONYMIZED: "This customer's personal data was erased, so they can no longer be changed.",
  PERMISSION_DENIED: 'Your role does not allow this. Ask an administrator for the permission.',
  CSRF_TOKEN_INVALID: 'Your session needs to be refreshed. Reload the page and try again.',
  INTERNAL: 'Something went wrong on the server. Nothing was changed; try again in a moment.',
};

/**
 * What staff read when a request is refused: sentences without API paths, raw ids or field
 * syntax; amounts and times in the organization's format. Stable error codes pick the text
 * where the server's message is written for developers.
 */
export function staffErrorMessage(err: unknown, fmt: Formatter = createFormatter('USD', 'UTC')): string {
  if (!(err instanceof ApiError)) return err instanceof Error ? err.message : 'Something went wrong';
  const fixed = CODE_TEXT[err.code];
  if (fixed) return fixed;
  if (err.code === 'MEMBERSHIP_RESTRICTED' || (err.code === 'RULE_REFUSED' && typeof err.details.membershipType === 'string')) {
    const pts = /(\d+) point\(s\)/.exec(err.message)?.[1];
    const balance = pts ? `Their ${fmt.points(Number(pts))} are kept but frozen` : 'Their points are kept but frozen';
    if (err.details.membershipType === 'left') {
      return `This customer left the program. ${balance} until they are reinstated: use More actions → Change membership type to make them a member again, then try again.`;
    }
    if (err.details.membershipType === 'guest') {
      return 'Guests cannot redeem or receive rewards. Make this customer a member first (More actions → Change membership type), then try again.';
    }
  }
  if (err.code === 'POINTS_INSUFFICIENT') {
    const need = Number(err.details.amount);
    const have = Number(err.details.balance);
    if (Number.isInteger(need) && Number.isInteger(have)) {
      return `The customer has ${fmt.points(have)} to spend; this needs ${fmt.points(need)} (${fmt.number(need - have)} more). Nothing was changed.`;
    }
  }
  if (err.code === 'VALIDATION_FAILED' && err.fields.length > 0) {
    return err.fields.map((f) => fieldSentence(f.field, f.problem, fmt)).join(' ');
  }
  return fmt.text(err.message);
}
