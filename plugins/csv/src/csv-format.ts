/** RFC 4180 CSV: fields with the delimiter, quotes or line breaks are quoted, quotes doubled. */

/** Parses CSV text into rows of fields. Handles quoted fields, doubled quotes, and CRLF or LF line ends. */
export function parseCsv(text: string, delimiter = ','): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0; // byte-order mark
  for (; i < text.length; i++) {
    const char = text[i];
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"' && field === '') quoted = true;
    else if (char === delimiter) {
      row.push(field);
      field = '';
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += char;
  }
  if (quoted) throw new RangeError('the CSV ends inside a quoted field (a closing " is missing)');
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows.filter((r) => !(r.length === 1 && r[0] === ''));
}

/** Formats rows as CSV with a header: the union of the rows' keys, in first-seen order. */
export function formatCsv(rows: readonly Record<string, unknown>[], delimiter = ','): string {
  const columns: string[] = [];
  const seen = new Set<string>();
  for (const row of rows) {
    for (const key of Object.keys(row)) {
      if (!seen.has(key)) {
        seen.add(key);
        columns.push(key);
      }
    }
  }
  const lines = [columns.map((c) => quoteField(c, delimiter)).join(delimiter)];
  for (const row of rows) lines.push(columns.map((c) => quoteField(formatValue(row[c]), delimiter)).join(delimiter));
  return `${lines.join('\n')}\n`;
}

function formatValue(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function quoteField(value: string, delimiter: string): string {
  return value.includes(delimiter) || value.includes('"') || value.includes('\n') || value.includes('\r')
    ? `"${value.replace(/"/g, '""')}"`
    : value;
}

export type ColumnType = 'number' | 'boolean' | 'string' | 'empty';

/** A column's type from its non-empty values: all numeric → number, all true/false → boolean, else string. */
export function inferType(values: readonly string[]): ColumnType {
  const present = values.filter((value) => value.trim() !== '');
  if (present.length === 0) return 'empty';
  if (present.every(isNumeric)) return 'number';
  if (present.every((value) => /^(true|false)$/i.test(value.trim()))) return 'boolean';
  return 'string';
}

/** Converts a field to its column's type (empty fields become null). */
export function convertValue(value: string, type: ColumnType): string | number | boolean | null {
  if (value.trim() === '') return type === 'string' ? value : null;
  if (type === 'number') return Number(value);
  if (type === 'boolean') return value.trim().toLowerCase() === 'true';
  return value;
}

function isNumeric(value: string): boolean {
  return /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/.test(value);
}
