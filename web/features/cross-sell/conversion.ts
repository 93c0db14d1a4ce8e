/** part ÷ whole in percent, one decimal, rounded half up in integers (no float drift): 7 of 40 → "17.5%". */
export function rate(part: number, whole: number): string {
  if (whole <= 0) return '—';
  const tenths = Math.floor((part * 2000 + whole) / (2 * whole));
  return `${Math.floor(tenths / 10)}.${tenths % 10}%`;
}
