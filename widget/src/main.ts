/**
 * Patron's loyalty widget. One tag adds a launcher and a panel to any page:
 *
 *   <script src="https://loyalty.example.com/widget.js" data-key="pk_..." data-token="<customer token>" defer></script>
 *
 * Members see their loyalty status and can redeem; guests and visitors see the program and
 * how to join; a customer who left the program sees nothing. Everything lives in a shadow
 * root (no page CSS in or out) and talks only to the Patron server it was loaded from.
 */
import { EN, fill, type StringKey, type Strings } from './strings.js';
import { CSS } from './styles.js';

type Json = Record<string, unknown>;
interface Reward { id: string; name: string; description: string; pointsCost: number; canRedeem?: boolean; status?: string }
interface Theme { primaryColor?: string; textColor?: string; backgroundColor?: string; position?: string; launcherText?: string; title?: string; guestCtaText?: string; guestCtaUrl?: string }
interface Program {
  organization: { name: string };
  waysToEarn: { title: string; description: string; points: number | null }[];
  rewards: Reward[];
  tiers: { name: string; requirement: string; benefits: string[] }[];
  referral: { referrerPoints: number; friendOffer: string | null } | null;
  theme: Theme;
}
interface Me {
  type: 'member' | 'guest';
  preview: boolean;
  customer: { firstName: string | null } | null;
  message: string | null;
  balance: { active: number; pending: number; expiringSoon: { points: number; expiresAt: string }[] } | null;
  pointsWaiting: number | null;
  tier: { current: { name: string } | null; next: { name: string } | null; progressPercent: number | null; message: string | null } | null;
  rewards: Reward[];
  history: { id: string; points: number; pending: boolean; message: string; createdAt: string }[];
  coupons: { code: string; rewardName: string; description: string; status: string; expiresAt: string | null }[];
  referral: { link: string | null; referrerPoints: number | null; friendOffer: string | null; stats: { clicks: number; completed: number } } | null;
  preferences: Record<string, boolean> | null;
}

class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

const PREFS = ['balance', 'rewardAvailable', 'tier', 'marketing', 'location'] as const;

function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string | boolean | ((e: Event) => void)> = {}, ...children: (Node | string | null)[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (v === true) el.setAttribute(k, '');
    else if (v !== false) el.setAttribute(k, v);
  }
  for (const c of children) if (c !== null) el.append(c);
  return el;
}

