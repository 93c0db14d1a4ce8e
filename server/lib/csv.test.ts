import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CSV_MAX_RECORD, CsvError, CsvReader, type CsvRecord } from './csv';

/** Reads `text` pushed in the given pieces. */
function readAll(pieces: string[]): CsvRecord[] {
  const reader = new CsvReader();
  return [...pieces.flatMap((p) => reader.push(p)), ...reader.end()];
}

/** What csv-parse (the reader imports used before) makes of `text`: cells and the line each record starts on. */
function oracle(text: string): CsvRecord[] {
  const rows = parse(text, { relax_column_count: true, skip_empty_lines: false, info: true }) as unknown as {
    record: string[];
    info: { lines: number };
  }[];
  let line = 1;
  return rows.map(({ record, info }) => {
    const r = { line, cells: record };
    line = info.lines + 1;
    return r;
  });
}

/** `text` cut at the given offsets. */
const cut = (text: string, at: number[]) => {
  const points = [...new Set(at.map((a) => a % (text.length + 1)))].sort((a, b) => a - b);
  const pieces: string[] = [];
  let from = 0;
  for (const p of points) {
    pieces.push(text.slice(from, p));
    from = p;
  }
  pieces.push(text.slice(from));
  return pieces;
};

// ⏎ stands for a line break inside a cell, written as the file's own: csv-parse counted a file's mixed line breaks
// otherwise than editors do, and a file has one kind.
const cell = fc.oneof(
  fc.constantFrom('', ' ', '北京华达', '王经理', '029-8000', 'a,b', 'say "hi"', '两行⏎文字', '⏎', '"', ',', '⏎⏎x'),
  fc.string({ maxLength: 6 }).filter((c) => !/[\r\n]/.test(c)),
);
const quote = (c: string) => (/[",\r\n⏎]/.test(c) || c === '' ? `"${c.replaceAll('"', '""')}"` : c);

describe('CsvReader', () => {
  it('reads the cells csv-parse reads, each record with the line an editor shows it on, however the text is cut', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(cell, { minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 8 }),
        fc.constantFrom('\n', '\r\n', '\r'),
        fc.boolean(),
        fc.array(fc.nat(), { maxLength: 6 }),
        (rows, eol, lastBreak, at) => {
          const text = (rows.map((r) => r.map(quote).join(',')).join(eol) + (lastBreak ? eol : '')).replaceAll(
            '⏎',
            eol,
          );
          // A record starts below the lines of those before it: one each, and one more per line break in their cells.
          let line = 1;
          const lines = rows.map((r) => {
            const start = line;
            line += 1 + r.join('').split('⏎').length - 1;
            return start;
          });
          const expected = oracle(text).map((r, i) => ({ line: lines[i], cells: r.cells }));
          expect(expected).toHaveLength(rows.length);
          expect(readAll([text])).toEqual(expected);
          expect(readAll(cut(text, at))).toEqual(expected);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('counts a line break in a cell as an editor does: Excel writes \\n in a cell of a file of \\r\\n lines', () => {
    // (csv-parse counted "\r\n" in a quoted cell as two lines.)
    expect(readAll(['a\r\n"x\r\ny"\r\n"p\nq"\r\nc\r\n'])).toEqual([
      { line: 1, cells: ['a'] },
      { line: 2, cells: ['x\r\ny'] },
      { line: 4, cells: ['p\nq'] },
      { line: 6, cells: ['c'] },
    ]);
  });

  it('keeps empty lines and cells, a trailing comma and a record without a final line break', () => {
    const text = '客户名称,电话\n\n"华达",\n,\n最后,"1"';
    expect(readAll([text])).toEqual([
      { line: 1, cells: ['客户名称', '电话'] },
      { line: 2, cells: [''] },
      { line: 3, cells: ['华达', ''] },
      { line: 4, cells: ['', ''] },
      { line: 5, cells: ['最后', '1'] },
    ]);
    expect(readAll(text.split(''))).toEqual(readAll([text]));
    expect(readAll([text])).toEqual(oracle(text));
  });

  it('counts a record after a quoted line break on the line it starts', () => {
    expect(readAll(['名称,备注\r\n甲,"第一行\r\n第二行"\r\n乙,x\r\n'])).toEqual([
      { line: 1, cells: ['名称', '备注'] },
      { line: 2, cells: ['甲', '第一行\r\n第二行'] },
      { line: 4, cells: ['乙', 'x'] },
    ]);
  });

  it('refuses what csv-parse refused: a quote left open, a quote inside a cell, text after a closing quote', () => {
    const code = (text: string, pieces = [text]) => {
      try {
        readAll(pieces);
      } catch (error) {
        expect(() => oracle(text)).toThrow();
        return [(error as CsvError).code, (error as CsvError).line];
      }
      return null;
    };
    expect(code('客户名称,"未闭合\n')).toEqual(['QUOTE_NOT_CLOSED', 1]);
    expect(code('a\nb,"x\n', ['a\nb,"', 'x\n'])).toEqual(['QUOTE_NOT_CLOSED', 2]);
    expect(code('a,b"c\n')).toEqual(['INVALID_OPENING_QUOTE', 1]);
    expect(code('a\n"b"c,d\n')).toEqual(['INVALID_CLOSING_QUOTE', 2]);
  });

  it('refuses a record longer than CSV_MAX_RECORD instead of reading it again with every piece of text', () => {
    const reader = new CsvReader();
    reader.push('名称\n"');
    const piece = 'x'.repeat(64 * 1024);
    let pushed = 0;
    expect(() => {
      for (; pushed <= CSV_MAX_RECORD; pushed += piece.length) reader.push(piece);
    }).toThrow(CsvError);
    expect(pushed).toBeLessThanOrEqual(CSV_MAX_RECORD + piece.length);
  });
});
