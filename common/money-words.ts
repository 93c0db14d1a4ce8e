/**
 * Amounts in Chinese capitals 大写金额, as contracts, receipts and cheques write them (the rules of
 * 《支付结算办法》附一: 零 once for a run of zeros inside the number, none after the last non-zero figure
 * of the 元 part, a run ending a 万 or 亿 group included (¥107,000.53 → 壹拾万零柒仟元零伍角叁分, the first of the
 * two forms the rules allow); 零 after 元 when the 元 figure or 角 is zero and a decimal follows; 整 when there is no 分; no 元 when there is no
 * whole yuan). Exact for every amount from 0.00 to 999,999,999,999.99 — the figures are read as text,
 * never as a floating-point number.
 */
const DIGITS = ['零', '壹', '贰', '叁', '肆', '伍', '陆', '柒', '捌', '玖'];
const UNITS = ['', '拾', '佰', '仟'];
const SECTIONS = ['元', '万', '亿'];

/** The largest amount a contract may carry: twelve figures of yuan. */
export const MAX_CAPITALS_AMOUNT = '999999999999.99';

/**
 * `12000.00` → `壹万贰仟元整`; `0.05` → `伍分`; `100010.10` → `壹拾万零壹拾元壹角整`. The amount is a
 * decimal string with at most two decimals (commas allowed); throws RangeError for a negative, malformed
 * or too large amount.
 */
export function amountInCapitals(amount: string): string {
  const match = /^(\d{1,12})(?:\.(\d{1,2}))?$/.exec(amount.replaceAll(',', '').trim());
  if (!match) throw new RangeError(`not an amount of at most 999,999,999,999.99: ${amount}`);
  const whole = match[1].replace(/^0+(?=\d)/, '');
  const [jiao, fen] = (match[2] ?? '').padEnd(2, '0').split('').map(Number);

  let out = '';
  let zeroPending = false;
  const wholeIsZero = /^0+$/.test(whole);
  if (!wholeIsZero) {
    for (let i = 0; i < whole.length; i++) {
      const position = whole.length - 1 - i;
      const digit = Number(whole[i]);
      if (digit === 0) {
        zeroPending = out.length > 0;
      } else {
        if (zeroPending) out += '零';
        zeroPending = false;
        out += DIGITS[digit] + UNITS[position % 4];
      }
      if (position % 4 === 0) {
        const section = SECTIONS[position / 4];
        // 万 and 亿 only after a group that has a figure; 元 always ends the whole part.
        const group = whole.slice(Math.max(0, i - 3), i + 1);
        if (position === 0 || /[1-9]/.test(group)) out += section;
      }
    }
  }
  // 零 after 元 when the figures before the first decimal one end in zeros (¥1,680.32 → …捌拾元零叁角贰分).
  if (jiao !== 0) out += (wholeIsZero || !whole.endsWith('0') ? '' : '零') + DIGITS[jiao] + '角';
  else if (fen !== 0 && !wholeIsZero) out += '零';
  if (fen !== 0) out += DIGITS[fen] + '分';
  else out = (out || '零元') + '整';
  return out;
}