function readableOn(hex: string): string {
  const n = parseInt(hex.slice(1), 16);
  const [r, g, b] = [(n >> 16) & 255, (n >> 8) & 255, n & 255].map((c) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.4 ? '#111111' : '#ffffff';
}

const isColor = (v: unknown): v is string => typeof v === 'string' && /^#[0-9a-fA-F]{6}$/.test(v);

class Widget {
  private readonly host = document.createElement('div');
  private readonly root: ShadowRoot;
  private readonly t: Strings;
  private launcher: HTMLButtonElement | null = null;
  private panel: HTMLDivElement | null = null;
  private body: HTMLDivElement | null = null;
  private program: Program | null = null;
  private me: Me | null = null;
  private readonly pendingKeys = new Map<string, string>();
  private lastCode: { reward: string; code: string } | null = null;

  constructor(
    private readonly base: string,
    private readonly key: string,
    private token: string | null,
  ) {
    const custom = (window as unknown as { PatronWidgetStrings?: Partial<Strings> }).PatronWidgetStrings;
    this.t = { ...EN, ...(custom ?? {}) };
    this.host.setAttribute('data-patron-widget', '');
    this.root = this.host.attachShadow({ mode: 'open' });
  }

  private s(key: StringKey, values: Record<string, string | number> = {}): string {
    return fill(this.t[key], values);
  }

  private pts(n: number): string {
    return this.s(n === 1 ? 'point' : 'points', { n: n.toLocaleString('en-US') });
  }

  private date(iso: string): string {
    return new Date(iso).toLocaleDateString(undefined, { day: 'numeric', month: 'short', year: 'numeric' });
  }

  private async call<T>(method: string, path: string, body?: Json, headers: Record<string, string> = {}): Promise<T> {
    const url = `${this.base}/api/storefront/v1${path}${path.includes('?') ? '&' : '?'}key=${encodeURIComponent(this.key)}`;
    const res = await fetch(url, {
      method,
      headers: { ...(this.token ? { authorization: `Bearer ${this.token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}), ...headers },
      ...(body ? { body: JSON.stringify(body) } : {}),
      credentials: 'omit',
    });
    if (res.status === 204) return undefined as T;
    const data = (await res.json().catch(() => ({}))) as Json & { error?: { code: string; message: string } };
    if (!res.ok) throw new ApiError(res.status, data.error?.code ?? 'ERROR', data.error?.message ?? res.statusText);
    return data as T;
  }

  /** Loads what the customer may see; a customer who left the program gets no widget at all. */
  async start(): Promise<void> {
    let me: Me;
    try {
      me = await this.call<Me>('GET', '/me');
    } catch (err) {
      if (err instanceof ApiError && err.code === 'NOT_IN_PROGRAM') return;
      if (err instanceof ApiError && err.status === 401 && this.token) {
        // An expired or refused token: show the program as to any visitor.
        this.token = null;
        return this.start();
      }
      throw err;
    }
    this.me = me;
    this.program = await this.call<Program>('GET', '/program');
    this.mount();
  }

  private mount(): void {
    const theme = this.program!.theme;
    const primary = isColor(theme.primaryColor) ? theme.primaryColor : '#1f6feb';
    const text = isColor(theme.textColor) ? theme.textColor : '#1b1f24';
    const bg = isColor(theme.backgroundColor) ? theme.backgroundColor : '#ffffff';
    const side = theme.position === 'bottom-left' ? 'left' : 'right';
    const style = h('style', {}, `${CSS}\n.root{--p-primary:${primary};--p-on-primary:${readableOn(primary)};--p-text:${text};--p-bg:${bg};--p-muted:color-mix(in srgb, ${text} 62%, ${bg});--p-line:color-mix(in srgb, ${text} 14%, ${bg});--p-soft:color-mix(in srgb, ${primary} 10%, ${bg});}`);
    const title = theme.title ?? this.t.title;
    const star = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
    star.setAttribute('viewBox', '0 0 24 24');
    star.setAttribute('class', 'star');
    star.setAttribute('aria-hidden', 'true');
    const path = document.createElementNS('http://www.w3.org/2000/svg', 'path');
    path.setAttribute('d', 'M12 2l2.9 6.9 7.1.6-5.4 4.7 1.7 7L12 17.5 5.7 21.2l1.7-7L2 9.5l7.1-.6z');
    star.append(path);
    this.launcher = h('button', { type: 'button', class: `launcher ${side}`, 'aria-haspopup': 'dialog', 'aria-expanded': 'false', onclick: () => this.toggle() }, star, theme.launcherText ?? this.t.launcher);
    this.body = h('div', { class: 'body' });
    this.panel = h(
      'div',
      { class: `panel ${side}`, role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': 'patron-title', hidden: true, onkeydown: (e) => this.onKey(e as KeyboardEvent) },
      h('header', {}, h('h2', { id: 'patron-title' }, title), h('button', { type: 'button', class: 'x', 'aria-label': this.t.close, onclick: () => this.close() }, '×')),
      this.body,
    );
    this.root.append(style, h('div', { class: 'root' }, this.launcher, this.panel));
    document.body.append(this.host);
    this.render();
  }

  private toggle(): void {
    if (this.panel!.hidden) this.open();
    else this.close();
  }

  open(): void {
    this.panel!.hidden = false;
    this.body!.scrollTop = 0;
    this.launcher!.setAttribute('aria-expanded', 'true');
    this.focusables()[0]?.focus();
  }

  close(): void {
    if (!this.panel || this.panel.hidden) return;
    this.panel.hidden = true;
    this.launcher!.setAttribute('aria-expanded', 'false');
    this.launcher!.focus();
  }

  private focusables(): HTMLElement[] {
    return [...this.panel!.querySelectorAll<HTMLElement>('button:not([disabled]), a[href], input:not([disabled])')].filter((el) => el.offsetParent !== null || el === document.activeElement);
  }

  /** Escape closes; Tab and Shift+Tab stay inside the open panel. */
  private onKey(e: KeyboardEvent): void {
    if (e.key === 'Escape') {
      e.preventDefault();
      this.close();
      return;
    }
    if (e.key !== 'Tab') return;
    const items = this.focusables();
    if (items.length === 0) return;
    const active = this.root.activeElement;
    const first = items[0]!;
    const last = items[items.length - 1]!;
    if (e.shiftKey && (active === first || !this.panel!.contains(active))) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && (active === last || !this.panel!.contains(active))) {
      e.preventDefault();
      first.focus();
    }
  }

  private render(): void {
    const me = this.me!;
    const body = this.body!;
    body.replaceChildren(...(me.type === 'member' ? this.memberView(me) : this.guestView(me)));
  }

  private section(heading: string, ...children: (Node | string | null)[]): HTMLElement {
    return h('section', {}, h('h3', {}, heading), ...children);
  }

  private memberView(me: Me): HTMLElement[] {
    const b = me.balance!;
    const out: HTMLElement[] = [];
    const code = this.lastCode
      ? h('div', { class: 'code', role: 'status' }, h('div', {}, h('div', { class: 'muted' }, this.s('yourCode', { reward: this.lastCode.reward })), h('strong', { 'data-code': '' }, this.lastCode.code)), this.copyButton(this.lastCode.code))
      : null;
    const top = h(
      'section',
      {},
      h('p', { class: 'hello' }, me.customer?.firstName ? this.s('greeting', { name: me.customer.firstName }) : this.t.greetingAnon),
      h('p', { class: 'muted' }, this.t.balanceLabel),
      h('p', { class: 'big', 'data-balance': String(b.active) }, this.pts(b.active)),
      b.pending > 0 ? h('p', { class: 'muted' }, this.s('pendingNote', { n: this.pts(b.pending) })) : null,
      ...b.expiringSoon.map((x) => h('p', { class: 'muted' }, this.s('expiringNote', { n: this.pts(x.points), date: this.date(x.expiresAt) }))),
      me.preview ? h('p', { class: 'note' }, this.t.previewNote) : null,
      code,
    );
    out.push(top);
    if (me.tier) {
      const pct = me.tier.progressPercent;
      out.push(
        this.section(
          this.t.tierHeading,
          h('p', { class: 'name' }, me.tier.current?.name ?? this.t.noTier),
          pct !== null && me.tier.next
            ? h('div', { class: 'bar', role: 'progressbar', 'aria-valuemin': '0', 'aria-valuemax': '100', 'aria-valuenow': String(pct), 'aria-label': me.tier.message ?? '' }, h('div', { style: `width:${pct}%` }))
            : null,
          me.tier.message ? h('p', { class: 'muted' }, me.tier.message) : null,
        ),
      );
    }
    out.push(
      this.section(
        this.t.rewardsHeading,
        h(
          'ul',
          {},
          ...me.rewards.map((r) =>
            h(
              'li',
              { class: 'row' },
              h('div', {}, h('div', { class: 'name' }, r.name), h('div', { class: 'muted' }, `${r.description === r.name ? '' : `${r.description} · `}${this.s('costs', { n: r.pointsCost.toLocaleString('en-US') })}`), h('div', { class: 'muted' }, r.status ?? '')),
              r.canRedeem && !me.preview ? h('button', { type: 'button', class: 'btn', 'aria-label': this.s('redeemFor', { reward: r.name, points: this.pts(r.pointsCost) }), onclick: (e) => void this.redeem(r, e.currentTarget as HTMLButtonElement) }, this.t.redeem) : null,
            ),
          ),
        ),
      ),
    );
    if (me.coupons.length > 0) {
      const label: Record<string, StringKey> = { active: 'codeActive', used: 'codeUsed', expired: 'codeExpired', revoked: 'codeRevoked' };
      out.push(
        this.section(
          this.t.codesHeading,
          h(
            'ul',
            {},
            ...me.coupons.map((c) =>
              h(
                'li',
                { class: 'row' },
                h('div', {}, h('div', { class: 'name' }, c.rewardName), h('div', { class: 'muted' }, `${c.code} · ${this.t[label[c.status] ?? 'codeActive']}${c.status === 'active' && c.expiresAt ? ` · ${this.s('validUntil', { date: this.date(c.expiresAt) })}` : ''}`)),
                c.status === 'active' ? this.copyButton(c.code) : null,
              ),
            ),
          ),
        ),
      );
    }
    out.push(
      this.section(
        this.t.historyHeading,
        me.history.length === 0
          ? h('p', { class: 'muted' }, this.t.noHistory)
          : h(
              'ul',
              {},
              ...me.history.map((e) =>
                h('li', { class: 'row' }, h('div', {}, h('div', {}, e.message), h('div', { class: 'muted' }, this.date(e.createdAt))), h('span', { class: e.points >= 0 ? 'plus' : 'minus' }, `${e.points >= 0 ? '+' : '−'}${Math.abs(e.points).toLocaleString('en-US')}`)),
              ),
            ),
      ),
    );
    const ref = me.referral;
    if (ref) {
      out.push(
        this.section(
          this.t.referHeading,
          h('p', {}, ref.referrerPoints ? this.s('referText', { points: this.pts(ref.referrerPoints) }) : this.t.referTextNoPoints),
          ref.friendOffer ? h('p', { class: 'muted' }, this.s('friendGets', { offer: ref.friendOffer })) : null,
          ref.link
            ? h('div', { class: 'link' }, h('input', { type: 'text', readonly: true, value: ref.link, 'aria-label': this.t.referHeading }), this.copyButton(ref.link, () => void this.call('POST', '/referrals/share', { channel: 'copy' }).catch(() => undefined)))
            : h('p', { class: 'muted' }, this.t.referUnavailable),
          h('p', { class: 'muted' }, this.s('referStats', { clicks: ref.stats.clicks, completed: ref.stats.completed })),
        ),
      );
    }
    if (me.preferences) out.push(this.prefsSection(me.preferences, me.preview));
    return out;
  }

  private prefsSection(prefs: Record<string, boolean>, readOnly: boolean): HTMLElement {
    const status = h('p', { class: 'status', role: 'status' });
    return this.section(
      this.t.prefsHeading,
      ...PREFS.map((p) =>
        h(
          'label',
          { class: 'pref' },
          this.t[`pref_${p}`],
          h('input', {
            type: 'checkbox',
            checked: prefs[p] === true,
            disabled: readOnly,
            onchange: (e) => {
              const box = e.currentTarget as HTMLInputElement;
              box.disabled = true;
              this.call<Record<string, boolean>>('PUT', '/preferences', { [p]: box.checked })
                .then((next) => {
                  this.me!.preferences = next;
                  status.textContent = this.t.saved;
                })
                .catch((err: Error) => {
                  box.checked = !box.checked;
                  status.textContent = err.message;
                })
                .finally(() => (box.disabled = false));
            },
          }),
        ),
      ),
      status,
    );
  }

  private copyButton(text: string, after?: () => void): HTMLButtonElement {
    const btn = h('button', { type: 'button', class: 'btn ghost' }, this.t.copy);
    btn.addEventListener('click', () => {
      const done = () => {
        btn.textContent = this.t.copied;
        after?.();
        setTimeout(() => (btn.textContent = this.t.copy), 2000);
      };
      if (navigator.clipboard) navigator.clipboard.writeText(text).then(done, done);
      else done();
    });
    return btn;
  }

  private async redeem(reward: Reward, button: HTMLButtonElement): Promise<void> {
    button.disabled = true;
    button.textContent = this.t.redeeming;
    // One key per attempt: a double click or a retry redeems once.
    const key = this.pendingKeys.get(reward.id) ?? (crypto.randomUUID?.() ?? `${Date.now()}-${Math.random()}`);
    this.pendingKeys.set(reward.id, key);
    try {
      const r = await this.call<{ coupon: { code: string } }>('POST', '/redemptions', { rewardId: reward.id }, { 'idempotency-key': key });
      this.pendingKeys.delete(reward.id);
      this.lastCode = { reward: reward.name, code: r.coupon.code };
      this.me = await this.call<Me>('GET', '/me');
      this.render();
      this.body!.scrollTop = 0;
      this.body!.querySelector<HTMLElement>('.code button')?.focus({ preventScroll: true });
    } catch (err) {
      if (err instanceof ApiError && err.status < 500) this.pendingKeys.delete(reward.id);
      button.disabled = false;
      button.textContent = this.t.redeem;
      const msg = h('p', { class: 'status', role: 'alert' }, err instanceof Error ? err.message : this.t.error);
      button.closest('li')?.append(msg);
    }
  }

  private guestView(me: Me): HTMLElement[] {
    const p = this.program!;
    const theme = p.theme;
    const out: HTMLElement[] = [
      h(
        'section',
        {},
        h('p', { class: 'hello' }, this.t.joinHeading),
        h('p', { class: 'muted' }, me.message ?? ''),
        me.pointsWaiting ? h('p', { class: 'note' }, this.s('waiting', { n: this.pts(me.pointsWaiting) })) : null,
        theme.guestCtaUrl ? h('a', { class: 'btn cta', href: theme.guestCtaUrl }, theme.guestCtaText ?? this.t.joinCta) : null,
      ),
    ];
    if (p.waysToEarn.length > 0) {
      out.push(this.section(this.t.earnHeading, h('ul', {}, ...p.waysToEarn.map((w) => h('li', { class: 'row' }, h('div', {}, h('div', { class: 'name' }, w.title), h('div', { class: 'muted' }, w.description)), w.points ? h('span', { class: 'plus' }, `+${w.points.toLocaleString('en-US')}`) : null)))));
    }
    if (p.rewards.length > 0) {
      out.push(this.section(this.t.rewardsHeading, h('ul', {}, ...p.rewards.map((r) => h('li', { class: 'row' }, h('div', {}, h('div', { class: 'name' }, r.name), r.description === r.name ? null : h('div', { class: 'muted' }, r.description)), h('span', { class: 'muted' }, this.s('costs', { n: r.pointsCost.toLocaleString('en-US') })))))));
    }
    if (p.tiers.length > 0) {
      out.push(this.section(this.t.tiersHeading, h('ul', {}, ...p.tiers.map((t) => h('li', { class: 'row' }, h('div', {}, h('div', { class: 'name' }, t.name), h('div', { class: 'muted' }, [t.requirement, ...t.benefits].join(' · '))))))));
    }
    if (p.referral) {
      out.push(this.section(this.t.referHeading, h('p', {}, this.s('referText', { points: this.pts(p.referral.referrerPoints) })), p.referral.friendOffer ? h('p', { class: 'muted' }, this.s('friendGets', { offer: p.referral.friendOffer })) : null));
    }
    return out;
  }
}

function boot(): void {
  const script = document.currentScript as HTMLScriptElement | null;
  const el = script ?? document.querySelector<HTMLScriptElement>('script[data-key][src*="widget.js"]');
  if (!el?.dataset.key) {
    console.warn('Patron widget: add data-key="pk_..." to the script tag');
    return;
  }
  const base = el.dataset.api ?? new URL(el.src, location.href).origin;
  const widget = new Widget(base, el.dataset.key, el.dataset.token || null);
  const run = () => void widget.start().catch((err: unknown) => console.warn('Patron widget:', err instanceof Error ? err.message : err));
  if (document.body) run();
  else document.addEventListener('DOMContentLoaded', run, { once: true });
}

boot();
