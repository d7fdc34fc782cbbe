import type { EventType } from './catalog.js';
import type { AnyReaction, EarnMultiplier, EventContributions, EventRegistry, OutboxConsumer, ProfileSections, Reaction } from './types.js';

const NO_MULTIPLIER: EarnMultiplier = async () => ({ factor: '1', label: null });

const EMPTY_SECTIONS: Required<ProfileSections> = {
  tier: async () => null,
  referralStats: async () => ({ clicks: 0, pending: 0, completed: 0, conversionRate: null }),
  marketingSync: async () => [],
};

/**
 * Merges what modules contribute (in list order: reactions to one event run in that order).
 * A reaction or consumer name, a profile section or the earn multiplier claimed twice is an error.
 */
export function buildEventRegistry(modules: readonly (EventContributions & { name?: string })[]): EventRegistry {
  const reactions = new Map<EventType, AnyReaction[]>();
  const consumers: OutboxConsumer[] = [];
  const sections: ProfileSections = {};
  const owner = new Map<string, string>();
  const claim = (what: string, by: string) => {
    const prior = owner.get(what);
    if (prior) throw new Error(`The ${what} is declared by both module "${prior}" and module "${by}"`);
    owner.set(what, by);
  };
  let earnMultiplier: EarnMultiplier = NO_MULTIPLIER;
  modules.forEach((m, i) => {
    const by = m.name ?? `#${i}`;
    for (const r of m.reactions ?? []) {
      claim(`reaction "${r.name}"`, by);
      reactions.set(r.on, [...(reactions.get(r.on) ?? []), r]);
    }
    for (const c of m.consumers ?? []) {
      claim(`consumer "${c.name}"`, by);
      consumers.push(c);
    }
    for (const key of Object.keys(m.profileSections ?? {}) as (keyof ProfileSections)[]) {
      claim(`profile section "${key}"`, by);
      Object.assign(sections, { [key]: m.profileSections![key] });
    }
    if (m.earnMultiplier) {
      claim('earn multiplier', by);
      earnMultiplier = m.earnMultiplier;
    }
  });
  const byType = new Map<EventType, OutboxConsumer[]>();
  const consumersFor = (type: EventType) => {
    let list = byType.get(type);
    if (!list) {
      list = consumers.filter((c) => c.events === '*' || c.events.includes(type));
      byType.set(type, list);
    }
    return list;
  };
  return {
    reactionsFor: <T extends EventType>(type: T) => (reactions.get(type) ?? []) as unknown as readonly Reaction<T>[],
    consumersFor,
    consumer: (name) => consumers.find((c) => c.name === name),
    consumers,
    profileSections: { ...EMPTY_SECTIONS, ...sections },
    earnMultiplier,
  };
}
