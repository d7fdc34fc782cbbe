import type { NotificationPrefs } from '../../db/types.js';
import { qrSvg } from './wallet.customer.qr.js';

/**
 * The customer's pass web app (/c/{token}): one server-rendered page, mobile first, with
 * no external file but its own script (/c/pass.js, allowed by the server's
 * `script-src 'self'`; styles are inline, which the policy allows). The script only saves
 * the notification toggles; everything else works without it.
 */

/** Where the page's script is served (same origin). */
export const PASS_SCRIPT_PATH = '/c/pass.js';

export interface PassPageView {
  organizationName: string;
  memberName: string;
  balance: number;
  tierName: string | null;
  rewardsAvailable: string[];
  cardCode: string;
  backgroundColor: string;
  foregroundColor: string;
  preferences: NotificationPrefs;
  /** Links to the platform passes, present only when the organization configured them. */
  appleUrl: string | null;
  googleUrl: string | null;
  /** Where the toggles are saved (PATCH, JSON). */
  preferencesUrl: string;
}

export const PREFERENCE_TEXT: readonly { key: keyof NotificationPrefs; label: string; hint: string }[] = [
  { key: 'balance', label: 'Balance', hint: 'When your points balance changes' },
  { key: 'location', label: 'Nearby stores', hint: 'When you are near one of our stores' },
  { key: 'marketing', label: 'Offers', hint: 'Promotions and news' },
  { key: 'tier', label: 'Tier', hint: 'When your tier changes' },
  { key: 'rewardAvailable', label: 'Rewards', hint: 'When a new reward is available to you' },
];

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

const HEX = /^#[0-9a-fA-F]{6}$/;
const color = (c: string, fallback: string) => (HEX.test(c) ? c : fallback);

/** "ABCD2345EFGH" -> "ABCD 2345 EFGH": easier to read out at a till. */
export function groupCode(code: string): string {
  return code.replace(/(.{4})(?=.)/g, '$1 ');
}

const STYLE = `
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#f3f4f6;color:#111827;line-height:1.45}
main{max-width:28rem;margin:0 auto;padding:1rem}
h1,h2{margin:0}
.card{background:var(--bg);color:var(--fg);border-radius:1rem;padding:1.25rem;box-shadow:0 2px 10px rgba(0,0,0,.15)}
.org{font-size:1.1rem;font-weight:700;letter-spacing:.02em}
.member{margin:.25rem 0 1rem;font-size:1rem;opacity:.9}
.stats{display:flex;gap:1rem;margin:0 0 1rem}
.stats div{flex:1;min-width:0}
.stats dt{font-size:.75rem;text-transform:uppercase;letter-spacing:.06em;opacity:.85}
.stats dd{margin:0;font-size:1.5rem;font-weight:700;overflow-wrap:anywhere}
.code{margin:0;background:#fff;color:#111827;border-radius:.75rem;padding:.75rem;text-align:center}
.code svg{display:block;width:100%;max-width:15rem;height:auto;margin:0 auto}
.code figcaption{margin-top:.5rem;font-size:.85rem}
.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:1.1rem;letter-spacing:.08em;font-weight:600}
.rewards{margin:1rem 0 0;padding:1rem;background:#fff;border-radius:.75rem}
.rewards ul{margin:.25rem 0 0;padding-left:1.25rem}
.wallets{display:flex;flex-direction:column;gap:.5rem;margin:1rem 0 0}
.wallets a{display:block;text-align:center;padding:.8rem 1rem;border-radius:.75rem;background:#111827;color:#fff;text-decoration:none;font-weight:600;min-height:44px}
.wallets a:focus-visible,.toggle input:focus-visible{outline:3px solid #2563eb;outline-offset:2px}
.prefs{margin:1rem 0 0;padding:1rem;background:#fff;border-radius:.75rem}
.prefs h2{font-size:1.1rem}
.prefs p.lead{margin:.25rem 0 .5rem;color:#4b5563;font-size:.9rem}
.toggle{display:flex;align-items:center;justify-content:space-between;gap:1rem;padding:.75rem 0;border-top:1px solid #e5e7eb;min-height:44px;cursor:pointer}
.toggle .label{display:block;font-weight:600}
.toggle .hint{display:block;font-size:.85rem;color:#4b5563}
.toggle input{appearance:none;-webkit-appearance:none;flex:none;width:3rem;height:1.75rem;margin:0;border-radius:1rem;background:#9ca3af;position:relative;cursor:pointer;transition:background .15s}
.toggle input::after{content:"";position:absolute;top:.2rem;left:.2rem;width:1.35rem;height:1.35rem;border-radius:50%;background:#fff;transition:transform .15s}
.toggle input:checked{background:#15803d}
.toggle input:checked::after{transform:translateX(1.25rem)}
.toggle input:disabled{opacity:.6;cursor:progress}
.status{min-height:1.5rem;margin:.5rem 0 0;font-size:.9rem;color:#374151}
.status.error{color:#b91c1c}
footer{margin:1.5rem 0 1rem;text-align:center;font-size:.8rem;color:#4b5563}
@media (prefers-reduced-motion:reduce){.toggle input,.toggle input::after{transition:none}}
`;

