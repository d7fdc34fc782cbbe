/** The widget's styles, inside its shadow root: nothing leaks in from the page or out to it. */
export const CSS = `
:host { all: initial; }
* { box-sizing: border-box; }
.root { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--p-text); }
button, input { font: inherit; color: inherit; }
:focus-visible { outline: 3px solid var(--p-primary); outline-offset: 2px; }
.launcher { position: fixed; bottom: 20px; z-index: 2147483000; display: inline-flex; align-items: center; gap: 8px;
  border: 0; border-radius: 999px; padding: 12px 20px; background: var(--p-primary); color: var(--p-on-primary);
  font-weight: 600; box-shadow: 0 6px 20px rgba(0,0,0,.22); cursor: pointer; }
.launcher:focus-visible { outline-color: var(--p-text); outline-offset: 3px; }
.right { right: 20px; } .left { left: 20px; }
.star { width: 18px; height: 18px; fill: currentColor; }
.panel { position: fixed; bottom: 84px; z-index: 2147483001; width: 380px; max-height: min(680px, calc(100vh - 110px));
  display: flex; flex-direction: column; background: var(--p-bg); border-radius: 16px; overflow: hidden;
  box-shadow: 0 12px 40px rgba(0,0,0,.28); }
.panel[hidden] { display: none; }
header { display: flex; align-items: center; justify-content: space-between; gap: 8px; padding: 14px 16px;
  background: var(--p-primary); color: var(--p-on-primary); }
header h2 { margin: 0; font-size: 17px; }
.x { border: 0; background: transparent; color: inherit; width: 36px; height: 36px; border-radius: 8px; cursor: pointer; font-size: 22px; line-height: 1; }
.x:focus-visible { outline-color: var(--p-on-primary); }
.body { overflow-y: auto; padding: 4px 16px 16px; }
section { padding: 14px 0; border-bottom: 1px solid var(--p-line); }
section:last-child { border-bottom: 0; }
h3 { margin: 0 0 8px; font-size: 13px; text-transform: uppercase; letter-spacing: .04em; color: var(--p-muted); }
p { margin: 4px 0; }
.hello { font-size: 18px; font-weight: 600; margin: 8px 0 2px; }
.big { font-size: 30px; font-weight: 700; color: var(--p-primary); }
.muted { color: var(--p-muted); font-size: 13px; }
.bar { height: 8px; border-radius: 4px; background: var(--p-line); overflow: hidden; margin: 8px 0 6px; }
.bar > div { height: 100%; background: var(--p-primary); }
ul { list-style: none; margin: 0; padding: 0; }
li.row { display: flex; align-items: center; justify-content: space-between; gap: 10px; padding: 8px 0; }
li.row + li.row { border-top: 1px solid var(--p-line); }
.name { font-weight: 600; }
.btn { border: 0; border-radius: 8px; padding: 8px 14px; background: var(--p-primary); color: var(--p-on-primary); font-weight: 600; cursor: pointer; white-space: nowrap; }
.btn[disabled] { opacity: .55; cursor: default; }
.btn.ghost { background: transparent; color: var(--p-primary); border: 1px solid var(--p-primary); }
.cta { display: block; text-align: center; text-decoration: none; margin-top: 10px; padding: 11px 14px; }
.code { margin-top: 8px; padding: 10px; border: 2px dashed var(--p-primary); border-radius: 10px; display: flex; align-items: center; justify-content: space-between; gap: 8px; }
.code strong { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 16px; letter-spacing: .04em; word-break: break-all; }
.plus { color: #1a7f37; font-weight: 600; } .minus { color: #b42318; font-weight: 600; }
.link { display: flex; gap: 8px; margin-top: 8px; }
.link input { flex: 1; min-width: 0; padding: 8px; border: 1px solid var(--p-line); border-radius: 8px; background: transparent; }
label.pref { display: flex; align-items: center; justify-content: space-between; gap: 8px; padding: 6px 0; cursor: pointer; }
label.pref input { width: 20px; height: 20px; accent-color: var(--p-primary); }
.note { background: var(--p-soft); border-radius: 8px; padding: 8px 10px; font-size: 13px; }
.status { min-height: 1em; font-size: 13px; color: var(--p-muted); }
@media (max-width: 480px) {
  .panel { left: 0; right: 0; bottom: 0; width: 100%; max-height: 88vh; border-radius: 16px 16px 0 0; }
  .launcher { bottom: 14px; }
  .right { right: 14px; } .left { left: 14px; }
}
@media (prefers-reduced-motion: no-preference) { .panel { animation: up .16s ease-out; } @keyframes up { from { transform: translateY(8px); opacity: 0; } } }
`;
