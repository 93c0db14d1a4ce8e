/**
 * What a number pattern gives, as the editor shows while one types (the server checks the pattern and gives
 * the real next number): {yyyy} and {yy} the year, {seq:N} the sequence zero-padded to N figures (1–9).
 * null when the pattern has something the server would refuse (it then says what, on the field).
 */
export function previewNumber(pattern: string, date: string, seq: number): string | null {
  let seqs = 0;
  let bad = false;
  const text = pattern.replace(/\{([^{}]*)\}/g, (_whole, token: string) => {
    if (token === 'yyyy') return date.slice(0, 4);
    if (token === 'yy') return date.slice(2, 4);
    const match = /^seq:([1-9])$/.exec(token);
    if (!match) {
      bad = true;
      return '';
    }
    seqs++;
    return String(seq).padStart(Number(match[1]), '0');
  });
  if (bad || seqs !== 1 || /[{}]/.test(text)) return null;
  return text;
}

/** Whether the sequence restarts every year (the pattern has a year in it): its register is read per year. */
export const isYearly = (pattern: string) => /\{yy(yy)?\}/.test(pattern);
