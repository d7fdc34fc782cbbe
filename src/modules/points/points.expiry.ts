import type { ProgramSettings } from '../program/index.js';

/** When points earned at `at` expire under the program (null: they do not). */
export function expiryFor(program: ProgramSettings, at: Date): Date | null {
  if (program.expiryPolicy !== 'days_after_earning' || program.expiryDays === null) return null;
  return new Date(at.getTime() + program.expiryDays * 86_400_000);
}