function page(title: string, body: string, withScript: boolean): string {
  return (
    '<!doctype html><html lang="en"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    '<meta name="robots" content="noindex, nofollow">' +
    // No icon to fetch (a phone would otherwise ask for /favicon.ico and get a 404).
    '<link rel="icon" href="data:,">' +
    `<title>${escapeHtml(title)}</title><style>${STYLE}</style>` +
    (withScript ? `<script src="${PASS_SCRIPT_PATH}" defer></script>` : '') +
    `</head><body><main>${body}</main></body></html>`
  );
}

/** The card, the wallet links and the notification toggles. */
export function renderPassPage(v: PassPageView): string {
  const bg = color(v.backgroundColor, '#1f2a44');
  const fg = color(v.foregroundColor, '#ffffff');
  const balance = `${v.balance.toLocaleString('en-US')} ${Math.abs(v.balance) === 1 ? 'point' : 'points'}`;
  const grouped = groupCode(v.cardCode);
  const card =
    `<section class="card" style="--bg:${bg};--fg:${fg}" aria-labelledby="org-name">` +
    `<h1 class="org" id="org-name">${escapeHtml(v.organizationName)}</h1>` +
    `<p class="member" data-testid="member-name">${escapeHtml(v.memberName)}</p>` +
    '<dl class="stats">' +
    `<div><dt>Balance</dt><dd data-testid="balance">${escapeHtml(balance)}</dd></div>` +
    `<div><dt>Tier</dt><dd data-testid="tier">${escapeHtml(v.tierName ?? 'No tier yet')}</dd></div>` +
    '</dl>' +
    `<figure class="code">${qrSvg(v.cardCode, `QR code of your card code ${v.cardCode.split('').join(' ')}`)}` +
    `<figcaption>Card code <span class="mono" data-testid="card-code">${escapeHtml(grouped)}</span></figcaption></figure>` +
    '</section>';
  const rewards =
    v.rewardsAvailable.length > 0
      ? `<section class="rewards" aria-labelledby="rewards-title"><h2 id="rewards-title">Rewards you can redeem</h2><ul>${v.rewardsAvailable.map((r) => `<li>${escapeHtml(r)}</li>`).join('')}</ul></section>`
      : '';
  const links = [
    v.appleUrl ? `<a href="${escapeHtml(v.appleUrl)}" data-testid="apple-link">Add to Apple Wallet</a>` : '',
    v.googleUrl ? `<a href="${escapeHtml(v.googleUrl)}" data-testid="google-link">Save to Google Wallet</a>` : '',
  ].join('');
  const wallets = links ? `<nav class="wallets" aria-label="Add the card to a wallet">${links}</nav>` : '';
  const toggles = PREFERENCE_TEXT.map(
    (p) =>
      `<label class="toggle"><span><span class="label">${p.label}</span><span class="hint" id="hint-${p.key}">${p.hint}</span></span>` +
      `<input type="checkbox" role="switch" name="${p.key}" aria-describedby="hint-${p.key}"${v.preferences[p.key] ? ' checked' : ''} disabled></label>`,
  ).join('');
  const prefs =
    '<section class="prefs" aria-labelledby="prefs-title">' +
    '<h2 id="prefs-title">Notifications</h2><p class="lead">Choose what your card tells you about.</p>' +
    `<form id="prefs" data-endpoint="${escapeHtml(v.preferencesUrl)}">${toggles}` +
    '<p class="status" id="prefs-status" role="status" aria-live="polite"></p></form>' +
    '<noscript><p class="status">Turn on JavaScript to change your notifications.</p></noscript></section>';
  const footer = '<footer>Keep this link to yourself: it opens your card.</footer>';
  return page(`${v.organizationName} card`, card + rewards + wallets + prefs + footer, true);
}

