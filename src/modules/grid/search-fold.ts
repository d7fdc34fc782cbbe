/**
 * The accent folding of customer search, the same as the SQL function patron_fold()
 * (migration 0016_grid_search_fold.sql): Latin letters with accents become their base
 * letter ("Zoë" -> "zoe", "Müller" -> "muller"), ß æ œ become ss ae oe, then lower case.
 * Search terms are folded here; the indexed customer text is folded by the database.
 * Change both together (test/integration/grid-search.test.ts compares them letter by letter).
 */
export const FOLD_FROM = 'ÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÑÒÓÔÕÖÙÚÛÜÝàáâãäåçèéêëìíîïñòóôõöùúûüýÿĀāĂăĄąĆćĈĉĊċČčĎďĒēĔĕĖėĘęĚěĜĝĞğĠġĢģĤĥĨĩĪīĬĭĮįİĴĵĶķĹĺĻļĽľŃńŅņŇňŌōŎŏŐőŔŕŖŗŘřŚśŜŝŞşŠšŢţŤťŨũŪūŬŭŮůŰűŲųŴŵŶŷŸŹźŻżŽžØøĐđĦħŁłıŦŧÐðĿŀ';
export const FOLD_TO = 'AAAAAACEEEEIIIINOOOOOUUUUYaaaaaaceeeeiiiinooooouuuuyyAaAaAaCcCcCcCcDdEeEeEeEeEeGgGgGgGgHhIiIiIiIiIJjKkLlLlLlNnNnNnOoOoOoRrRrRrSsSsSsSsTtTtUuUuUuUuUuUuWwYyYZzZzZzOoDdHhLliTtDdLl';
const LIGATURES: Record<string, string> = { ß: 'ss', æ: 'ae', Æ: 'AE', œ: 'oe', Œ: 'OE' };

const MAP = new Map<string, string>([...FOLD_FROM].map((c, i) => [c, FOLD_TO[i]!]));

/** Folds text as patron_fold() does. */
export function foldSearch(text: string): string {
  let out = '';
  for (const c of text) out += MAP.get(c) ?? LIGATURES[c] ?? c;
  return out.toLowerCase();
}
