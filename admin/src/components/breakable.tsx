import { Fragment } from 'react';

/**
 * An email, code or link that may wrap only between its parts: a line break can come before
 * `@`, `.`, `-`, `_` and `/`, never in the middle of a word.
 */
export function Breakable({ text }: { text: string }) {
  const parts = text.split(/(?=[@./_-])/);
  return (
    <span className="patron-unbroken">
      {parts.map((p, i) => (
        <Fragment key={i}>
          {i > 0 && <wbr />}
          {p}
        </Fragment>
      ))}
    </span>
  );
}