/** Any link that does not open a card: the same page whether the link never existed, was mistyped or no longer works. */
export function renderInvalidLinkPage(): string {
  return page(
    'Card link not valid',
    '<section class="prefs"><h1>This card link is not valid</h1>' +
      '<p>Open the link again from your wallet pass or the e-mail you received, or ask the store to send you your loyalty card again.</p></section>',
    false,
  );
}

/** Past the request limits: the page asks to wait a minute. */
export function renderBusyPage(): string {
  return page('Try again in a minute', '<section class="prefs"><h1>Too many requests</h1><p>This card was opened too often in the last minute. Wait a minute, then reload the page.</p></section>', false);
}

/**
 * The page's script: saves a toggle as soon as it changes (PATCH, JSON, no cookies), says
 * so in a live region, and puts the toggle back when saving failed. The toggles are
 * disabled in the HTML and enabled here, so they never look changeable without it.
 */
export const PASS_SCRIPT = `(function () {
  'use strict';
  var form = document.getElementById('prefs');
  if (!form) return;
  var status = document.getElementById('prefs-status');
  var endpoint = form.getAttribute('data-endpoint');
  var inputs = form.querySelectorAll('input[type=checkbox]');
  function say(text, isError) {
    status.textContent = text;
    status.className = isError ? 'status error' : 'status';
  }
  function labelOf(input) {
    var l = input.closest('label');
    var t = l && l.querySelector('.label');
    return t ? t.textContent : input.name;
  }
  form.addEventListener('submit', function (e) { e.preventDefault(); });
  form.addEventListener('change', function (e) {
    var input = e.target;
    if (!input || input.type !== 'checkbox') return;
    var value = input.checked;
    var body = {};
    body[input.name] = value;
    input.disabled = true;
    form.setAttribute('aria-busy', 'true');
    say('Saving…', false);
    fetch(endpoint, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(body),
      credentials: 'omit',
      cache: 'no-store'
    })
      .then(function (r) {
        return r.json().catch(function () { return null; }).then(function (j) {
          if (!r.ok) throw new Error(j && j.error && j.error.message ? j.error.message : 'the server answered ' + r.status);
          return j;
        });
      })
      .then(function (prefs) {
        for (var i = 0; i < inputs.length; i++) {
          if (typeof prefs[inputs[i].name] === 'boolean') inputs[i].checked = prefs[inputs[i].name];
        }
        say(labelOf(input) + ' notifications ' + (value ? 'on' : 'off') + '. Saved.', false);
      })
      .catch(function (err) {
        input.checked = !value;
        say('Not saved: ' + (err && err.message ? err.message : 'no connection') + '. Try again.', true);
      })
      .then(function () {
        input.disabled = false;
        form.removeAttribute('aria-busy');
      });
  });
  for (var i = 0; i < inputs.length; i++) inputs[i].disabled = false;
})();
`;
