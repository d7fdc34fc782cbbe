import qrcode from 'qrcode-generator';

/** The dark modules of a QR code (error correction M, smallest version that fits), row by row. */
export function qrMatrix(text: string): boolean[][] {
  const code = qrcode(0, 'M');
  code.addData(text, /^[0-9A-Z $%*+\-./:]*$/.test(text) ? 'Alphanumeric' : 'Byte');
  code.make();
  const n = code.getModuleCount();
  return Array.from({ length: n }, (_, r) => Array.from({ length: n }, (_, c) => code.isDark(r, c)));
}

/**
 * The QR code as an inline SVG: one path of horizontal runs on a white square with the
 * four-module quiet zone scanners need, scaling to its container (no external file, so the
 * page needs nothing beyond itself). `label` is what a screen reader says.
 */
export function qrSvg(text: string, label: string): string {
  const m = qrMatrix(text);
  const quiet = 4;
  const size = m.length + quiet * 2;
  const runs: string[] = [];
  m.forEach((row, r) => {
    let c = 0;
    while (c < row.length) {
      if (!row[c]) {
        c++;
        continue;
      }
      const start = c;
      while (c < row.length && row[c]) c++;
      runs.push(`M${start + quiet} ${r + quiet}h${c - start}v1h-${c - start}z`);
    }
  });
  const escaped = label.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${size} ${size}" role="img" aria-label="${escaped}" shape-rendering="crispEdges">` +
    `<rect width="${size}" height="${size}" fill="#fff"/><path fill="#000" d="${runs.join('')}"/></svg>`
  );
}
