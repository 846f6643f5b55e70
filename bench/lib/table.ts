/** Prints rows as columns, the first `leftColumns` left-aligned and the rest right-aligned; row 0 is the heading. */
export function printTable(table: string[][], leftColumns: number) {
  const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
  const line = (row: string[]) =>
    row.map((cell, i) => (i < leftColumns ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  console.log(`${line(table[0]!)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}`);
  for (const row of table.slice(1)) console.log(line(row));
}

/** A share as a whole percentage; '—' when unknown, '≈0%' when tick rounding made it negative. */
export const percent = (v: number | undefined) =>
  v === undefined || Number.isNaN(v) ? '—' : v < 0 ? '≈0%' : `${Math.round(v * 100)}%`;

/** A number with `digits` decimals; '—' when unknown. */
export const fixed = (v: number | undefined, digits = 1) =>
  v === undefined || Number.isNaN(v) ? '—' : v.toFixed(digits);
